//! Lenient serde of the spec's `date-time` strings as [`DateTime<Utc>`].
//!
//! The service sends RFC 3339 with up to 7 fraction digits (`2017-04-26T06:37:50.8082715Z`)
//! and .NET's minimum-like placeholders (`1753-01-01T01:01:01Z` for "no scenario"); some
//! ASR payloads also omit the offset. Reading accepts RFC 3339 with any offset, and the same
//! without an offset (taken as UTC, with `T` or a space between date and time); `null` and
//! `""` read as absent. Writing is RFC 3339 in UTC with `Z`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Parses a `date-time` leniently (see the module documentation).
pub(crate) fn parse(value: &str) -> Result<DateTime<Utc>, String> {
    let trimmed = value.trim();
    if let Ok(parsed) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(parsed.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(trimmed, format) {
            return Ok(naive.and_utc());
        }
    }
    Err(format!(
        "invalid date-time {value:?}: expected RFC 3339, e.g. 2017-04-26T06:37:50.8082715Z"
    ))
}

/// Formats as RFC 3339 in UTC (`Z`), with as many fraction digits as needed (0, 3, 6 or 9).
pub(crate) fn format(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `#[serde(with = "…::date_time::option")]` for `Option<DateTime<Utc>>`.
pub(crate) mod option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_str(&format(value)),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => parse(&text).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// `#[serde(with = "…::date_time::map")]` for a map of `date-time` values (`null` reads
/// as empty).
pub(crate) mod map {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &BTreeMap<String, DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(value.iter().map(|(key, value)| (key, format(value))))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, DateTime<Utc>>, D::Error> {
        let raw =
            Option::<BTreeMap<String, String>>::deserialize(deserializer)?.unwrap_or_default();
        raw.into_iter()
            .map(|(key, text)| {
                parse(&text)
                    .map(|value| (key.clone(), value))
                    .map_err(|error| serde::de::Error::custom(format_args!("{key}: {error}")))
            })
            .collect()
    }
}
