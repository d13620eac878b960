//! The `string_enum!` macro: a Rust enum for a string enumeration of the spec that keeps
//! values it does not list.
//!
//! Every enumeration of the ASR spec is `modelAsString: true` (the service may send values
//! newer than the spec), and several free-string properties list their values only in
//! their description. The macro generates, for the listed values, unit variants plus an
//! `Other(String)` variant holding any other value verbatim, so that deserializing then
//! serializing gives back the same string.

/// Declares a string enumeration with an `Other(String)` fallback.
///
/// ```text
/// string_enum! {
///     /// The health.
///     pub enum ProtectionHealth {
///         /// Health not computed.
///         None = "None",
///         /// Healthy.
///         Normal = "Normal",
///     }
/// }
/// ```
///
/// generates the enum with the listed variants and `Other(String)`, `as_str`, `is_known`,
/// `KNOWN`, `From<&str>`, `From<String>`, `FromStr` (never fails), `Display`, `AsRef<str>`,
/// `Serialize` and `Deserialize` (both as a plain JSON string). Matching is exact (case
/// sensitive), as the service sends the spec's spelling.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $value:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )*
            /// A value the spec does not list, kept verbatim so that it is sent back
            /// unchanged. `From<&str>` never builds this variant for a listed value.
            Other(String),
        }

        impl $name {
            /// The values the spec lists, in its order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The string sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Other(value) => value.as_str(),
                }
            }

            /// Whether this is one of the values the spec lists (not `Other`).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($value => Self::$variant,)*
                    _ => Self::Other(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}
