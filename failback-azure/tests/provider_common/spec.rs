//! The spec excerpt's definitions as JSON Schema, to validate the request bodies the
//! provider sends: the same construction as `tests/models.rs` (the ARM common types
//! stood in for, swagger polymorphism dispatched on `instanceType`, undeclared properties
//! rejected).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

fn spec_dir() -> PathBuf {
    // From the workspace root, so the simulator's tests read the same excerpt.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../failback-azure/tests/spec/2026-05-01")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

const EXTERNAL_PROXY_RESOURCE: &str =
    "../../../../../../common-types/resource-management/v5/types.json#/definitions/ProxyResource";

/// The definitions of the excerpt, turned into JSON Schema 2020-12 definitions:
///
/// - the ARM common-types `ProxyResource` (external) is replaced by a local stand-in
///   (`ArmProxyResource`: `id`, `name`, `type`, `systemData`);
/// - swagger polymorphism: each base `B` with a `discriminator` is kept as `B__base`, the
///   concrete definitions (`allOf: [B]`) refer to `B__base` and pin `instanceType` to their
///   `x-ms-discriminator-value`, and `B` becomes a dispatcher: `B__base` and, per concrete
///   definition, `if instanceType == value then the concrete definition`. An unknown
///   instance type is checked against the base only, as the spec's polymorphism allows;
/// - strictness: every object definition but the parts of an `allOf` (the bases, the
///   stand-in) gets `unevaluatedProperties: false`, so a property the spec does not declare
///   (a misspelt name) is rejected.
///
/// Enumerations keep their `enum` lists, so a value outside the spec's list is rejected
/// (they are `modelAsString`, but what the client builds must use the listed values).
fn spec_definitions() -> Map<String, Value> {
    let spec = read_json(&spec_dir().join("service.excerpt.json"));
    let mut definitions = spec["definitions"].as_object().unwrap().clone();

    // External references: only ProxyResource is referenced from definitions.
    let mut text = serde_json::to_string(&definitions).unwrap();
    text = text.replace(EXTERNAL_PROXY_RESOURCE, "#/definitions/ArmProxyResource");
    assert!(
        !text.contains("common-types"),
        "an external reference is left in the excerpt's definitions"
    );
    definitions = serde_json::from_str(&text).unwrap();
    definitions.insert(
        "ArmProxyResource".into(),
        json!({
            "type": "object",
            "description": "Stand-in for ARM common-types v5 ProxyResource/Resource.",
            "properties": {
                "id": {"type": "string", "readOnly": true},
                "name": {"type": "string", "readOnly": true},
                "type": {"type": "string", "readOnly": true},
                "systemData": {
                    "type": "object",
                    "readOnly": true,
                    "properties": {
                        "createdBy": {"type": "string"},
                        "createdByType": {"type": "string"},
                        "createdAt": {"type": "string", "format": "date-time"},
                        "lastModifiedBy": {"type": "string"},
                        "lastModifiedByType": {"type": "string"},
                        "lastModifiedAt": {"type": "string", "format": "date-time"}
                    },
                    "unevaluatedProperties": false
                }
            }
        }),
    );

    let bases: Vec<String> = definitions
        .iter()
        .filter(|(_, schema)| schema.get("discriminator").is_some())
        .map(|(name, _)| name.clone())
        .collect();
    let base_ref = |name: &str| format!("#/definitions/{name}");

    // Concrete definitions of each base, with their discriminator values.
    let mut concretes: Vec<(String, String, String)> = Vec::new(); // (base, concrete, value)
    for (name, schema) in &definitions {
        for part in schema["allOf"].as_array().into_iter().flatten() {
            let Some(target) = part["$ref"].as_str() else {
                continue;
            };
            for base in &bases {
                if target == base_ref(base) {
                    let value = schema["x-ms-discriminator-value"]
                        .as_str()
                        .unwrap_or(name)
                        .to_owned();
                    concretes.push((base.clone(), name.clone(), value));
                }
            }
        }
    }

    for (base, concrete, value) in &concretes {
        let schema = definitions.get_mut(concrete).unwrap();
        for part in schema["allOf"].as_array_mut().unwrap() {
            if part["$ref"].as_str() == Some(base_ref(base).as_str()) {
                part["$ref"] = Value::String(base_ref(&format!("{base}__base")));
            }
        }
        schema["properties"]
            .as_object_mut()
            .unwrap()
            .insert("instanceType".into(), json!({"const": value}));
    }
    for base in &bases {
        let original = definitions.remove(base).unwrap();
        definitions.insert(format!("{base}__base"), original);
        let mut all_of = vec![json!({"$ref": base_ref(&format!("{base}__base"))})];
        for (_, concrete, value) in concretes.iter().filter(|(b, _, _)| b == base) {
            all_of.push(json!({
                "if": {"properties": {"instanceType": {"const": value}}, "required": ["instanceType"]},
                "then": {"$ref": base_ref(concrete)}
            }));
        }
        definitions.insert(base.clone(), json!({ "allOf": all_of }));
    }

    for (name, schema) in definitions.iter_mut() {
        // Parts of an `allOf` stay open: the definition that includes them is the strict one.
        let is_part = name.ends_with("__base") || name == "ArmProxyResource";
        let is_base = is_part || bases.contains(name);
        if !is_base && schema.get("properties").is_some() {
            schema["unevaluatedProperties"] = Value::Bool(false);
        }
    }
    definitions
}

/// Validators for definitions of the excerpt, built once per test.
pub struct SpecSchema {
    definitions: Map<String, Value>,
}

impl SpecSchema {
    pub fn load() -> Self {
        Self {
            definitions: spec_definitions(),
        }
    }

    fn validator(&self, definition: &str) -> jsonschema::Validator {
        assert!(
            self.definitions.contains_key(definition),
            "no definition {definition} in the excerpt"
        );
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#/definitions/{definition}"),
            "definitions": self.definitions,
        });
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|error| panic!("the schema of {definition} does not build: {error}"))
    }

    /// The errors of `instance` against `definition`, as `path: message` lines.
    pub fn errors(&self, definition: &str, instance: &Value) -> Vec<String> {
        let validator = self.validator(definition);
        validator
            .iter_errors(instance)
            .map(|error| format!("`{}`: {}", error.instance_path(), error))
            .collect()
    }

    pub fn assert_valid(&self, what: &str, definition: &str, instance: &Value) {
        let errors = self.errors(definition, instance);
        assert!(
            errors.is_empty(),
            "{what} does not validate against {definition}:\n{}\n{}",
            errors.join("\n"),
            serde_json::to_string_pretty(instance).unwrap()
        );
    }
}
