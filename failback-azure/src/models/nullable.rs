//! `null` read as the empty value.
//!
//! ARM services send `null` for absent lists and maps as readily as they omit them; the
//! models hold lists and maps as plain `Vec` / `BTreeMap` (empty when absent), so the
//! fields use `#[serde(default, deserialize_with = "…::null_as_default")]`.

use serde::{Deserialize, Deserializer};

/// Deserializes `null` as `T::default()`, anything else as `T`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}
