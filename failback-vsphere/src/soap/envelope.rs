//! The SOAP envelope: writing a request (the method in `urn:vim25`, `_this`, the
//! arguments in WSDL order) and reading a response (its `…Response` element, or its
//! `Fault`).

use super::error::{quote, SoapError};
use super::fault::MethodFault;
use super::types::ManagedObjectReference;
use super::xml::{parse_document, Element, Limits, Node};

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE_NAMESPACE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The vim25 namespace of methods and types.
pub const VIM25_NAMESPACE: &str = "urn:vim25";

/// The `Content-Type` of a request.
pub const CONTENT_TYPE: &str = "text/xml; charset=\"utf-8\"";

/// The `SOAPAction` header for the API version the server gave in `about.apiVersion`
/// (`urn:vim25/8.0.1.0`).
pub fn soap_action(api_version: &str) -> String {
    format!("urn:vim25/{api_version}")
}

const HEAD: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
    r#" xmlns:xsd="http://www.w3.org/2001/XMLSchema""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    "<soapenv:Body>"
);

const TAIL: &str = "</soapenv:Body></soapenv:Envelope>";

/// A request envelope being written: the method's element, `_this`, then the arguments
/// in the order they are added (the WSDL's order is the caller's to keep).
///
/// Element and type names are written as given (they are the WSDL's, constants in the
/// code); texts and attribute values are escaped. A character XML 1.0 cannot carry (a
/// control character other than tab, newline and carriage return) is written as
/// U+FFFD: vSphere names cannot hold one.
///
/// ```
/// use failback_vsphere::soap::{ManagedObjectReference, Request};
///
/// let mut req = Request::new("Login", &ManagedObjectReference::new("SessionManager", "SessionManager"));
/// req.text("userName", "admin@vsphere.local").text("password", "p<&>");
/// let body = req.finish();
/// assert!(body.contains("<userName>admin@vsphere.local</userName><password>p&lt;&amp;&gt;</password>"));
/// ```
#[derive(Clone)]
pub struct Request {
    method: String,
    buf: String,
}

impl std::fmt::Debug for Request {
    /// The method only: arguments may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A call of `method` on the object `this`.
    pub fn new(method: &str, this: &ManagedObjectReference) -> Request {
        let mut buf = String::with_capacity(HEAD.len() + TAIL.len() + 256);
        buf.push_str(HEAD);
        buf.push('<');
        buf.push_str(method);
        buf.push_str(" xmlns=\"urn:vim25\">");
        let mut req = Request {
            method: method.to_string(),
            buf,
        };
        req.moref("_this", this);
        req
    }

    /// The method called.
    pub fn method(&self) -> &str {
        &self.method
    }

    fn open(&mut self, name: &str, xsi_type: Option<&str>) {
        self.buf.push('<');
        self.buf.push_str(name);
        if let Some(t) = xsi_type {
            self.buf.push_str(" xsi:type=\"");
            escape_into(&mut self.buf, t, true);
            self.buf.push('"');
        }
        self.buf.push('>');
    }

    fn close(&mut self, name: &str) {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
    }

    /// `<name>value</name>`, the value escaped.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Request {
        self.open(name, None);
        escape_into(&mut self.buf, value, false);
        self.close(name);
        self
    }

    /// `<name xsi:type="…">value</name>`, for an `anyType` field (`OptionValue.value`
    /// with `xsd:string`).
    pub fn typed_text(&mut self, name: &str, xsi_type: &str, value: &str) -> &mut Request {
        self.open(name, Some(xsi_type));
        escape_into(&mut self.buf, value, false);
        self.close(name);
        self
    }

    /// `<name>true</name>` or `false`.
    pub fn bool(&mut self, name: &str, value: bool) -> &mut Request {
        self.text(name, if value { "true" } else { "false" })
    }

    /// `<name>42</name>`.
    pub fn int(&mut self, name: &str, value: i64) -> &mut Request {
        self.text(name, &value.to_string())
    }

    /// `<name type="VirtualMachine">vm-42</name>`.
    pub fn moref(&mut self, name: &str, value: &ManagedObjectReference) -> &mut Request {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push_str(" type=\"");
        escape_into(&mut self.buf, &value.mo_type, true);
        self.buf.push_str("\">");
        escape_into(&mut self.buf, &value.value, false);
        self.close(name);
        self
    }

    /// `<name>…</name>` around what `content` writes.
    pub fn element(&mut self, name: &str, content: impl FnOnce(&mut Request)) -> &mut Request {
        self.open(name, None);
        content(self);
        self.close(name);
        self
    }

    /// `<name xsi:type="…">…</name>` around what `content` writes, for a field whose
    /// value is a subtype (`selectSet` holding a `TraversalSpec`).
    pub fn typed_element(
        &mut self,
        name: &str,
        xsi_type: &str,
        content: impl FnOnce(&mut Request),
    ) -> &mut Request {
        self.open(name, Some(xsi_type));
        content(self);
        self.close(name);
        self
    }

    /// The envelope, closed.
    pub fn finish(mut self) -> String {
        let method = std::mem::take(&mut self.method);
        self.close(&method);
        self.buf.push_str(TAIL);
        self.buf
    }
}

/// Whether XML 1.0 can carry `c`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `text` escaped for a text (`attribute`: for a double-quoted attribute value,
/// whose whitespace is kept with character references).
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A method's response: its `…Response` element in the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    element: Element,
}

impl Response {
    /// A view of the `…Response` element (its path is its name).
    pub fn node(&self) -> Node<'_> {
        Node::new(&self.element, self.element.name().to_string())
    }

    /// The `returnval` (an error naming it when the method returned nothing).
    pub fn returnval(&self) -> Result<Node<'_>, SoapError> {
        self.node().require("returnval")
    }

    /// The `returnval`, if the method returned something.
    pub fn opt_returnval(&self) -> Option<Node<'_>> {
        self.node().child("returnval")
    }

    /// The `…Response` element.
    pub fn element(&self) -> &Element {
        &self.element
    }

    /// The `…Response` element, taken.
    pub fn into_element(self) -> Element {
        self.element
    }
}

/// Reads the answer to `method`: the envelope, its body, then either the body's
/// `<method>Response` element or its `Fault` ([`SoapError::Fault`]).
pub fn parse_response(body: &[u8], method: &str, limits: &Limits) -> Result<Response, SoapError> {
    let root = parse_document(body, limits)?;
    if root.name() != "Envelope" || root.namespace() != Some(SOAP_ENVELOPE_NAMESPACE) {
        return Err(SoapError::unexpected(
            root.name(),
            "a SOAP envelope (`Envelope` in http://schemas.xmlsoap.org/soap/envelope/)",
            format!(
                "{} in {}",
                quote(root.name()),
                root.namespace().map_or("no namespace".to_string(), quote)
            ),
        ));
    }
    let body_path = "Envelope.Body";
    let mut soap_body = root
        .into_children()
        .into_iter()
        .find(|c| c.name() == "Body" && c.namespace() == Some(SOAP_ENVELOPE_NAMESPACE))
        .ok_or_else(|| SoapError::unexpected(body_path, "a SOAP `Body`", "none"))?;
    let expected = format!("{method}Response");
    let first = soap_body.children.first().map(|c| {
        (
            c.name() == "Fault" && c.namespace() == Some(SOAP_ENVELOPE_NAMESPACE),
            c.name() == expected,
        )
    });
    match first {
        Some((true, _)) => {
            let fault = &soap_body.children[0];
            Err(MethodFault::from_soap_fault(&Node::new(fault, "Envelope.Body.Fault")).into())
        }
        Some((false, true)) => Ok(Response {
            element: soap_body.children.swap_remove(0),
        }),
        Some((false, false)) => Err(SoapError::unexpected(
            format!("{body_path}.{}", soap_body.children[0].name()),
            format!("`{expected}`"),
            quote(soap_body.children[0].name()),
        )),
        None => Err(SoapError::unexpected(
            body_path,
            format!("`{expected}`"),
            "an empty body",
        )),
    }
}

/// Reads an HTTP answer to `method`: a 2xx or a 500 with a SOAP envelope as
/// [`parse_response`] does; another status, or a 500 whose body is no envelope,
/// [`SoapError::Http`] with the body's start (unless it holds a fault).
pub fn parse_http_response(
    status: u16,
    body: &[u8],
    method: &str,
    limits: &Limits,
) -> Result<Response, SoapError> {
    let parsed = parse_response(body, method, limits);
    if (200..300).contains(&status) {
        return parsed;
    }
    match parsed {
        Err(SoapError::Fault(f)) => Err(SoapError::Fault(f)),
        Err(SoapError::TooLarge { size, max }) => Err(SoapError::TooLarge { size, max }),
        _ => Err(SoapError::Http {
            status,
            snippet: snippet(body),
        }),
    }
}

/// The first characters of a body, on one line.
fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".to_string();
    }
    let head = &body[..body.len().min(800)];
    let text = String::from_utf8_lossy(head);
    let cut: String = text
        .chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(200).is_some() || head.len() < body.len() {
        format!("{cut}… ({} bytes in all)", body.len())
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn escaping_keeps_what_xml_can_carry() {
        let mut s = String::new();
        escape_into(&mut s, "a&<>\"'\t\n\r\u{0}\u{1F600}", false);
        assert_eq!(s, "a&amp;&lt;&gt;\"'\t\n&#13;\u{FFFD}\u{1F600}");
        let mut s = String::new();
        escape_into(&mut s, "\"\t\n", true);
        assert_eq!(s, "&quot;&#9;&#10;");
    }

    #[test]
    fn a_snippet_is_short() {
        assert_eq!(snippet(b""), "(empty)");
        let long = "x".repeat(5000);
        let s = snippet(long.as_bytes());
        assert!(s.ends_with("(5000 bytes in all)"), "{s}");
        assert!(s.len() < 300);
    }
}
