//! The values of vim25: managed object references and dynamic values read by their
//! `xsi:type`, unknown polymorphic types kept as their type name and raw children.

use std::fmt;

use chrono::{DateTime, Utc};

use super::error::{quote, SoapError};
use super::xml::{parse_datetime, Element, Node};

/// A managed object reference: the type of a managed object and its id (`vm-42`,
/// `datastore-11`, `ha-host`), an opaque string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManagedObjectReference {
    /// The managed object type (`VirtualMachine`, `Datastore`, `PropertyCollector`, …).
    pub mo_type: String,
    /// The managed object id.
    pub value: String,
}

impl ManagedObjectReference {
    /// A reference to the object `value` of type `mo_type`.
    pub fn new(mo_type: impl Into<String>, value: impl Into<String>) -> Self {
        ManagedObjectReference {
            mo_type: mo_type.into(),
            value: value.into(),
        }
    }
}

impl fmt::Display for ManagedObjectReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.mo_type, self.value)
    }
}

/// A value whose type the wire says (`xsi:type`): a property-collector value, an
/// `anyType` field such as `OptionValue.value`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `xsi:nil="true"`.
    Nil,
    /// `xsd:string` (and the other string-like XSD types: `anyURI`, `base64Binary`, …).
    String(String),
    /// `xsd:boolean`.
    Bool(bool),
    /// `xsd:long`, `xsd:int`, `xsd:short`, `xsd:byte`.
    Int(i64),
    /// `xsd:double`, `xsd:float`.
    Float(f64),
    /// `xsd:dateTime`.
    DateTime(DateTime<Utc>),
    /// `ManagedObjectReference`.
    MoRef(ManagedObjectReference),
    /// An enumeration value (`VirtualMachinePowerState` `poweredOn`): a type this client
    /// does not read, on a leaf with a text.
    Enum {
        /// The enumeration type.
        type_name: String,
        /// The value.
        value: String,
    },
    /// `ArrayOfX`: its items, each read as an `X` (or by its own `xsi:type`).
    Array(Array),
    /// A data object (`VirtualMachineConfigInfo`, `LocalizedMethodFault`, …), or a type
    /// this client does not know: its type name and its raw element, never an error.
    Object(Object),
}

/// An `ArrayOfX` value.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// The array's type (`ArrayOfString`, `ArrayOfOptionValue`, …).
    pub type_name: String,
    /// Its items.
    pub items: Vec<Value>,
}

/// A data object value: its type and its raw element, read with [`Object::node`].
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// The `xsi:type` (for an array item without one, the type the array names); empty
    /// when the wire gives none.
    pub type_name: String,
    /// Where the element was in its response.
    pub path: String,
    /// The element with its children.
    pub element: Element,
}

impl Object {
    /// A view of the element for typed reads whose errors say where.
    pub fn node(&self) -> Node<'_> {
        Node::new(&self.element, self.path.clone())
    }
}

/// The item type of an array type: `ArrayOfOptionValue` holds `OptionValue`s.
fn item_type(array_type: &str) -> Option<&str> {
    array_type.strip_prefix("ArrayOf")
}

/// How a type name reads, for the XSD and reference types; `None` for a data object.
fn read_simple(type_name: &str, node: &Node<'_>) -> Option<Result<Value, SoapError>> {
    Some(match type_name {
        "string" | "String" | "anyURI" | "base64Binary" | "hexBinary" | "QName" | "token" => {
            Ok(Value::String(node.text().to_string()))
        }
        "boolean" | "Boolean" => node.as_bool().map(Value::Bool),
        "long" | "int" | "short" | "byte" | "Long" | "Int" | "Short" | "Byte" | "unsignedLong"
        | "unsignedInt" | "unsignedShort" | "unsignedByte" | "integer" => {
            node.as_i64().map(Value::Int)
        }
        "double" | "float" | "Double" | "Float" | "decimal" => node.as_f64().map(Value::Float),
        "dateTime" | "DateTime" => parse_datetime(node.text())
            .map(Value::DateTime)
            .ok_or_else(|| SoapError::unexpected(node.path(), "a date-time", quote(node.text()))),
        "ManagedObjectReference" => node.as_moref().map(Value::MoRef),
        _ => return None,
    })
}

/// An array being read.
struct ArrayFrame {
    type_name: String,
    item: String,
    items: Vec<Value>,
    children: std::vec::IntoIter<Element>,
    counts: std::collections::HashMap<String, usize>,
    path: String,
}

/// What reading one element gave.
enum Step {
    Done(Value),
    Array(ArrayFrame),
}

impl Value {
    /// Reads `element`, found at `path`, by its `xsi:type`:
    ///
    /// - `xsi:nil="true"`: [`Value::Nil`];
    /// - the XSD types and `ManagedObjectReference`: their value (a text that is not of
    ///   its type is an error naming the path);
    /// - another type on a leaf with a text: [`Value::Enum`];
    /// - `ArrayOfX`: each child read by its own `xsi:type`, else as an `X`;
    /// - anything else (a known data object or an unknown type): [`Value::Object`] with
    ///   the type name and the raw element, never an error;
    /// - no `xsi:type`: a leaf is a [`Value::String`], an element with children an
    ///   [`Value::Object`] without type name.
    pub fn from_element(element: Element, path: &str) -> Result<Value, SoapError> {
        Value::read(element, path, None)
    }

    /// Reads arrays with an explicit stack (an `ArrayOfAnyType` can nest as deep as
    /// the document): no recursion.
    fn read(element: Element, path: &str, implied: Option<&str>) -> Result<Value, SoapError> {
        let mut stack = match Value::step(element, path, implied)? {
            Step::Done(v) => return Ok(v),
            Step::Array(frame) => vec![frame],
        };
        loop {
            let Some(top) = stack.last_mut() else {
                // Not reached: the loop returns when it pops the outermost array.
                return Ok(Value::Nil);
            };
            match top.children.next() {
                Some(child) => {
                    let n = top.counts.entry(child.name.clone()).or_insert(0);
                    let child_path = format!("{}.{}[{n}]", top.path, child.name);
                    *n += 1;
                    let item = top.item.clone();
                    match Value::step(child, &child_path, Some(&item))? {
                        Step::Done(v) => top.items.push(v),
                        Step::Array(frame) => stack.push(frame),
                    }
                }
                None => {
                    let Some(done) = stack.pop() else {
                        return Ok(Value::Nil);
                    };
                    let v = Value::Array(Array {
                        type_name: done.type_name,
                        items: done.items,
                    });
                    match stack.last_mut() {
                        Some(parent) => parent.items.push(v),
                        None => return Ok(v),
                    }
                }
            }
        }
    }

    /// One element read, or the start of an array whose items are to be read.
    fn step(element: Element, path: &str, implied: Option<&str>) -> Result<Step, SoapError> {
        if element.is_nil() {
            return Ok(Step::Done(Value::Nil));
        }
        let type_name = element
            .xsi_type()
            .or(implied)
            .map(str::to_string)
            .unwrap_or_default();
        if let Some(v) = read_simple(&type_name, &Node::new(&element, path)) {
            return v.map(Step::Done);
        }
        if let Some(item) = item_type(&type_name) {
            return Ok(Step::Array(ArrayFrame {
                item: item.to_string(),
                items: Vec::with_capacity(element.children.len()),
                children: element.into_children().into_iter(),
                counts: std::collections::HashMap::new(),
                path: path.to_string(),
                type_name,
            }));
        }
        if element.children.is_empty() {
            if type_name.is_empty() {
                return Ok(Step::Done(Value::String(element.into_text())));
            }
            if !element.text.trim().is_empty() {
                return Ok(Step::Done(Value::Enum {
                    type_name,
                    value: element.into_text(),
                }));
            }
        }
        Ok(Step::Done(Value::Object(Object {
            type_name,
            path: path.to_string(),
            element,
        })))
    }

    /// The type name the value had on the wire (`string`, `ArrayOfOptionValue`, …); for
    /// a value without one, the Rust variant's (`Nil`, `String`, `Object`).
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "Nil",
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "long",
            Value::Float(_) => "double",
            Value::DateTime(_) => "dateTime",
            Value::MoRef(_) => "ManagedObjectReference",
            Value::Enum { type_name, .. } => type_name,
            Value::Array(a) => &a.type_name,
            Value::Object(o) if o.type_name.is_empty() => "Object",
            Value::Object(o) => &o.type_name,
        }
    }

    /// The string, for [`Value::String`] (and an enumeration's value).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Enum { value: s, .. } => Some(s),
            _ => None,
        }
    }

    /// The boolean, for [`Value::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, for [`Value::Int`].
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The date-time, for [`Value::DateTime`].
    pub fn as_datetime(&self) -> Option<DateTime<Utc>> {
        match self {
            Value::DateTime(d) => Some(*d),
            _ => None,
        }
    }

    /// The reference, for [`Value::MoRef`].
    pub fn as_moref(&self) -> Option<&ManagedObjectReference> {
        match self {
            Value::MoRef(m) => Some(m),
            _ => None,
        }
    }

    /// The items, for [`Value::Array`].
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(&a.items),
            _ => None,
        }
    }

    /// The data object, for [`Value::Object`].
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The references of an `ArrayOfManagedObjectReference` (or of one reference).
    pub fn morefs(&self) -> Vec<&ManagedObjectReference> {
        match self {
            Value::MoRef(m) => vec![m],
            Value::Array(a) => a.items.iter().filter_map(Value::as_moref).collect(),
            _ => Vec::new(),
        }
    }

    /// The strings of an `ArrayOfString` (or of one string).
    pub fn strings(&self) -> Vec<&str> {
        match self {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::soap::xml::{parse_document, Limits};

    fn value(xml: &str) -> Result<Value, SoapError> {
        let e = parse_document(xml.as_bytes(), &Limits::default()).unwrap();
        Value::from_element(e, "val")
    }

    const XSI: &str = r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;

    #[test]
    fn simple_types_read_by_xsi_type() {
        let v = value(&format!(r#"<val {XSI} xsi:type="xsd:string">a b</val>"#)).unwrap();
        assert_eq!(v, Value::String("a b".into()));
        let v = value(&format!(r#"<val {XSI} xsi:type="xsd:int"> 7 </val>"#)).unwrap();
        assert_eq!(v, Value::Int(7));
        let v = value(&format!(r#"<val {XSI} xsi:type="xsd:boolean">false</val>"#)).unwrap();
        assert_eq!(v, Value::Bool(false));
        let v = value(&format!(
            r#"<val {XSI} xsi:type="ManagedObjectReference" type="Folder">group-d1</val>"#
        ))
        .unwrap();
        assert_eq!(v.as_moref().unwrap().to_string(), "Folder:group-d1");
        let v = value(&format!(r#"<val {XSI} xsi:nil="true"/>"#)).unwrap();
        assert_eq!(v, Value::Nil);
        let err = value(&format!(r#"<val {XSI} xsi:type="xsd:long">12x</val>"#)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected response at `val`: expected an integer, found `12x`"
        );
    }

    #[test]
    fn arrays_read_their_items_by_the_array_type() {
        let v = value(&format!(
            r#"<val {XSI} xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">ds-1</ManagedObjectReference><ManagedObjectReference type="Datastore">ds-2</ManagedObjectReference></val>"#
        ))
        .unwrap();
        assert_eq!(v.morefs().len(), 2);
        let v = value(&format!(
            r#"<val {XSI} xsi:type="ArrayOfOptionValue"><OptionValue><key>disk.EnableUUID</key><value xsi:type="xsd:string">TRUE</value></OptionValue></val>"#
        ))
        .unwrap();
        let items = v.as_array().unwrap();
        let o = items[0].as_object().unwrap();
        assert_eq!(o.type_name, "OptionValue");
        assert_eq!(o.path, "val.OptionValue[0]");
        assert_eq!(o.node().string("key").unwrap(), "disk.EnableUUID");
        let err = value(&format!(
            r#"<val {XSI} xsi:type="ArrayOfInt"><int>1</int><int>x</int></val>"#
        ))
        .unwrap_err();
        assert!(err.to_string().contains("`val.int[1]`"), "{err}");
    }

    #[test]
    fn unknown_types_are_kept_with_their_children() {
        let v = value(&format!(
            r#"<val {XSI} xsi:type="VirtualFutureDeviceInfo2031"><key>9</key><nested><x>1</x></nested></val>"#
        ))
        .unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(v.type_name(), "VirtualFutureDeviceInfo2031");
        assert_eq!(o.node().i64("key").unwrap(), 9);
        assert_eq!(o.element.child("nested").unwrap().children().len(), 1);
        let v = value(&format!(
            r#"<val {XSI} xsi:type="VirtualMachinePowerState">poweredOn</val>"#
        ))
        .unwrap();
        assert_eq!(v.type_name(), "VirtualMachinePowerState");
        assert_eq!(v.as_str(), Some("poweredOn"));
        let v = value(&format!(r#"<val {XSI} xsi:type="GuestInfo"/>"#)).unwrap();
        assert_eq!(v.as_object().unwrap().type_name, "GuestInfo");
    }
}
