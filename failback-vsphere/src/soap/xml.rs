//! A small element tree read with quick-xml's namespace-aware pull parser, within limits,
//! and [`Node`], a view of one element with its path for typed reads and for errors.
//!
//! The tree is built with an explicit stack (no recursion), under a maximum document
//! size, depth and element count ([`Limits`]), so a hostile document gives an error,
//! never a stack overflow or an unbounded allocation. Everything else that walks a tree
//! (dropping it, converting a value) is bounded by the same depth.
//!
//! Each element keeps its local name, its namespace URI, its `xsi:type` (the attribute
//! `type` in the namespace `http://www.w3.org/2001/XMLSchema-instance`, whatever prefix
//! binds it: `xsi:type`, vcsim's `XMLSchema-instance:type`, …; the value's own prefix is
//! dropped: `xsd:string` reads `string`), `xsi:nil`, its other attributes, its children
//! and, for a leaf, its text. vim25 has no mixed content: the text of an element with
//! children (whitespace between them) is dropped.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::error::{clip, clip_path, quote, SoapError, MAX_MESSAGE_CHARS};
use super::types::{ManagedObjectReference, Value};

/// The XML Schema instance namespace, that of `xsi:type` and `xsi:nil`.
pub const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The deepest nesting [`Limits::with_max_depth`] accepts (twice the default, four
/// times what vSphere sends): reading a tree and its values uses no recursion, but its
/// drop, clone, comparison and `Debug` recurse once a level; at this depth they fit in
/// a quarter of a thread's default stack in a debug build (a test checks it).
pub const MAX_DEPTH_CEILING: usize = 256;

/// The limits a response must keep to be read.
///
/// The defaults fit a property-collector page of 2,000 VMs with their hardware devices
/// and `extraConfig` (about 20 KB and 600 elements a VM: 40 MB and 1.2 million
/// elements), with room to spare; a snapshot tree 32 levels deep nests about 45
/// elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_bytes: usize,
    max_depth: usize,
    max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024 * 1024,
            max_depth: 128,
            max_elements: 2_000_000,
        }
    }
}

impl Limits {
    /// The defaults: 64 MiB, 128 levels, 2 million elements.
    pub fn new() -> Limits {
        Limits::default()
    }

    /// The largest body read, in bytes.
    pub fn with_max_bytes(mut self, max: usize) -> Limits {
        self.max_bytes = max;
        self
    }

    /// The deepest nesting of elements read (the envelope is level 1), at most
    /// [`MAX_DEPTH_CEILING`].
    pub fn with_max_depth(mut self, max: usize) -> Limits {
        self.max_depth = max.min(MAX_DEPTH_CEILING);
        self
    }

    /// The most elements read in one body.
    pub fn with_max_elements(mut self, max: usize) -> Limits {
        self.max_elements = max;
        self
    }

    /// The largest body read, in bytes.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The deepest nesting of elements read.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The most elements read in one body.
    pub fn max_elements(&self) -> usize {
        self.max_elements
    }
}

/// One element of a response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub(crate) name: String,
    pub(crate) namespace: Option<Arc<str>>,
    pub(crate) xsi_type: Option<String>,
    pub(crate) nil: bool,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
}

impl Element {
    /// An element named `name` (no namespace), for building trees in tests and tools.
    pub fn new(name: impl Into<String>) -> Element {
        Element {
            name: name.into(),
            ..Element::default()
        }
    }

    /// The same element with the `xsi:type` `type_name`.
    pub fn with_xsi_type(mut self, type_name: impl Into<String>) -> Element {
        self.xsi_type = Some(type_name.into());
        self
    }

    /// The same element with an attribute.
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Element {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// The same element with a text.
    pub fn with_text(mut self, text: impl Into<String>) -> Element {
        self.text = text.into();
        self
    }

    /// The same element with one more child.
    pub fn with_child(mut self, child: Element) -> Element {
        self.children.push(child);
        self
    }

    /// The local name (without prefix).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace URI the name resolves to, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The `xsi:type`, without the prefix of its value (`xsd:string` reads `string`).
    pub fn xsi_type(&self) -> Option<&str> {
        self.xsi_type.as_deref()
    }

    /// Whether the element says `xsi:nil="true"`.
    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// The value of the attribute `name` (local name; `xmlns` and `xsi:` attributes are
    /// not kept here).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of a leaf element (empty for an element with children).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The child elements, in document order.
    pub fn children(&self) -> &[Element] {
        &self.children
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The children, taken out of the element.
    pub fn into_children(self) -> Vec<Element> {
        self.children
    }

    /// The text, taken out of the element.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// The parser's state: the open elements, the namespaces seen, the count.
struct Builder {
    stack: Vec<Element>,
    root: Option<Element>,
    namespaces: HashMap<Vec<u8>, Arc<str>>,
    elements: usize,
}

impl Builder {
    /// The dotted path of the open elements.
    fn path(&self) -> String {
        let mut path = String::new();
        for (n, e) in self.stack.iter().enumerate() {
            if n > 0 {
                path.push('.');
            }
            path.push_str(&e.name);
        }
        path
    }

    fn path_with(&self, name: &str) -> String {
        if self.stack.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path())
        }
    }

    fn intern(&mut self, ns: &[u8]) -> Result<Arc<str>, String> {
        if let Some(a) = self.namespaces.get(ns) {
            return Ok(a.clone());
        }
        let text = std::str::from_utf8(ns).map_err(|e| format!("namespace URI: {e}"))?;
        let a: Arc<str> = Arc::from(text);
        self.namespaces.insert(ns.to_vec(), a.clone());
        Ok(a)
    }

    /// Attaches a closed element to its parent, or makes it the root.
    fn attach(&mut self, mut element: Element, offset: u64) -> Result<(), SoapError> {
        if !element.children.is_empty() {
            element.text = String::new();
        }
        match self.stack.last_mut() {
            Some(parent) => {
                parent.children.push(element);
                Ok(())
            }
            None if self.root.is_none() => {
                self.root = Some(element);
                Ok(())
            }
            None => Err(SoapError::Malformed {
                path: String::new(),
                offset,
                message: format!("a second root element {}", quote(&element.name)),
            }),
        }
    }
}

fn malformed(path: String, offset: u64, message: impl std::fmt::Display) -> SoapError {
    SoapError::Malformed {
        path: clip_path(path),
        offset,
        message: clip(&message.to_string(), MAX_MESSAGE_CHARS),
    }
}

/// Reads `body` into its root element, within `limits`.
///
/// Errors: [`SoapError::TooLarge`], [`SoapError::TooDeep`],
/// [`SoapError::TooManyElements`], [`SoapError::Malformed`] (not UTF-8, truncated,
/// mismatched tags, text or a second element outside the root, an unknown entity, a DTD).
pub fn parse_document(body: &[u8], limits: &Limits) -> Result<Element, SoapError> {
    if body.len() > limits.max_bytes {
        return Err(SoapError::TooLarge {
            size: body.len(),
            max: limits.max_bytes,
        });
    }
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let mut b = Builder {
        stack: Vec::new(),
        root: None,
        namespaces: HashMap::new(),
        elements: 0,
    };
    loop {
        let offset = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => {
                let ns = match ns {
                    ResolveResult::Bound(n) => {
                        Some(b.intern(n.0).map_err(|m| malformed(b.path(), offset, m))?)
                    }
                    ResolveResult::Unbound => None,
                    ResolveResult::Unknown(p) => {
                        return Err(malformed(
                            b.path(),
                            offset,
                            format!(
                                "the prefix `{}` is not bound to a namespace",
                                String::from_utf8_lossy(&p)
                            ),
                        ))
                    }
                };
                (ns, event)
            }
            Err(e) => return Err(malformed(b.path(), reader.error_position(), e)),
        };
        match event {
            Event::Start(start) => {
                let element = open(&reader, &mut b, ns, &start, limits, offset)?;
                b.stack.push(element);
            }
            Event::Empty(start) => {
                let element = open(&reader, &mut b, ns, &start, limits, offset)?;
                b.attach(element, offset)?;
            }
            Event::End(_) => match b.stack.pop() {
                Some(element) => b.attach(element, offset)?,
                None => return Err(malformed(String::new(), offset, "an end tag with no start")),
            },
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|e| malformed(b.path(), offset, e))?;
                push_text(&mut b, &text, offset)?;
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| malformed(b.path(), offset, e))?;
                push_text(&mut b, &text, offset)?;
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| malformed(b.path(), offset, e))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(malformed(
                                    b.path(),
                                    offset,
                                    format!("unknown entity {}", quote(&format!("&{name};"))),
                                ))
                            }
                        }
                    }
                    Err(e) => return Err(malformed(b.path(), offset, e)),
                };
                push_text(&mut b, &text, offset)?;
            }
            Event::DocType(_) => {
                return Err(malformed(
                    b.path(),
                    offset,
                    "a document type declaration (SOAP forbids DTDs)",
                ))
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !b.stack.is_empty() {
        return Err(malformed(
            b.path(),
            reader.buffer_position(),
            "the document ends before its elements are closed (truncated)",
        ));
    }
    b.root.ok_or_else(|| {
        malformed(
            String::new(),
            reader.buffer_position(),
            "the document holds no element",
        )
    })
}

fn push_text(b: &mut Builder, text: &str, offset: u64) -> Result<(), SoapError> {
    match b.stack.last_mut() {
        Some(top) => {
            // Whitespace between children is dropped as soon as a child is there.
            if top.children.is_empty() || !text.trim().is_empty() {
                top.text.push_str(text);
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(malformed(
            String::new(),
            offset,
            format!("text outside the root element: {}", quote(text.trim())),
        )),
    }
}

/// A new element from its start tag, counted and checked against the limits.
fn open(
    reader: &NsReader<&[u8]>,
    b: &mut Builder,
    ns: Option<Arc<str>>,
    start: &BytesStart<'_>,
    limits: &Limits,
    offset: u64,
) -> Result<Element, SoapError> {
    let local = start.local_name();
    let name = std::str::from_utf8(local.as_ref())
        .map_err(|e| malformed(b.path(), offset, format!("element name: {e}")))?
        .to_string();
    if b.stack.len() >= limits.max_depth {
        return Err(SoapError::TooDeep {
            path: clip_path(b.path_with(&name)),
            max: limits.max_depth,
        });
    }
    b.elements += 1;
    if b.elements > limits.max_elements {
        return Err(SoapError::TooManyElements {
            path: clip_path(b.path_with(&name)),
            max: limits.max_elements,
        });
    }
    let mut element = Element {
        name,
        namespace: ns,
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(b.path_with(&element.name), offset, e))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let value = attr
            .unescape_value()
            .map_err(|e| malformed(b.path_with(&element.name), offset, e))?;
        let (attr_ns, attr_local) = reader.resolve_attribute(attr.key);
        let attr_local = std::str::from_utf8(attr_local.as_ref())
            .map_err(|e| malformed(b.path_with(&element.name), offset, e))?;
        match attr_ns {
            ResolveResult::Bound(n) if n.0 == XSI_NAMESPACE.as_bytes() => match attr_local {
                "type" => {
                    let v = value.trim();
                    let local = v.rsplit_once(':').map_or(v, |(_, l)| l);
                    element.xsi_type = Some(local.to_string());
                }
                "nil" => element.nil = matches!(value.trim(), "true" | "1"),
                _ => {}
            },
            ResolveResult::Unknown(p) => {
                return Err(malformed(
                    b.path_with(&element.name),
                    offset,
                    format!(
                        "the attribute prefix `{}` is not bound to a namespace",
                        String::from_utf8_lossy(&p)
                    ),
                ))
            }
            _ => element
                .attributes
                .push((attr_local.to_string(), value.into_owned())),
        }
    }
    Ok(element)
}

/// A borrowed element with its path, for typed reads whose errors say where and what.
///
/// Paths are dotted element names with the index of repeated elements:
/// `RetrievePropertiesExResponse.returnval.objects[3].propSet[0].val`.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    element: &'a Element,
    path: String,
}

impl<'a> Node<'a> {
    /// A view of `element`, which sits at `path`.
    pub fn new(element: &'a Element, path: impl Into<String>) -> Node<'a> {
        Node {
            element,
            path: path.into(),
        }
    }

    /// The element.
    pub fn element(&self) -> &'a Element {
        self.element
    }

    /// Where the element is.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The element's local name.
    pub fn name(&self) -> &'a str {
        &self.element.name
    }

    /// The element's `xsi:type`, without prefix.
    pub fn xsi_type(&self) -> Option<&'a str> {
        self.element.xsi_type()
    }

    /// An attribute's value.
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.element.attribute(name)
    }

    /// The text of the element.
    pub fn text(&self) -> &'a str {
        &self.element.text
    }

    fn sub(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// The first child named `name`, if any.
    pub fn child(&self, name: &str) -> Option<Node<'a>> {
        self.element
            .child(name)
            .map(|e| Node::new(e, self.sub(name)))
    }

    /// The first child named `name`, or an error naming it.
    pub fn require(&self, name: &str) -> Result<Node<'a>, SoapError> {
        self.child(name).ok_or_else(|| {
            SoapError::unexpected(
                self.sub(name),
                format!("an element `{name}`"),
                "none".to_string(),
            )
        })
    }

    /// The children named `name`, each with its index in the path (`name[i]`).
    pub fn children(&self, name: &'a str) -> impl Iterator<Item = Node<'a>> + '_ {
        self.element
            .children
            .iter()
            .filter(move |c| c.name == name)
            .enumerate()
            .map(move |(i, c)| Node::new(c, format!("{}[{i}]", self.sub(name))))
    }

    /// Every child, each with its name and index in the path (`name[i]` counts the
    /// children of that name only).
    pub fn elements(&self) -> impl Iterator<Item = Node<'a>> + '_ {
        let mut seen: HashMap<&'a str, usize> = HashMap::new();
        self.element.children.iter().map(move |c| {
            let n = seen.entry(c.name.as_str()).or_insert(0);
            let path = format!("{}[{n}]", self.sub(&c.name));
            *n += 1;
            Node::new(c, path)
        })
    }

    fn mistyped(&self, expected: &str) -> SoapError {
        SoapError::unexpected(self.path.clone(), expected, quote(self.text()))
    }

    /// The text, as a string.
    pub fn as_str(&self) -> &'a str {
        self.text()
    }

    /// The text as an `xsd:boolean` (`true`, `false`, `1`, `0`).
    pub fn as_bool(&self) -> Result<bool, SoapError> {
        match self.text().trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(self.mistyped("a boolean")),
        }
    }

    /// The text as an integer (`xsd:long`, `xsd:int`, `xsd:short`, `xsd:byte`).
    pub fn as_i64(&self) -> Result<i64, SoapError> {
        self.text()
            .trim()
            .parse()
            .map_err(|_| self.mistyped("an integer"))
    }

    /// The text as an `xsd:double` or `xsd:float`.
    pub fn as_f64(&self) -> Result<f64, SoapError> {
        self.text()
            .trim()
            .parse()
            .map_err(|_| self.mistyped("a number"))
    }

    /// The text as an `xsd:dateTime` (RFC 3339; one without an offset is taken as UTC).
    pub fn as_datetime(&self) -> Result<DateTime<Utc>, SoapError> {
        parse_datetime(self.text()).ok_or_else(|| self.mistyped("a date-time"))
    }

    /// The element as a managed object reference: `<obj type="VirtualMachine">vm-42</obj>`.
    pub fn as_moref(&self) -> Result<ManagedObjectReference, SoapError> {
        let mo_type = self.attribute("type").ok_or_else(|| {
            SoapError::unexpected(
                self.path.clone(),
                "a managed object reference (an attribute `type`)",
                "none",
            )
        })?;
        let value = self.text().trim();
        if value.is_empty() {
            return Err(self.mistyped("a managed object reference (a managed object id)"));
        }
        Ok(ManagedObjectReference::new(mo_type, value))
    }

    /// The element as a dynamic value, by its `xsi:type` (see [`Value::from_element`]).
    pub fn value(&self) -> Result<Value, SoapError> {
        Value::from_element(self.element.clone(), &self.path)
    }

    /// The text of the required child `name`.
    pub fn string(&self, name: &str) -> Result<&'a str, SoapError> {
        Ok(self.require(name)?.as_str())
    }

    /// The text of the child `name`, if there.
    pub fn opt_string(&self, name: &str) -> Option<&'a str> {
        self.child(name).map(|n| n.as_str())
    }

    /// The required child `name` as a boolean.
    pub fn bool(&self, name: &str) -> Result<bool, SoapError> {
        self.require(name)?.as_bool()
    }

    /// The child `name` as a boolean, if there.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, SoapError> {
        self.child(name).map(|n| n.as_bool()).transpose()
    }

    /// The required child `name` as an integer.
    pub fn i64(&self, name: &str) -> Result<i64, SoapError> {
        self.require(name)?.as_i64()
    }

    /// The child `name` as an integer, if there.
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, SoapError> {
        self.child(name).map(|n| n.as_i64()).transpose()
    }

    /// The required child `name` as a date-time.
    pub fn datetime(&self, name: &str) -> Result<DateTime<Utc>, SoapError> {
        self.require(name)?.as_datetime()
    }

    /// The child `name` as a date-time, if there.
    pub fn opt_datetime(&self, name: &str) -> Result<Option<DateTime<Utc>>, SoapError> {
        self.child(name).map(|n| n.as_datetime()).transpose()
    }

    /// The required child `name` as a managed object reference.
    pub fn moref(&self, name: &str) -> Result<ManagedObjectReference, SoapError> {
        self.require(name)?.as_moref()
    }

    /// The child `name` as a managed object reference, if there.
    pub fn opt_moref(&self, name: &str) -> Result<Option<ManagedObjectReference>, SoapError> {
        self.child(name).map(|n| n.as_moref()).transpose()
    }

    /// The texts of the repeated children `name` (a `string[]` field).
    pub fn strings(&self, name: &'a str) -> Vec<&'a str> {
        self.children(name).map(|n| n.as_str()).collect()
    }

    /// The repeated children `name` as managed object references (a
    /// `ManagedObjectReference[]` field).
    pub fn morefs(&self, name: &'a str) -> Result<Vec<ManagedObjectReference>, SoapError> {
        self.children(name).map(|n| n.as_moref()).collect()
    }
}

/// An `xsd:dateTime`: RFC 3339, or without an offset (taken as UTC).
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn parse(s: &str) -> Result<Element, SoapError> {
        parse_document(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn names_texts_attributes_and_namespaces_are_kept() {
        let e = parse(
            r#"<?xml version="1.0"?><a xmlns="urn:vim25" xmlns:x="urn:x"><b type="T">v &amp; &#233;</b>
            <x:c/><d><![CDATA[<raw>]]></d></a>"#,
        )
        .unwrap();
        assert_eq!(e.name(), "a");
        assert_eq!(e.namespace(), Some("urn:vim25"));
        assert_eq!(e.text(), "");
        assert_eq!(e.children().len(), 3);
        let b = e.child("b").unwrap();
        assert_eq!(b.attribute("type"), Some("T"));
        assert_eq!(b.text(), "v & é");
        assert_eq!(e.child("c").unwrap().namespace(), Some("urn:x"));
        assert_eq!(e.child("d").unwrap().text(), "<raw>");
    }

    #[test]
    fn xsi_type_resolves_by_namespace_not_prefix() {
        for prefix in ["xsi", "XMLSchema-instance", "q"] {
            let doc = format!(
                r#"<a xmlns:{prefix}="{XSI_NAMESPACE}" {prefix}:type="vim25:ArrayOfString" {prefix}:nil="true"/>"#
            );
            let e = parse(&doc).unwrap();
            assert_eq!(e.xsi_type(), Some("ArrayOfString"), "{prefix}");
            assert!(e.is_nil());
            assert!(e.attributes.is_empty());
        }
        // A `xsi` prefix bound elsewhere is not the XSI type.
        let e = parse(r#"<a xmlns:xsi="urn:other" xsi:type="X"/>"#).unwrap();
        assert_eq!(e.xsi_type(), None);
        assert_eq!(e.attribute("type"), Some("X"));
    }

    #[test]
    fn limits_are_errors() {
        let deep = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
        let err = parse(&deep).unwrap_err();
        assert!(
            matches!(&err, SoapError::TooDeep { max: 128, path } if path.ends_with("a.a")),
            "{err}"
        );
        let many = format!("<r>{}</r>", "<a/>".repeat(20));
        let err = parse_document(many.as_bytes(), &Limits::new().with_max_elements(10));
        assert!(matches!(
            err,
            Err(SoapError::TooManyElements { max: 10, .. })
        ));
        let err = parse_document(many.as_bytes(), &Limits::new().with_max_bytes(10));
        assert!(matches!(err, Err(SoapError::TooLarge { max: 10, .. })));
    }

    #[test]
    fn broken_documents_are_errors_naming_where() {
        let err = parse("<a><b>text").unwrap_err();
        assert!(
            matches!(&err, SoapError::Malformed { path, .. } if path == "a.b"),
            "{err:?}"
        );
        for bad in [
            "",
            "   ",
            "<a></b>",
            "<a/><b/>",
            "text",
            "<a>&foo;</a>",
            "<!DOCTYPE a><a/>",
            "<p:a/>",
            "<a p:x='1'/>",
            "<a x='1' x='2'/>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse_document(b"<a>\xff</a>", &Limits::default()).is_err());
        // A UTF-8 byte order mark is no error.
        assert!(parse_document(b"\xEF\xBB\xBF<a/>", &Limits::default()).is_ok());
    }

    #[test]
    fn typed_reads_name_the_path() {
        let e = parse(
            r#"<r><n>42</n><b>true</b><t>2026-05-01T08:00:00.5Z</t><t2>2026-05-01T08:00:00</t2>
            <m type="VirtualMachine">vm-1</m><m type="VirtualMachine">vm-2</m><bad>x</bad></r>"#,
        )
        .unwrap();
        let r = Node::new(&e, "r");
        assert_eq!(r.i64("n").unwrap(), 42);
        assert!(r.bool("b").unwrap());
        assert_eq!(
            r.datetime("t").unwrap().to_rfc3339(),
            "2026-05-01T08:00:00.500+00:00"
        );
        assert_eq!(
            r.datetime("t2").unwrap().to_rfc3339(),
            "2026-05-01T08:00:00+00:00"
        );
        assert_eq!(r.morefs("m").unwrap().len(), 2);
        assert_eq!(r.moref("m").unwrap().value, "vm-1");
        let err = r.i64("bad").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected response at `r.bad`: expected an integer, found `x`"
        );
        let err = r.require("missing").unwrap_err();
        assert!(err.to_string().contains("`r.missing`"), "{err}");
        let err = r.children("m").nth(1).unwrap().as_bool().unwrap_err();
        assert!(err.to_string().contains("`r.m[1]`"), "{err}");
        assert!(r.moref("n").is_err());
    }
}
