//! The property collector: `RetrievePropertiesEx` over a container view (or single
//! objects), continued with `ContinueRetrievePropertiesEx` while a `token` comes back,
//! and its results: objects with their properties (`propSet`) and the properties it
//! could not read (`missingSet`, each with its fault).
//!
//! ```
//! use failback_vsphere::soap::{
//!     parse_response, retrieve_properties_ex, continue_retrieve_properties_ex, Limits,
//!     ManagedObjectReference, ObjectSpec, PropertyFilterSpec, PropertySpec, RetrieveResult,
//! };
//!
//! let collector = ManagedObjectReference::new("PropertyCollector", "propertyCollector");
//! let view = ManagedObjectReference::new("ContainerView", "session[52b]view-1");
//! let spec = PropertyFilterSpec::new(
//!     vec![PropertySpec::new("VirtualMachine", ["name", "runtime.powerState"])],
//!     vec![ObjectSpec::container_view(view)],
//! );
//! let first = retrieve_properties_ex(&collector, &[spec], Some(1000)).finish();
//! assert!(first.contains("<maxObjects>1000</maxObjects>"));
//!
//! let page = br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
//!   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
//!   <RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>1</token>
//!   <objects><obj type="VirtualMachine">vm-1</obj>
//!   <propSet><name>name</name><val xsi:type="xsd:string">web-01</val></propSet></objects>
//!   </returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#;
//! let result = RetrieveResult::from_response(parse_response(page, "RetrievePropertiesEx", &Limits::default())?)?;
//! assert_eq!(result.objects[0].get("name").and_then(|v| v.as_str()), Some("web-01"));
//! let next = continue_retrieve_properties_ex(&collector, result.token.as_deref().unwrap_or_default());
//! assert!(next.finish().contains("<token>1</token>"));
//! # Ok::<(), failback_vsphere::soap::SoapError>(())
//! ```

use super::envelope::{Request, Response};
use super::error::SoapError;
use super::fault::MethodFault;
use super::types::{ManagedObjectReference, Value};
use super::xml::{Element, Node};

/// Which properties to read of which type (`PropertySpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertySpec {
    /// The managed object type (`VirtualMachine`).
    pub mo_type: String,
    /// The property paths (`name`, `config.extraConfig`, …).
    pub paths: Vec<String>,
    /// Whether to read every property (`all`); the paths are then ignored by the server.
    pub all: bool,
}

impl PropertySpec {
    /// The properties `paths` of the objects of type `mo_type`.
    pub fn new<I, S>(mo_type: impl Into<String>, paths: I) -> PropertySpec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PropertySpec {
            mo_type: mo_type.into(),
            paths: paths.into_iter().map(Into::into).collect(),
            all: false,
        }
    }
}

/// Where to start collecting (`ObjectSpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSpec {
    /// The starting object.
    pub obj: ManagedObjectReference,
    /// Whether to skip the starting object itself.
    pub skip: bool,
    /// Whether to traverse a container view's `view` property (to the objects it
    /// holds).
    pub traverse_view: bool,
}

impl ObjectSpec {
    /// The object `obj` itself.
    pub fn object(obj: ManagedObjectReference) -> ObjectSpec {
        ObjectSpec {
            obj,
            skip: false,
            traverse_view: false,
        }
    }

    /// The objects a container view holds (not the view itself).
    pub fn container_view(view: ManagedObjectReference) -> ObjectSpec {
        ObjectSpec {
            obj: view,
            skip: true,
            traverse_view: true,
        }
    }
}

/// What to collect (`PropertyFilterSpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyFilterSpec {
    /// The properties.
    pub props: Vec<PropertySpec>,
    /// The objects.
    pub objects: Vec<ObjectSpec>,
}

impl PropertyFilterSpec {
    /// The properties `props` of the objects `objects`.
    pub fn new(props: Vec<PropertySpec>, objects: Vec<ObjectSpec>) -> PropertyFilterSpec {
        PropertyFilterSpec { props, objects }
    }
}

/// Writes a `PropertyFilterSpec` in WSDL order: `propSet`, `objectSet`.
fn write_filter_spec(req: &mut Request, spec: &PropertyFilterSpec) {
    for p in &spec.props {
        req.element("propSet", |w| {
            w.text("type", &p.mo_type);
            if p.all {
                w.bool("all", true);
            }
            for path in &p.paths {
                w.text("pathSet", path);
            }
        });
    }
    for o in &spec.objects {
        req.element("objectSet", |w| {
            w.moref("obj", &o.obj);
            w.bool("skip", o.skip);
            if o.traverse_view {
                w.typed_element("selectSet", "TraversalSpec", |w| {
                    w.text("name", "traverseView");
                    w.text("type", "ContainerView");
                    w.text("path", "view");
                    w.bool("skip", false);
                });
            }
        });
    }
}

/// `RetrievePropertiesEx(specSet, options)`: the first page, of at most `max_objects`
/// objects when given (the server may send fewer, and a token for the rest).
pub fn retrieve_properties_ex(
    collector: &ManagedObjectReference,
    specs: &[PropertyFilterSpec],
    max_objects: Option<u32>,
) -> Request {
    let mut req = Request::new("RetrievePropertiesEx", collector);
    for spec in specs {
        req.element("specSet", |w| write_filter_spec(w, spec));
    }
    req.element("options", |w| {
        if let Some(n) = max_objects {
            w.int("maxObjects", i64::from(n));
        }
    });
    req
}

/// `ContinueRetrievePropertiesEx(token)`: the next page.
pub fn continue_retrieve_properties_ex(collector: &ManagedObjectReference, token: &str) -> Request {
    let mut req = Request::new("ContinueRetrievePropertiesEx", collector);
    req.text("token", token);
    req
}

/// `CancelRetrievePropertiesEx(token)`: the pages left are not wanted (frees them on the
/// server).
pub fn cancel_retrieve_properties_ex(collector: &ManagedObjectReference, token: &str) -> Request {
    let mut req = Request::new("CancelRetrievePropertiesEx", collector);
    req.text("token", token);
    req
}

/// One page of results (`RetrieveResult`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RetrieveResult {
    /// The token for the next page (`ContinueRetrievePropertiesEx`); `None` on the last.
    pub token: Option<String>,
    /// The objects of this page.
    pub objects: Vec<ObjectContent>,
}

/// One object with its properties (`ObjectContent`).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectContent {
    /// The object.
    pub obj: ManagedObjectReference,
    /// The properties read, in the server's order.
    pub props: Vec<DynamicProperty>,
    /// The properties that could not be read, each with its fault.
    pub missing: Vec<MissingProperty>,
}

/// A property read (`DynamicProperty`).
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicProperty {
    /// The property path (`config.hardware.device`).
    pub name: String,
    /// Its value.
    pub val: Value,
}

/// A property that could not be read (`MissingProperty`).
#[derive(Debug, Clone, PartialEq)]
pub struct MissingProperty {
    /// The property path.
    pub path: String,
    /// Why (its origin is [`FaultOrigin::MissingProperty`](super::FaultOrigin)).
    pub fault: MethodFault,
}

impl ObjectContent {
    /// The value of the property `name`, if it was read.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.props.iter().find(|p| p.name == name).map(|p| &p.val)
    }

    /// The fault of the property `path`, if it could not be read.
    pub fn missing(&self, path: &str) -> Option<&MethodFault> {
        self.missing
            .iter()
            .find(|m| m.path == path)
            .map(|m| &m.fault)
    }
}

impl RetrieveResult {
    /// Reads the answer to `RetrievePropertiesEx` or `ContinueRetrievePropertiesEx`: no
    /// `returnval` is an empty last page.
    pub fn from_response(response: Response) -> Result<RetrieveResult, SoapError> {
        let root = response.into_element();
        let path = root.name().to_string();
        let Some(returnval) = root
            .into_children()
            .into_iter()
            .find(|c| c.name() == "returnval")
        else {
            return Ok(RetrieveResult::default());
        };
        RetrieveResult::from_element(returnval, &format!("{path}.returnval"))
    }

    /// Reads a `RetrieveResult` element found at `path`.
    pub fn from_element(element: Element, path: &str) -> Result<RetrieveResult, SoapError> {
        let mut result = RetrieveResult::default();
        let mut n = 0;
        for child in element.into_children() {
            match child.name() {
                "token" => {
                    let t = child.text().trim();
                    if !t.is_empty() {
                        result.token = Some(t.to_string());
                    }
                }
                "objects" => {
                    let p = format!("{path}.objects[{n}]");
                    n += 1;
                    result.objects.push(ObjectContent::from_element(child, &p)?);
                }
                _ => {}
            }
        }
        Ok(result)
    }
}

impl ObjectContent {
    /// Reads an `ObjectContent` element found at `path`.
    pub fn from_element(element: Element, path: &str) -> Result<ObjectContent, SoapError> {
        let obj = Node::new(&element, path).moref("obj")?;
        let mut props = Vec::new();
        let mut missing = Vec::new();
        let (mut np, mut nm) = (0, 0);
        for child in element.into_children() {
            match child.name() {
                "propSet" => {
                    let p = format!("{path}.propSet[{np}]");
                    np += 1;
                    let name = Node::new(&child, p.as_str())
                        .string("name")?
                        .trim()
                        .to_string();
                    let val = child
                        .into_children()
                        .into_iter()
                        .find(|c| c.name() == "val");
                    let val = match val {
                        Some(v) => Value::from_element(v, &format!("{p}.val"))?,
                        // An unset property comes without `val`.
                        None => Value::Nil,
                    };
                    props.push(DynamicProperty { name, val });
                }
                "missingSet" => {
                    let p = format!("{path}.missingSet[{nm}]");
                    nm += 1;
                    let node = Node::new(&child, p);
                    let fault = MethodFault::from_missing(&node);
                    missing.push(MissingProperty {
                        path: node.string("path")?.trim().to_string(),
                        fault,
                    });
                }
                _ => {}
            }
        }
        Ok(ObjectContent {
            obj,
            props,
            missing,
        })
    }
}

/// Where a [`Pages`] walk is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PageState {
    First,
    Next(String),
    Done,
}

/// The paging of one property collection, without I/O: which request to send next
/// (`RetrievePropertiesEx`, then `ContinueRetrievePropertiesEx` while a token comes back)
/// and how to read its answer.
///
/// ```
/// use failback_vsphere::soap::{Limits, ManagedObjectReference, ObjectSpec, Pages, PropertyFilterSpec, PropertySpec};
///
/// # fn post(body: String) -> (u16, Vec<u8>) { (200, br#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"/></soapenv:Body></soapenv:Envelope>"#.to_vec()) }
/// let collector = ManagedObjectReference::new("PropertyCollector", "propertyCollector");
/// let view = ManagedObjectReference::new("ContainerView", "session[52b]view-1");
/// let spec = PropertyFilterSpec::new(
///     vec![PropertySpec::new("VirtualMachine", ["name"])],
///     vec![ObjectSpec::container_view(view)],
/// );
/// let mut pages = Pages::new(collector, vec![spec], Some(1000));
/// let mut objects = Vec::new();
/// while let Some(request) = pages.next_request() {
///     let (status, body) = post(request.finish());
///     objects.extend(pages.read(status, &body, &Limits::default())?);
/// }
/// assert!(objects.is_empty());
/// # Ok::<(), failback_vsphere::soap::SoapError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pages {
    collector: ManagedObjectReference,
    specs: Vec<PropertyFilterSpec>,
    max_objects: Option<u32>,
    state: PageState,
    pages: usize,
}

impl Pages {
    /// The collection of `specs` by `collector`, `max_objects` a page when given.
    pub fn new(
        collector: ManagedObjectReference,
        specs: Vec<PropertyFilterSpec>,
        max_objects: Option<u32>,
    ) -> Pages {
        Pages {
            collector,
            specs,
            max_objects,
            state: PageState::First,
            pages: 0,
        }
    }

    /// The request for the next page; `None` once the last page was read.
    pub fn next_request(&self) -> Option<Request> {
        match &self.state {
            PageState::First => Some(retrieve_properties_ex(
                &self.collector,
                &self.specs,
                self.max_objects,
            )),
            PageState::Next(token) => Some(continue_retrieve_properties_ex(&self.collector, token)),
            PageState::Done => None,
        }
    }

    /// The token of the pages left, if any: to give to
    /// [`cancel_retrieve_properties_ex`] when the rest is not wanted.
    pub fn token(&self) -> Option<&str> {
        match &self.state {
            PageState::Next(t) => Some(t),
            _ => None,
        }
    }

    /// How many pages were read.
    pub fn pages_read(&self) -> usize {
        self.pages
    }

    /// Reads the HTTP answer to [`Pages::next_request`]'s request: the page's objects.
    /// The walk is done after a page without token, or after an error (a fault, a
    /// broken page, a token repeated: a server that would loop forever). A token belongs
    /// to its session: after `NotAuthenticated`, log in again and start a new walk.
    pub fn read(
        &mut self,
        status: u16,
        body: &[u8],
        limits: &super::Limits,
    ) -> Result<Vec<ObjectContent>, SoapError> {
        let method = match &self.state {
            PageState::First => "RetrievePropertiesEx",
            PageState::Next(_) => "ContinueRetrievePropertiesEx",
            PageState::Done => {
                return Err(SoapError::unexpected(
                    "",
                    "no page (the last page was read)",
                    "one more",
                ))
            }
        };
        let previous = std::mem::replace(&mut self.state, PageState::Done);
        let result = super::parse_http_response(status, body, method, limits)
            .and_then(RetrieveResult::from_response)?;
        self.pages += 1;
        if let Some(token) = result.token {
            if let PageState::Next(old) = &previous {
                if *old == token {
                    return Err(SoapError::unexpected(
                        format!("{method}Response.returnval.token"),
                        "a new token (or none on the last page)",
                        super::error::quote(&token),
                    ));
                }
            }
            self.state = PageState::Next(token);
        }
        Ok(result.objects)
    }
}
