//! JSON Schemas of the documents, generated from the types. The checked-in copies under
//! `schema/` are tested to match.

use serde_json::Value;

fn of<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
}

/// The schema of the estate document (`failback-estate/1`).
pub fn estate() -> Value {
    of::<crate::estate::Estate>()
}

/// The schema of the request document (`failback-request/1`).
pub fn request() -> Value {
    of::<crate::request::Request>()
}

/// The schema of the plan document (`failback-plan/1`).
pub fn plan() -> Value {
    of::<crate::plan::Plan>()
}
