//! Numbers the spec sends as strings.
//!
//! Several classic (configuration server) properties are typed `string` in the spec though
//! they hold numbers: `DataStore.capacity` and `freeSpace` (GB), `ProcessServer.systemLoad`,
//! `machineCount`, the counts of `VMwareDetails`, `VCenterProperties.port`, … They are kept
//! as [`NumericString`], sent back as received, and read through accessors on their structs
//! (e.g. [`DataStore::capacity_gb`](super::DataStore::capacity_gb)) that parse them and name
//! the field and the value when they are not numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number the spec types as a string, kept verbatim.
///
/// Deserializing also accepts a JSON number (kept as its decimal text), so a service that
/// starts sending real numbers is still read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NumericString(String);

impl NumericString {
    /// Wraps a string as sent on the wire.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The string as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the value (surrounding white space ignored); `field` names the property in
    /// the error, e.g. `"DataStore.capacity"`.
    pub fn parse<T: FromStr>(&self, field: &'static str) -> Result<T, NumberFieldError> {
        self.0.trim().parse().map_err(|_| NumberFieldError {
            field,
            value: self.0.clone(),
            expected: std::any::type_name::<T>(),
        })
    }

    /// Parses an optional value: `Ok(None)` when the property is absent.
    pub fn parse_opt<T: FromStr>(
        value: Option<&Self>,
        field: &'static str,
    ) -> Result<Option<T>, NumberFieldError> {
        value.map(|value| value.parse(field)).transpose()
    }
}

impl From<String> for NumericString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for NumericString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl AsRef<str> for NumericString {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NumericString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for NumericString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NumericString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = NumericString;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string holding a number")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(NumericString(value.to_owned()))
            }

            fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(NumericString(value))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
                Ok(NumericString(value.to_string()))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Self::Value, E> {
                Ok(NumericString(value.to_string()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
                Ok(NumericString(value.to_string()))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

/// A number-as-string property that does not hold a number of the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` is {value:?}, which is not a valid {expected}")]
pub struct NumberFieldError {
    field: &'static str,
    value: String,
    expected: &'static str,
}

impl NumberFieldError {
    /// The property, as `Definition.jsonName` (e.g. `DataStore.capacity`).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The value received.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The Rust type it was parsed as (e.g. `f64`, `u64`).
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}
