//! The `polymorphic!` macro: a Rust enum for a spec definition with a `discriminator`
//! (`instanceType`), keeping instance types it does not model as raw JSON.
//!
//! In the spec, a polymorphic base such as `ReverseReplicationProviderSpecificInput` has
//! `discriminator: instanceType`; each concrete definition (`InMageReprotectInput`, …) is
//! `allOf` the base plus its own properties and names its `x-ms-discriminator-value`. The
//! Rust enum has a variant per modelled concrete definition (its struct holds the own
//! properties, without `instanceType`) and `Other(Map)` for any other instance type: the
//! whole JSON object, `instanceType` included, so that it is sent back unchanged.
//!
//! On the wire the variant's struct is flattened next to `"instanceType": "<value>"`.
//! Serde's `#[serde(tag = "instanceType")]` would drop the unknown objects (its `other`
//! fallback is a unit variant), so the impls are written here once.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The JSON name of the discriminator of every polymorphic ASR definition.
pub(crate) const DISCRIMINATOR: &str = "instanceType";

/// The wire form of a modelled variant: the discriminator, then the variant's fields.
#[derive(Serialize)]
pub(crate) struct Tagged<'a, T> {
    #[serde(rename = "instanceType")]
    pub(crate) instance_type: &'a str,
    #[serde(flatten)]
    pub(crate) inner: &'a T,
}

/// Reads a JSON object and its `instanceType` (required, a string).
pub(crate) fn read_tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    definition: &'static str,
) -> Result<(String, Map<String, Value>), D::Error> {
    let raw = Map::<String, Value>::deserialize(deserializer)?;
    match raw.get(DISCRIMINATOR) {
        Some(Value::String(tag)) => Ok((tag.clone(), raw)),
        Some(other) => Err(D::Error::custom(format_args!(
            "{definition}: `{DISCRIMINATOR}` must be a string, found {other}"
        ))),
        None => Err(D::Error::custom(format_args!(
            "{definition}: missing field `{DISCRIMINATOR}`"
        ))),
    }
}

/// Deserializes the object of a modelled instance type into its struct; an error names the
/// definition and the instance type (the outer path is added by the caller's deserializer).
pub(crate) fn from_raw<T, E>(
    raw: Map<String, Value>,
    definition: &'static str,
    instance_type: &str,
    concrete: &'static str,
) -> Result<T, E>
where
    T: serde::de::DeserializeOwned,
    E: serde::de::Error,
{
    T::deserialize(Value::Object(raw)).map_err(|error| {
        E::custom(format_args!(
            "{definition} with instanceType {instance_type:?} ({concrete}): {error}"
        ))
    })
}

/// The `instanceType` of a raw object kept in an `Other` variant ("" if it has none).
pub(crate) fn raw_instance_type(raw: &Map<String, Value>) -> &str {
    raw.get(DISCRIMINATOR).and_then(Value::as_str).unwrap_or("")
}

/// Declares a polymorphic definition: a variant per modelled `instanceType` and `Other`.
///
/// ```text
/// polymorphic! {
///     /// Provider specific reverse replication input.
///     pub enum ReverseReplicationProviderSpecificInput {
///         /// `InMage`: reprotect from Azure to on-premises (classic).
///         InMage(InMageReprotectInput) = "InMage",
///     }
/// }
/// ```
///
/// generates the enum, `instance_type()`, `Serialize` and `Deserialize`, and a `From` per
/// variant struct.
macro_rules! polymorphic {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident($ty:ident) = $tag:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        // Data models: a provider's details are large (~100 fields) beside `Other`; boxing
        // them would burden every construction and match for no measurable gain.
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant($ty),
            )*
            /// An instance type this crate does not model: the whole JSON object, its
            /// `instanceType` included, kept so that it is sent back unchanged. (An object
            /// built here with a modelled `instanceType` is read back as that variant.)
            Other(::serde_json::Map<String, ::serde_json::Value>),
        }

        impl $name {
            /// The `instanceType` discriminator of this value.
            pub fn instance_type(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $tag,)*
                    Self::Other(raw) => $crate::models::polymorphic::raw_instance_type(raw),
                }
            }
        }

        $(
            impl ::std::convert::From<$ty> for $name {
                fn from(value: $ty) -> Self {
                    Self::$variant(value)
                }
            }
        )*

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(
                        Self::$variant(inner) => ::serde::Serialize::serialize(
                            &$crate::models::polymorphic::Tagged { instance_type: $tag, inner },
                            serializer,
                        ),
                    )*
                    Self::Other(raw) => ::serde::Serialize::serialize(raw, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            #[allow(clippy::match_single_binding)] // a definition may model no instance type
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let (tag, raw) =
                    $crate::models::polymorphic::read_tagged(deserializer, stringify!($name))?;
                match tag.as_str() {
                    $(
                        $tag => $crate::models::polymorphic::from_raw(
                            raw,
                            stringify!($name),
                            $tag,
                            stringify!($ty),
                        )
                        .map(Self::$variant),
                    )*
                    _ => Ok(Self::Other(raw)),
                }
            }
        }
    };
}
