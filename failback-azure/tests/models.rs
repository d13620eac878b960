//! The serde models of `failback_azure::models` against the ASR spec (api-version
//! 2026-05-01): every example payload of the spec reads into its model; models round-trip;
//! unknown enum values and instance types survive; the request bodies the client builds
//! validate against the spec excerpt's JSON schemas; numbers sent as strings and dates are
//! read as documented.
//!
//! The spec files are copies kept in `tests/spec/2026-05-01/` (see the README there).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use failback_azure::models::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------
// Spec files
// ---------------------------------------------------------------------------------------

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spec/2026-05-01")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Deserializes `value` as `T`, panicking with the file, what was read and the serde path of
/// the failing field.
fn read_as<T: DeserializeOwned>(file: &str, what: &str, value: &Value) -> T {
    let text = serde_json::to_string_pretty(value).unwrap();
    let deserializer = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(deserializer).unwrap_or_else(|error| {
        panic!(
            "{file}: {what} does not deserialize as {}: at `{}`: {}",
            std::any::type_name::<T>(),
            error.path(),
            error.inner()
        )
    })
}

/// Serializes a model, reads it back and checks it is equal; returns the JSON.
fn round_trip<T>(what: &str, model: &T) -> Value
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(model).unwrap();
    let back: T = read_as(what, "the serialized model", &json);
    assert_eq!(&back, model, "{what}: the model read back differs");
    json
}

// ---------------------------------------------------------------------------------------
// The spec excerpt as a JSON Schema document
// ---------------------------------------------------------------------------------------

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
struct SpecSchema {
    definitions: Map<String, Value>,
}

impl SpecSchema {
    fn load() -> Self {
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
    fn errors(&self, definition: &str, instance: &Value) -> Vec<String> {
        let validator = self.validator(definition);
        validator
            .iter_errors(instance)
            .map(|error| format!("`{}`: {}", error.instance_path(), error))
            .collect()
    }

    fn assert_valid(&self, what: &str, definition: &str, instance: &Value) {
        let errors = self.errors(definition, instance);
        assert!(
            errors.is_empty(),
            "{what} does not validate against {definition}:\n{}\n{}",
            errors.join("\n"),
            serde_json::to_string_pretty(instance).unwrap()
        );
    }

    fn assert_invalid(&self, what: &str, definition: &str, instance: &Value, expect: &str) {
        let errors = self.errors(definition, instance);
        assert!(
            errors.iter().any(|error| error.contains(expect)),
            "{what} should be rejected by {definition} with an error mentioning {expect:?}; errors: {errors:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Every example of the spec deserializes into its model
// ---------------------------------------------------------------------------------------

/// One example file: reads its request bodies and 200 body into the operation's models,
/// validates them as given against the spec (a check of the schema built above),
/// round-trips the models, and validates what the models serialize.
struct ExampleCheck<'a> {
    file: String,
    example: Value,
    schema: &'a SpecSchema,
}

impl ExampleCheck<'_> {
    fn response<T>(&self, definition: &str)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let body = &self.example["responses"]["200"]["body"];
        assert!(body.is_object(), "{}: no responses.200.body", self.file);
        let model: T = read_as(&self.file, "responses.200.body", body);
        self.schema.assert_valid(
            &format!("{}: responses.200.body as in the example", self.file),
            definition,
            body,
        );
        let json = round_trip(&self.file, &model);
        self.schema.assert_valid(
            &format!(
                "{}: responses.200.body as serialized by the model",
                self.file
            ),
            definition,
            &json,
        );
    }

    fn request<T>(&self, parameter: &str, definition: &str)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let body = &self.example["parameters"][parameter];
        assert!(
            body.is_object(),
            "{}: no request body parameters.{parameter}",
            self.file
        );
        let model: T = read_as(&self.file, &format!("parameters.{parameter}"), body);
        self.schema.assert_valid(
            &format!("{}: parameters.{parameter} as in the example", self.file),
            definition,
            body,
        );
        let json = round_trip(&self.file, &model);
        self.schema.assert_valid(
            &format!(
                "{}: parameters.{parameter} as serialized by the model",
                self.file
            ),
            definition,
            &json,
        );
    }
}

#[test]
fn every_example_of_the_spec_deserializes_into_its_model() {
    let schema = SpecSchema::load();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(spec_dir().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 21, "the 21 example files of the excerpt");

    let mut operations = BTreeSet::new();
    for path in &paths {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let example = read_json(path);
        let operation = example["operationId"].as_str().unwrap().to_owned();
        let check = ExampleCheck {
            file: file.clone(),
            example,
            schema: &schema,
        };
        match operation.as_str() {
            "ReplicationFabrics_List" => check.response::<FabricCollection>("FabricCollection"),
            "ReplicationFabrics_Get" => check.response::<Fabric>("Fabric"),
            "ReplicationProtectionContainers_List" => {
                check.response::<ProtectionContainerCollection>("ProtectionContainerCollection")
            }
            "ReplicationvCenters_List" => check.response::<VCenterCollection>("VCenterCollection"),
            "ReplicationPolicies_List" => check.response::<PolicyCollection>("PolicyCollection"),
            "ReplicationPolicies_Get" => check.response::<Policy>("Policy"),
            "ReplicationPolicies_Create" => {
                check.request::<CreatePolicyInput>("input", "CreatePolicyInput");
                check.response::<Policy>("Policy");
            }
            "ReplicationProtectedItems_List" => check
                .response::<ReplicationProtectedItemCollection>(
                    "ReplicationProtectedItemCollection",
                ),
            "ReplicationProtectedItems_Get" | "ReplicationProtectedItems_FailoverCommit" => {
                check.response::<ReplicationProtectedItem>("ReplicationProtectedItem")
            }
            "ReplicationProtectedItems_Reprotect" => {
                check.request::<ReverseReplicationInput>(
                    "reprotectInput",
                    "ReverseReplicationInput",
                );
                check.response::<ReplicationProtectedItem>("ReplicationProtectedItem");
            }
            "ReplicationProtectedItems_UnplannedFailover" => {
                check.request::<UnplannedFailoverInput>("failoverInput", "UnplannedFailoverInput");
                check.response::<ReplicationProtectedItem>("ReplicationProtectedItem");
            }
            "ReplicationProtectedItems_PlannedFailover" => {
                check.request::<PlannedFailoverInput>("failoverInput", "PlannedFailoverInput");
                check.response::<ReplicationProtectedItem>("ReplicationProtectedItem");
            }
            "RecoveryPoints_ListByReplicationProtectedItems" => {
                check.response::<RecoveryPointCollection>("RecoveryPointCollection")
            }
            "RecoveryPoints_Get" => check.response::<RecoveryPoint>("RecoveryPoint"),
            "ReplicationRecoveryPlans_Get"
            | "ReplicationRecoveryPlans_FailoverCommit"
            | "ReplicationRecoveryPlans_Reprotect" => {
                check.response::<RecoveryPlan>("RecoveryPlan")
            }
            "ReplicationRecoveryPlans_UnplannedFailover" => {
                check.request::<RecoveryPlanUnplannedFailoverInput>(
                    "input",
                    "RecoveryPlanUnplannedFailoverInput",
                );
                check.response::<RecoveryPlan>("RecoveryPlan");
            }
            "ReplicationJobs_List" => check.response::<JobCollection>("JobCollection"),
            "ReplicationJobs_Get" => check.response::<Job>("Job"),
            other => panic!("{file}: operation {other} has no model in this test: add it"),
        }
        operations.insert(operation);
    }
    assert_eq!(operations.len(), paths.len(), "one example per operation");
}

#[test]
fn examples_read_into_the_expected_values() {
    let dir = spec_dir().join("examples");
    let file = "ReplicationProtectedItems_UnplannedFailover.json";
    let example = read_json(&dir.join(file));
    let item: ReplicationProtectedItem = read_as(
        file,
        "responses.200.body",
        &example["responses"]["200"]["body"],
    );
    let properties = &item.properties;
    assert_eq!(item.name, "f8491e4f-817a-40dd-a90c-af773978c75b");
    assert_eq!(
        properties.protection_state.as_deref(),
        Some("UnplannedFailoverCommitPendingStatesBegin")
    );
    assert_eq!(properties.active_location.as_deref(), Some("Recovery"));
    assert_eq!(
        properties.replication_health,
        Some(ProtectionHealth::Normal)
    );
    assert!(properties
        .allowed_operations
        .contains(&ReplicationProtectedItemOperation::Commit));
    assert!(properties
        .failover_recovery_point_id
        .as_deref()
        .unwrap()
        .ends_with("/recoveryPoints/b2c7b208-0999-40a4-804f-8ee1019c8f76"));
    let scenario = properties.current_scenario.as_ref().unwrap();
    assert_eq!(scenario.scenario_name.as_deref(), Some("None"));
    assert_eq!(
        scenario.start_time,
        Some(Utc.with_ymd_and_hms(1753, 1, 1, 1, 1, 1).unwrap())
    );
    let provider = properties.provider_specific_details.as_ref().unwrap();
    assert_eq!(provider.instance_type(), "HyperVReplicaAzure");
    assert!(matches!(
        provider,
        ReplicationProviderSpecificSettings::Other(_)
    ));
    let request: UnplannedFailoverInput = read_as(
        file,
        "parameters.failoverInput",
        &example["parameters"]["failoverInput"],
    );
    assert_eq!(
        request.properties.failover_direction,
        Some(FailoverDirection::PrimaryToRecovery)
    );
    assert_eq!(
        request.properties.source_site_operations,
        Some(SourceSiteOperations::NotRequired)
    );

    let file = "ReplicationJobs_Get.json";
    let example = read_json(&dir.join(file));
    let job: Job = read_as(
        file,
        "responses.200.body",
        &example["responses"]["200"]["body"],
    );
    assert_eq!(job.resource_type, None, "the job examples carry no `type`");
    assert_eq!(job.properties.state, Some(JobState::Succeeded));
    assert!(job.properties.state.as_ref().unwrap().is_terminal());
    assert_eq!(
        job.properties.state_description,
        Some(JobStateDescription::Completed)
    );
    let task = &job.properties.tasks[0];
    assert_eq!(
        task.custom_details,
        Some(TaskTypeDetails::ManualActionTaskDetails(
            ManualActionTaskDetails::default()
        ))
    );
    let Some(JobDetails::AsrJobDetails(details)) = &job.properties.custom_details else {
        panic!("customDetails should be AsrJobDetails");
    };
    assert_eq!(details.affected_object_details["PrimaryVmmName"], "cloud1");
    assert_eq!(
        job.properties.start_time.unwrap().to_rfc3339(),
        "2017-04-27T11:25:56.800358+00:00"
    );

    let file = "RecoveryPoints_Get.json";
    let example = read_json(&dir.join(file));
    let point: RecoveryPoint = read_as(
        file,
        "responses.200.body",
        &example["responses"]["200"]["body"],
    );
    assert_eq!(
        point.properties.recovery_point_type,
        Some(RecoveryPointKind::CrashConsistent)
    );
    assert_eq!(
        point
            .properties
            .recovery_point_time
            .unwrap()
            .timestamp_nanos_opt(),
        Some(
            Utc.with_ymd_and_hms(2017, 4, 26, 6, 37, 50)
                .unwrap()
                .timestamp_nanos_opt()
                .unwrap()
                + 808_271_500
        )
    );

    let file = "ReplicationRecoveryPlans_Get.json";
    let example = read_json(&dir.join(file));
    let plan: RecoveryPlan = read_as(
        file,
        "responses.200.body",
        &example["responses"]["200"]["body"],
    );
    let groups: Vec<_> = plan
        .properties
        .groups
        .iter()
        .map(|group| group.group_type.clone())
        .collect();
    assert_eq!(
        groups,
        [
            RecoveryPlanGroupType::Shutdown,
            RecoveryPlanGroupType::Failover,
            RecoveryPlanGroupType::Boot,
            RecoveryPlanGroupType::Boot
        ]
    );
    assert_eq!(
        plan.properties.failover_deployment_model,
        Some(FailoverDeploymentModel::ResourceManager)
    );
}

// ---------------------------------------------------------------------------------------
// Request bodies the client builds validate against the spec
// ---------------------------------------------------------------------------------------

const VAULT: &str = "/Subscriptions/c183865e-6077-46f2-a3b1-deb0f4f4650a/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/vault1";

fn reprotect(
    direction: FailoverDirection,
    provider: impl Into<ReverseReplicationProviderSpecificInput>,
) -> ReverseReplicationInput {
    ReverseReplicationInput {
        properties: ReverseReplicationInputProperties {
            failover_direction: Some(direction),
            provider_specific_details: Some(provider.into()),
        },
    }
}

fn inmage_reprotect() -> InMageReprotectInput {
    InMageReprotectInput {
        master_target_id: "9C9FDD2D-3CD5-4D4F-A8B5-C4B8C4B2B4B1".into(),
        process_server_id: "9C9FDD2D-3CD5-4D4F-A8B5-C4B8C4B2B4B1".into(),
        retention_drive: "R:".into(),
        run_as_account_id: Some("2".into()),
        datastore_name: Some("datastore-1".into()),
        disk_exclusion_input: Some(InMageDiskExclusionInput {
            volume_options: vec![InMageVolumeExclusionOptions {
                volume_label: Some("Temporary Storage".into()),
                only_exclude_if_single_volume: Some("Yes".into()),
            }],
            disk_signature_options: vec![],
        }),
        profile_id: format!("{VAULT}/replicationPolicies/failback-policy"),
        disks_to_include: Some(vec!["disk-0".into(), "disk-1".into()]),
    }
}

/// Each body, with the definition of the whole body, the concrete definition of its
/// provider-specific part, and where that part is in the body.
fn client_request_bodies() -> Vec<(&'static str, Value, &'static str, &'static str, Value)> {
    let mut bodies = Vec::new();
    let mut push =
        |what: &'static str, body: Value, envelope: &'static str, concrete: &'static str| {
            let part = match &body["properties"]["providerSpecificDetails"] {
                Value::Array(parts) => parts[0].clone(),
                part => part.clone(),
            };
            bodies.push((what, body, envelope, concrete, part));
        };

    let body = reprotect(FailoverDirection::RecoveryToPrimary, inmage_reprotect());
    push(
        "InMage reprotect",
        round_trip("InMage reprotect", &body),
        "ReverseReplicationInput",
        "InMageReprotectInput",
    );

    let body = reprotect(
        FailoverDirection::RecoveryToPrimary,
        InMageAzureV2ReprotectInput {
            master_target_id: Some("ps-1".into()),
            process_server_id: Some("ps-1".into()),
            storage_account_id: Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/cache".into()),
            run_as_account_id: Some("2".into()),
            policy_id: Some(format!("{VAULT}/replicationPolicies/forward-policy")),
            log_storage_account_id: Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/log".into()),
            disks_to_include: None,
        },
    );
    push(
        "InMageAzureV2 reprotect",
        round_trip("InMageAzureV2 reprotect", &body),
        "ReverseReplicationInput",
        "InMageAzureV2ReprotectInput",
    );

    let body = reprotect(
        FailoverDirection::RecoveryToPrimary,
        InMageRcmReprotectInput {
            reprotect_agent_id: "reprotect-agent-1".into(),
            datastore_name: "datastore-1".into(),
            log_storage_account_id:
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/log"
                    .into(),
            policy_id: Some(format!("{VAULT}/replicationPolicies/failback-policy")),
        },
    );
    push(
        "InMageRcm reprotect",
        round_trip("InMageRcm reprotect", &body),
        "ReverseReplicationInput",
        "InMageRcmReprotectInput",
    );

    let body = reprotect(
        FailoverDirection::PrimaryToRecovery,
        InMageRcmFailbackReprotectInput {
            process_server_id: "process-server-1".into(),
            run_as_account_id: None,
            policy_id: format!("{VAULT}/replicationPolicies/forward-policy"),
        },
    );
    push(
        "InMageRcmFailback reprotect",
        round_trip("InMageRcmFailback reprotect", &body),
        "ReverseReplicationInput",
        "InMageRcmFailbackReprotectInput",
    );

    for (what, recovery_point_type, recovery_point_id) in [
        ("InMage unplanned failover, latest time", RecoveryPointType::LatestTime, None),
        ("InMage unplanned failover, latest tag", RecoveryPointType::LatestTag, None),
        (
            "InMage unplanned failover, custom point",
            RecoveryPointType::Custom,
            Some(format!("{VAULT}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/i/recoveryPoints/p")),
        ),
    ] {
        let body = UnplannedFailoverInput {
            properties: UnplannedFailoverInputProperties {
                failover_direction: Some(FailoverDirection::PrimaryToRecovery),
                source_site_operations: Some(SourceSiteOperations::NotRequired),
                provider_specific_details: Some(
                    InMageUnplannedFailoverInput {
                        recovery_point_type: Some(recovery_point_type),
                        recovery_point_id,
                    }
                    .into(),
                ),
            },
        };
        push(what, round_trip(what, &body), "UnplannedFailoverInput", "InMageUnplannedFailoverInput");
    }

    let body = UnplannedFailoverInput {
        properties: UnplannedFailoverInputProperties {
            failover_direction: Some(FailoverDirection::PrimaryToRecovery),
            source_site_operations: Some(SourceSiteOperations::Required),
            provider_specific_details: Some(
                InMageAzureV2UnplannedFailoverInput {
                    recovery_point_id: None,
                    os_upgrade_version: None,
                }
                .into(),
            ),
        },
    };
    push(
        "InMageAzureV2 unplanned failover",
        round_trip("InMageAzureV2 unplanned failover", &body),
        "UnplannedFailoverInput",
        "InMageAzureV2UnplannedFailoverInput",
    );

    let body = UnplannedFailoverInput {
        properties: UnplannedFailoverInputProperties {
            failover_direction: Some(FailoverDirection::PrimaryToRecovery),
            source_site_operations: Some(SourceSiteOperations::Required),
            provider_specific_details: Some(
                InMageRcmUnplannedFailoverInput {
                    perform_shutdown: "true".into(),
                    recovery_point_id: None,
                    os_upgrade_version: None,
                    target_capacity_reservation_group_id: None,
                }
                .into(),
            ),
        },
    };
    push(
        "InMageRcm unplanned failover",
        round_trip("InMageRcm unplanned failover", &body),
        "UnplannedFailoverInput",
        "InMageRcmUnplannedFailoverInput",
    );

    for (what, recovery_point_type) in [
        (
            "InMageRcmFailback planned failover, application consistent",
            InMageRcmFailbackRecoveryPointType::ApplicationConsistent,
        ),
        (
            "InMageRcmFailback planned failover, crash consistent",
            InMageRcmFailbackRecoveryPointType::CrashConsistent,
        ),
    ] {
        let body = PlannedFailoverInput {
            properties: PlannedFailoverInputProperties {
                failover_direction: None,
                provider_specific_details: Some(
                    InMageRcmFailbackPlannedFailoverProviderInput {
                        recovery_point_type,
                    }
                    .into(),
                ),
            },
        };
        push(
            what,
            round_trip(what, &body),
            "PlannedFailoverInput",
            "InMageRcmFailbackPlannedFailoverProviderInput",
        );
    }

    for (what, recovery_point_type) in [
        (
            "recovery plan InMage unplanned failover, latest time",
            RpInMageRecoveryPointType::LatestTime,
        ),
        (
            "recovery plan InMage unplanned failover, latest tag",
            RpInMageRecoveryPointType::LatestTag,
        ),
    ] {
        let body = RecoveryPlanUnplannedFailoverInput {
            properties: RecoveryPlanUnplannedFailoverInputProperties {
                failover_direction: PossibleOperationsDirections::RecoveryToPrimary,
                source_site_operations: SourceSiteOperations::Required,
                provider_specific_details: vec![RecoveryPlanInMageFailoverInput {
                    recovery_point_type,
                }
                .into()],
            },
        };
        push(
            what,
            round_trip(what, &body),
            "RecoveryPlanUnplannedFailoverInput",
            "RecoveryPlanInMageFailoverInput",
        );
    }

    let body = RecoveryPlanPlannedFailoverInput {
        properties: RecoveryPlanPlannedFailoverInputProperties {
            failover_direction: PossibleOperationsDirections::RecoveryToPrimary,
            provider_specific_details: vec![RecoveryPlanInMageRcmFailbackFailoverInput {
                recovery_point_type: InMageRcmFailbackRecoveryPointType::CrashConsistent,
                use_multi_vm_sync_point: Some(MultiVmSyncPointOption::UseMultiVmSyncRecoveryPoint),
            }
            .into()],
        },
    };
    push(
        "recovery plan InMageRcmFailback planned failover",
        round_trip("recovery plan InMageRcmFailback planned failover", &body),
        "RecoveryPlanPlannedFailoverInput",
        "RecoveryPlanInMageRcmFailbackFailoverInput",
    );

    bodies
}

#[test]
fn request_bodies_the_client_builds_validate_against_the_spec() {
    let schema = SpecSchema::load();
    let bodies = client_request_bodies();
    assert_eq!(bodies.len(), 14);
    for (what, body, envelope, concrete, part) in &bodies {
        schema.assert_valid(what, envelope, body);
        schema.assert_valid(&format!("{what}: providerSpecificDetails"), concrete, part);
    }
}

#[test]
fn request_bodies_carry_the_spec_instance_types() {
    let instance_types: Vec<(String, String)> = client_request_bodies()
        .into_iter()
        .map(|(what, _, _, _, part)| {
            (
                what.to_owned(),
                part["instanceType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (what, instance_type) in &instance_types {
        let expected = if what.contains("InMageRcmFailback") {
            "InMageRcmFailback"
        } else if what.contains("InMageRcm") {
            "InMageRcm"
        } else if what.contains("InMageAzureV2") {
            "InMageAzureV2"
        } else {
            "InMage"
        };
        assert_eq!(instance_type, expected, "{what}");
    }
    let body = serde_json::to_value(reprotect(
        FailoverDirection::RecoveryToPrimary,
        inmage_reprotect(),
    ))
    .unwrap();
    assert_eq!(
        body,
        json!({"properties": {
            "failoverDirection": "RecoveryToPrimary",
            "providerSpecificDetails": {
                "instanceType": "InMage",
                "masterTargetId": "9C9FDD2D-3CD5-4D4F-A8B5-C4B8C4B2B4B1",
                "processServerId": "9C9FDD2D-3CD5-4D4F-A8B5-C4B8C4B2B4B1",
                "retentionDrive": "R:",
                "runAsAccountId": "2",
                "datastoreName": "datastore-1",
                "diskExclusionInput": {"volumeOptions": [{"volumeLabel": "Temporary Storage", "onlyExcludeIfSingleVolume": "Yes"}]},
                "profileId": format!("{VAULT}/replicationPolicies/failback-policy"),
                "disksToInclude": ["disk-0", "disk-1"]
            }
        }}),
        "None fields are omitted, instanceType is set"
    );
}

#[test]
fn the_spec_schema_rejects_a_body_missing_a_required_field() {
    let schema = SpecSchema::load();
    let mut body = serde_json::to_value(reprotect(
        FailoverDirection::RecoveryToPrimary,
        inmage_reprotect(),
    ))
    .unwrap();
    schema.assert_valid("InMage reprotect", "ReverseReplicationInput", &body);

    let part = body["properties"]["providerSpecificDetails"]
        .as_object_mut()
        .unwrap();
    part.remove("masterTargetId");
    let part = Value::Object(part.clone());
    schema.assert_invalid(
        "InMageReprotectInput without masterTargetId",
        "InMageReprotectInput",
        &part,
        "masterTargetId",
    );
    schema.assert_invalid(
        "reprotect body without masterTargetId",
        "ReverseReplicationInput",
        &body,
        "masterTargetId",
    );

    let body = json!({"properties": {"providerSpecificDetails": {"instanceType": "InMageRcm", "reprotectAgentId": "a", "datastoreName": "d"}}});
    schema.assert_invalid(
        "InMageRcm reprotect without logStorageAccountId",
        "ReverseReplicationInput",
        &body,
        "logStorageAccountId",
    );

    let body = json!({"properties": {"failoverDirection": "RecoveryToPrimary", "providerSpecificDetails": []}});
    schema.assert_invalid(
        "recovery plan unplanned failover without sourceSiteOperations",
        "RecoveryPlanUnplannedFailoverInput",
        &body,
        "sourceSiteOperations",
    );
}

#[test]
fn the_spec_schema_rejects_undeclared_properties_values_and_instance_types() {
    let schema = SpecSchema::load();
    let mut part = serde_json::to_value(inmage_reprotect()).unwrap();
    part["instanceType"] = json!("InMage");
    schema.assert_valid("InMageReprotectInput", "InMageReprotectInput", &part);

    let mut misspelt = part.clone();
    misspelt["masterTargetID"] = json!("x");
    schema.assert_invalid(
        "a misspelt property",
        "InMageReprotectInput",
        &misspelt,
        "masterTargetID",
    );

    let mut wrong_tag = part.clone();
    wrong_tag["instanceType"] = json!("InMageAzureV2");
    schema.assert_invalid(
        "a wrong instanceType",
        "InMageReprotectInput",
        &wrong_tag,
        "InMage",
    );

    let body = json!({"properties": {"providerSpecificDetails": {
        "instanceType": "InMageRcm", "reprotectAgentId": "a", "datastoreName": "d", "logStorageAccountId": "l", "policyID": "p"
    }}});
    schema.assert_invalid(
        "a misspelt property inside a body",
        "ReverseReplicationInput",
        &body,
        "policyID",
    );

    schema.assert_invalid(
        "a date that is not a date-time",
        "CurrentScenarioDetails",
        &json!({"startTime": "yesterday"}),
        "date-time",
    );

    let body = json!({"properties": {"providerSpecificDetails": {"instanceType": "InMage", "recoveryPointType": "Latest"}}});
    schema.assert_invalid(
        "a recovery point type outside the spec's list",
        "UnplannedFailoverInput",
        &body,
        "Latest",
    );

    // An instance type the spec does not know is checked against the base only.
    let body = json!({"properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": {"instanceType": "HyperVReplicaAzure"}}});
    schema.assert_valid("an unknown instance type", "ReverseReplicationInput", &body);
}

// ---------------------------------------------------------------------------------------
// Round trips: unknown enum values and instance types survive
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_enum_values_survive_a_round_trip() {
    assert_eq!(JobState::from("Paused"), JobState::Other("Paused".into()));
    assert_eq!(JobState::from("InProgress"), JobState::InProgress);
    assert_eq!(JobState::from("Other"), JobState::Other("Other".into()));
    assert!(!JobState::from("Paused").is_known());
    assert!(!JobState::Suspended.is_terminal());

    let job: Job = read_as(
        "literal",
        "job",
        &json!({
            "id": format!("{VAULT}/replicationJobs/j1"),
            "name": "j1",
            "properties": {"state": "Paused", "stateDescription": "WaitingForSomething", "scenarioName": "Failback"}
        }),
    );
    assert_eq!(job.properties.state, Some(JobState::Other("Paused".into())));
    let json = round_trip("job with unknown state", &job);
    assert_eq!(json["properties"]["state"], "Paused");
    assert_eq!(
        json["properties"]["stateDescription"],
        "WaitingForSomething"
    );

    for value in ProtectionHealth::KNOWN {
        let json = serde_json::to_value(value).unwrap();
        assert_eq!(json, Value::String(value.as_str().to_owned()));
        assert_eq!(
            &serde_json::from_value::<ProtectionHealth>(json).unwrap(),
            value
        );
    }
    let operations: Vec<ReplicationProtectedItemOperation> =
        serde_json::from_value(json!(["Commit", "SomethingNew"])).unwrap();
    assert_eq!(
        operations,
        [
            ReplicationProtectedItemOperation::Commit,
            ReplicationProtectedItemOperation::Other("SomethingNew".into())
        ]
    );
    assert_eq!(
        serde_json::to_value(&operations).unwrap(),
        json!(["Commit", "SomethingNew"])
    );
    assert_eq!(
        DiskAccountType::from("Premium_LRS"),
        DiskAccountType::PremiumLrs
    );
    assert_eq!(DiskAccountType::PremiumV2Lrs.to_string(), "PremiumV2_LRS");
}

#[test]
fn unknown_instance_types_survive_a_round_trip() {
    let raw = json!({
        "instanceType": "A2A",
        "primaryFabricLocation": "westeurope",
        "nested": {"list": [1, 2.5, "three", null], "flag": true}
    });
    let details: ReplicationProviderSpecificSettings = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(details.instance_type(), "A2A");
    assert!(matches!(
        details,
        ReplicationProviderSpecificSettings::Other(_)
    ));
    assert_eq!(serde_json::to_value(&details).unwrap(), raw);

    let fabric: Fabric = read_as(
        "literal",
        "fabric",
        &json!({
            "id": format!("{VAULT}/replicationFabrics/hv"),
            "name": "hv",
            "type": "Microsoft.RecoveryServices/vaults/replicationFabrics",
            "properties": {"customDetails": {"instanceType": "HyperVSite", "hyperVHosts": [{"id": "h1"}]}}
        }),
    );
    let json = round_trip("fabric with an unknown instance type", &fabric);
    assert_eq!(
        json["properties"]["customDetails"],
        json!({"instanceType": "HyperVSite", "hyperVHosts": [{"id": "h1"}]})
    );

    // Request inputs keep them too (the examples of the spec send HyperVReplicaAzure).
    let input: ReverseReplicationInput = serde_json::from_value(json!({
        "properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": {"instanceType": "HyperVReplicaAzure", "logStorageAccountId": "x"}}
    }))
    .unwrap();
    let details = input.properties.provider_specific_details.as_ref().unwrap();
    assert_eq!(details.instance_type(), "HyperVReplicaAzure");
    assert_eq!(
        serde_json::to_value(details).unwrap(),
        json!({"instanceType": "HyperVReplicaAzure", "logStorageAccountId": "x"})
    );
}

#[test]
fn polymorphic_values_need_a_string_instance_type() {
    let error =
        serde_json::from_value::<FabricSpecificDetails>(json!({"processServers": []})).unwrap_err();
    assert!(
        error.to_string().contains("missing field `instanceType`"),
        "{error}"
    );
    let error =
        serde_json::from_value::<FabricSpecificDetails>(json!({"instanceType": 3})).unwrap_err();
    assert!(error.to_string().contains("must be a string"), "{error}");
}

#[test]
fn an_error_inside_a_known_instance_type_names_it_and_its_path() {
    let body = json!({
        "id": format!("{VAULT}/replicationFabrics/cs"),
        "name": "cs",
        "properties": {"customDetails": {"instanceType": "VMware", "masterTargetServers": [{"id": "mt", "diskCount": "many"}]}}
    });
    let text = body.to_string();
    let error = serde_path_to_error::deserialize::<_, Fabric>(
        &mut serde_json::Deserializer::from_str(&text),
    )
    .unwrap_err();
    assert_eq!(error.path().to_string(), "properties.customDetails");
    let message = error.inner().to_string();
    assert!(message.contains("instanceType \"VMware\""), "{message}");
    assert!(message.contains("VMwareDetails"), "{message}");
    assert!(message.contains("\"many\""), "{message}");
}

// ---------------------------------------------------------------------------------------
// Provider-specific shapes the client reads
// ---------------------------------------------------------------------------------------

fn classic_fabric_json() -> Value {
    json!({
        "id": format!("{VAULT}/replicationFabrics/cs1"),
        "name": "cs1",
        "type": "Microsoft.RecoveryServices/vaults/replicationFabrics",
        "location": "westeurope",
        "properties": {
            "friendlyName": "cs1",
            "health": "Normal",
            "customDetails": {
                "instanceType": "VMware",
                "processServers": [{
                    "id": "PS-1", "friendlyName": "ps1", "ipAddress": "10.0.0.5",
                    "machineCount": "12", "systemLoad": "35.5", "health": "Normal",
                    "lastHeartbeat": "2026-05-01T10:00:00Z"
                }],
                "masterTargetServers": [{
                    "id": "MT-1", "name": "mt1", "osType": "Windows", "diskCount": 3,
                    "retentionVolumes": [{"volumeName": "R:", "capacityInBytes": 1099511627776_u64, "freeSpaceInBytes": 549755813888_u64, "thresholdPercentage": 80}],
                    "dataStores": [{"symbolicName": "datastore-1", "uuid": "u-1", "capacity": "2048", "freeSpace": "1024.5", "type": "VMFS"}]
                }],
                "runAsAccounts": [{"accountId": "2", "accountName": "vcenter-admin"}],
                "agentCount": "40",
                "lastHeartbeat": "2026-05-01T10:00:00.1234567Z"
            }
        }
    })
}

#[test]
fn a_classic_fabric_reads_its_infrastructure() {
    let fabric: Fabric = read_as("literal", "classic fabric", &classic_fabric_json());
    let Some(FabricSpecificDetails::VMware(cs)) = &fabric.properties.custom_details else {
        panic!("VMware details expected");
    };
    let ps = &cs.process_servers[0];
    assert_eq!(ps.parse_machine_count().unwrap(), Some(12));
    assert_eq!(ps.system_load_percent().unwrap(), Some(35.5));
    assert_eq!(ps.cpu_load_percent().unwrap(), None);
    assert_eq!(ps.health, Some(ProtectionHealth::Normal));
    let mt = &cs.master_target_servers[0];
    assert_eq!(mt.disk_count, Some(3));
    assert_eq!(
        mt.retention_volumes[0].free_space_in_bytes,
        Some(549_755_813_888)
    );
    let store = &mt.data_stores[0];
    assert_eq!(store.capacity_gb().unwrap(), Some(2048.0));
    assert_eq!(store.free_space_gb().unwrap(), Some(1024.5));
    assert_eq!(store.store_type.as_deref(), Some("VMFS"));
    assert_eq!(cs.run_as_accounts[0].account_id.as_deref(), Some("2"));
    assert_eq!(cs.parse_agent_count().unwrap(), Some(40));
    let json = round_trip("classic fabric", &fabric);
    assert_eq!(
        json["properties"]["customDetails"]["instanceType"],
        "VMware"
    );
    SpecSchema::load().assert_valid("classic fabric", "Fabric", &json);
}

#[test]
fn a_modernized_fabric_reads_its_reprotect_agents() {
    let body = json!({
        "id": format!("{VAULT}/replicationFabrics/appliance"),
        "name": "appliance",
        "properties": {
            "customDetails": {
                "instanceType": "InMageRcm",
                "vmwareSiteId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OffAzure/VMwareSites/site",
                "processServers": [{"id": "ps-1", "name": "appliance-ps", "systemLoad": 3, "health": "Warning", "historicHealth": "Critical", "diskUsageStatus": "Healthy"}],
                "reprotectAgents": [{"id": "ra-1", "name": "appliance-ra", "vcenterId": "vc-1", "accessibleDatastores": ["datastore-1", "datastore-2"], "lastHeartbeatUtc": "2026-05-01T10:00:00Z"}],
                "replicationAgents": [{"id": "rep-1", "name": "agent", "health": "Normal"}],
                "dras": [{"id": "dra-1", "forwardProtectedItemCount": 4, "reverseProtectedItemCount": 1}]
            }
        }
    });
    let fabric: Fabric = read_as("literal", "modernized fabric", &body);
    let Some(FabricSpecificDetails::InMageRcm(rcm)) = &fabric.properties.custom_details else {
        panic!("InMageRcm details expected");
    };
    let agent = &rcm.reprotect_agents[0];
    assert_eq!(agent.vcenter_id.as_deref(), Some("vc-1"));
    assert_eq!(agent.accessible_datastores, ["datastore-1", "datastore-2"]);
    assert_eq!(rcm.process_servers[0].system_load, Some(3));
    assert_eq!(
        rcm.process_servers[0].disk_usage_status,
        Some(RcmComponentStatus::Healthy)
    );
    assert_eq!(
        rcm.replication_agents[0].health,
        Some(ProtectionHealth::Normal)
    );
    let json = round_trip("modernized fabric", &fabric);
    SpecSchema::load().assert_valid("modernized fabric", "Fabric", &json);
}

fn protected_item(provider: Value) -> Value {
    json!({
        "id": format!("{VAULT}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/vm1"),
        "name": "vm1",
        "type": "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems",
        "properties": {
            "friendlyName": "vm1",
            "protectionState": "Protected",
            "activeLocation": "Recovery",
            "allowedOperations": ["ReverseReplicate", "DisableProtection"],
            "replicationHealth": "Warning",
            "healthErrors": [{"errorCode": "78144", "errorLevel": "Warning", "creationTimeUtc": "2026-05-01T09:00:00Z", "customerResolvability": "Allowed", "innerHealthErrors": [{"errorCode": "1"}]}],
            "policyId": format!("{VAULT}/replicationPolicies/p"),
            "currentScenario": {"scenarioName": "None", "jobId": format!("{VAULT}/replicationJobs/None"), "startTime": "1753-01-01T01:01:01Z"},
            "failoverRecoveryPointId": format!("{VAULT}/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/vm1/recoveryPoints/rp1"),
            "providerSpecificDetails": provider
        }
    })
}

#[test]
fn protected_items_read_each_provider() {
    let schema = SpecSchema::load();
    let providers = [
        json!({
            "instanceType": "InMage", "activeSiteType": "Azure", "masterTargetId": "MT-1", "processServerId": "PS-1",
            "multiVmGroupId": "3c2a1b6e-0000-0000-0000-000000000001", "multiVmGroupName": "3c2a1b6e-0000-0000-0000-000000000001",
            "osDetails": {"osType": "Windows"}, "datastores": ["datastore-1"],
            "consistencyPoints": {"LatestTag": "2026-05-01T08:00:00Z"},
            "resyncDetails": {"initialReplicationType": "Full", "initialReplicationProgressPercentage": "42"},
            "protectedDisks": [{"diskId": "d0", "diskName": "disk0", "diskCapacityInBytes": 1024, "psDataInMB": 1.5, "resyncRequired": "false"}]
        }),
        json!({
            "instanceType": "InMageAzureV2", "masterTargetId": "MT-1", "processServerId": "PS-1", "osType": "Windows",
            "multiVmGroupName": "group", "multiVmGroupId": "id", "targetVmId": null, "licenseType": "WindowsServer",
            "protectedDisks": [{"diskId": "d0", "sourceDataInMegaBytes": 2.0, "secondsToTakeSwitchProvider": 10}],
            "azureVMDiskDetails": [{"vhdId": "v", "maxSizeMB": "1024", "lunId": "0"}]
        }),
        json!({
            "instanceType": "InMageRcm", "processServerId": "ps-1", "multiVmGroupName": "g", "osType": "Linux",
            "resyncState": "None", "initialReplicationProgressHealth": "SlowProgress", "agentUpgradeState": "Commit",
            "protectedDisks": [{"diskId": "d0", "diskState": "Protected", "diskType": "Premium_LRS", "irDetails": {"progressHealth": "Queued", "startTime": "whatever the service sends"}}],
            "targetVmTags": [{"tagName": "a", "tagValue": "b"}], "linuxLicenseType": "LinuxServer"
        }),
        json!({
            "instanceType": "InMageRcmFailback", "reprotectAgentId": "ra-1", "targetDataStoreName": "datastore-1",
            "targetvCenterId": "vc-1", "osType": "Windows", "multiVmGroupName": "g",
            "lastPlannedFailoverStatus": "Succeeded", "lastPlannedFailoverStartTime": "2026-05-01T07:00:00Z",
            "protectedDisks": [{"diskId": "d0", "isOSDisk": "true", "irDetails": {"progressHealth": "NoProgress"}}],
            "vmNics": [{"macAddress": "00:50:56:00:00:01", "networkName": "VM Network"}]
        }),
    ];
    for provider in providers {
        let instance_type = provider["instanceType"].as_str().unwrap().to_owned();
        let item: ReplicationProtectedItem =
            read_as("literal", &instance_type, &protected_item(provider));
        let properties = &item.properties;
        assert_eq!(
            properties.replication_health,
            Some(ProtectionHealth::Warning)
        );
        assert_eq!(
            properties.health_errors[0].customer_resolvability,
            Some(HealthErrorCustomerResolvability::Allowed)
        );
        let details = properties.provider_specific_details.as_ref().unwrap();
        assert_eq!(details.instance_type(), instance_type);
        match details {
            ReplicationProviderSpecificSettings::InMage(inmage) => {
                assert_eq!(inmage.active_site_type, Some(ActiveSiteType::Azure));
                assert_eq!(inmage.master_target_id.as_deref(), Some("MT-1"));
                assert_eq!(inmage.multi_vm_group_id, inmage.multi_vm_group_name);
                assert_eq!(
                    inmage
                        .resync_details
                        .as_ref()
                        .unwrap()
                        .progress_percentage()
                        .unwrap(),
                    Some(42.0)
                );
                assert_eq!(
                    inmage.consistency_points["LatestTag"],
                    Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap()
                );
                assert_eq!(inmage.protected_disks[0].ps_data_in_mb, Some(1.5));
            }
            ReplicationProviderSpecificSettings::InMageAzureV2(v2) => {
                assert_eq!(v2.process_server_id.as_deref(), Some("PS-1"));
                assert_eq!(v2.target_vm_id, None);
                assert_eq!(v2.license_type, Some(LicenseType::WindowsServer));
                assert_eq!(
                    v2.azure_vm_disk_details[0].parse_max_size_mb().unwrap(),
                    Some(1024)
                );
                assert_eq!(
                    v2.protected_disks[0].seconds_to_take_switch_provider,
                    Some(10)
                );
            }
            ReplicationProviderSpecificSettings::InMageRcm(rcm) => {
                assert_eq!(rcm.resync_state, Some(ResyncState::None));
                assert_eq!(
                    rcm.agent_upgrade_state,
                    Some(MobilityAgentUpgradeState::Commit)
                );
                let disk = &rcm.protected_disks[0];
                assert_eq!(disk.disk_state, Some(DiskState::Protected));
                assert_eq!(disk.disk_type, Some(DiskAccountType::PremiumLrs));
                assert_eq!(
                    disk.ir_details.as_ref().unwrap().progress_health,
                    Some(DiskReplicationProgressHealth::Queued)
                );
            }
            ReplicationProviderSpecificSettings::InMageRcmFailback(failback) => {
                assert_eq!(failback.reprotect_agent_id.as_deref(), Some("ra-1"));
                assert_eq!(
                    failback.target_data_store_name.as_deref(),
                    Some("datastore-1")
                );
                assert_eq!(failback.target_vcenter_id.as_deref(), Some("vc-1"));
                assert_eq!(
                    failback.last_planned_failover_status,
                    Some(PlannedFailoverStatus::Succeeded)
                );
                assert_eq!(
                    failback.protected_disks[0].is_os_disk.as_deref(),
                    Some("true")
                );
            }
            ReplicationProviderSpecificSettings::Other(_) => {
                panic!("{instance_type} read as Other")
            }
        }
        let json = round_trip(&instance_type, &item);
        schema.assert_valid(&instance_type, "ReplicationProtectedItem", &json);
    }
}

#[test]
fn policies_jobs_and_recovery_plans_read_their_details() {
    let schema = SpecSchema::load();
    let policy: Policy = read_as(
        "literal",
        "policy",
        &json!({
            "id": format!("{VAULT}/replicationPolicies/p"), "name": "p",
            "properties": {"friendlyName": "p", "providerSpecificDetails": {"instanceType": "InMageRcmFailback", "appConsistentFrequencyInMinutes": 60, "crashConsistentFrequencyInMinutes": 5}}
        }),
    );
    let Some(PolicyProviderSpecificDetails::InMageRcmFailback(details)) =
        &policy.properties.provider_specific_details
    else {
        panic!("InMageRcmFailback policy expected");
    };
    assert_eq!(details.crash_consistent_frequency_in_minutes, Some(5));
    schema.assert_valid("policy", "Policy", &round_trip("policy", &policy));

    let job: Job = read_as(
        "literal",
        "job",
        &json!({
            "id": format!("{VAULT}/replicationJobs/j"), "name": "j",
            "properties": {
                "state": "Failed", "scenarioName": "UnplannedFailover", "targetObjectId": "vm1", "targetObjectName": "vm1",
                "allowedActions": ["Restart"],
                "tasks": [{"name": "t1", "state": "Suspended", "customDetails": {"instanceType": "ManualActionTaskDetails", "name": "Shut down", "instructions": "Shut down the VM", "observation": ""}},
                          {"name": "t2", "state": "Succeeded", "customDetails": {"instanceType": "JobTaskDetails", "jobTask": {"jobId": "j2", "jobScenarioName": "TestFailover"}},
                           "groupTaskCustomDetails": {"instanceType": "RecoveryPlanGroupTaskDetails", "childTasks": [{"name": "child"}]}}],
                "errors": [{
                    "serviceErrorDetails": {"code": "28031", "message": "Failover failed.", "possibleCauses": "The VM is off.", "recommendedAction": "Start the VM.", "activityId": "a-1"},
                    "providerErrorDetails": {"errorCode": 539, "errorMessage": "Provider error", "errorId": "e-1"},
                    "errorLevel": "Error", "creationTime": "2026-05-01T10:00:00Z", "taskId": "t1"
                }],
                "customDetails": {"instanceType": "FailoverJobDetails", "affectedObjectDetails": {"ProtectedItemName": "vm1"},
                                  "protectedItemDetails": [{"name": "vm1", "recoveryPointId": "rp1", "recoveryPointTime": "2026-05-01T09:59:00Z"}]}
            }
        }),
    );
    let properties = &job.properties;
    assert!(properties.state.as_ref().unwrap().is_terminal());
    let Some(TaskTypeDetails::ManualActionTaskDetails(manual)) =
        &properties.tasks[0].custom_details
    else {
        panic!("manual action expected");
    };
    assert_eq!(manual.instructions.as_deref(), Some("Shut down the VM"));
    assert_eq!(properties.tasks[0].state, Some(JobState::Suspended));
    assert_eq!(
        properties.tasks[1]
            .group_task_custom_details
            .as_ref()
            .unwrap()
            .child_tasks[0]
            .name
            .as_deref(),
        Some("child")
    );
    let error = &properties.errors[0];
    let service = error.service_error_details.as_ref().unwrap();
    assert_eq!(service.code.as_deref(), Some("28031"));
    assert_eq!(service.recommended_action.as_deref(), Some("Start the VM."));
    assert_eq!(service.activity_id.as_deref(), Some("a-1"));
    assert_eq!(
        error.provider_error_details.as_ref().unwrap().error_code,
        Some(539)
    );
    let Some(JobDetails::FailoverJobDetails(failover)) = &properties.custom_details else {
        panic!("failover job details expected");
    };
    assert_eq!(
        failover.protected_item_details[0]
            .recovery_point_id
            .as_deref(),
        Some("rp1")
    );
    schema.assert_valid("job", "Job", &round_trip("job", &job));

    let plan: RecoveryPlan = read_as(
        "literal",
        "recovery plan",
        &json!({
            "id": format!("{VAULT}/replicationRecoveryPlans/rp"), "name": "rp",
            "properties": {
                "friendlyName": "rp", "replicationProviders": ["InMageRcmFailback"], "allowedOperations": ["PlannedFailover"],
                "groups": [{
                    "groupType": "Boot",
                    "replicationProtectedItems": [{"id": "rpi-1", "virtualMachineId": "vm-1"}],
                    "startGroupActions": [{"actionName": "check", "failoverTypes": ["PlannedFailover"], "failoverDirections": ["RecoveryToPrimary"],
                                           "customDetails": {"instanceType": "ManualActionDetails", "description": "Check the network"}}],
                    "endGroupActions": [{"actionName": "script", "failoverTypes": ["UnplannedFailover"], "failoverDirections": ["PrimaryToRecovery"],
                                         "customDetails": {"instanceType": "ScriptActionDetails", "path": "/scripts/a.ps1", "fabricLocation": "Recovery"}}]
                }]
            }
        }),
    );
    let group = &plan.properties.groups[0];
    assert_eq!(group.group_type, RecoveryPlanGroupType::Boot);
    assert_eq!(
        group.start_group_actions[0].custom_details,
        RecoveryPlanActionDetails::ManualActionDetails(RecoveryPlanManualActionDetails {
            description: Some("Check the network".into())
        })
    );
    assert_eq!(
        group.start_group_actions[0].failover_directions,
        [FailoverDirection::RecoveryToPrimary]
    );
    let RecoveryPlanActionDetails::ScriptActionDetails(script) =
        &group.end_group_actions[0].custom_details
    else {
        panic!("script action expected");
    };
    assert_eq!(script.fabric_location, RecoveryPlanActionLocation::Recovery);
    schema.assert_valid(
        "recovery plan",
        "RecoveryPlan",
        &round_trip("recovery plan", &plan),
    );
}

// ---------------------------------------------------------------------------------------
// Envelopes, numbers sent as strings, dates
// ---------------------------------------------------------------------------------------

#[test]
fn pages_and_arm_errors_read() {
    let page: Page<VCenter> = serde_json::from_value(json!({
        "value": [{"id": "v", "name": "v", "properties": {"port": "443", "friendlyName": "vc"}}],
        "nextLink": "https://management.azure.com/next?skipToken=2"
    }))
    .unwrap();
    assert_eq!(
        page.next_link.as_deref(),
        Some("https://management.azure.com/next?skipToken=2")
    );
    assert_eq!(page.value[0].properties.port_number().unwrap(), Some(443));
    let json = round_trip("page", &page);
    SpecSchema::load().assert_valid("page", "VCenterCollection", &json);
    let last: Page<VCenter> = serde_json::from_value(json!({"value": []})).unwrap();
    assert_eq!(last.next_link, None);

    let error: ErrorResponse = serde_json::from_value(json!({"error": {
        "code": "ResourceNotFound", "message": "The resource was not found.", "target": "vm1",
        "details": [{"code": "Inner", "message": "inner"}],
        "additionalInfo": [{"type": "PolicyViolation", "info": {"policy": "p"}}]
    }}))
    .unwrap();
    assert_eq!(error.error.code.as_deref(), Some("ResourceNotFound"));
    assert_eq!(error.error.details[0].code.as_deref(), Some("Inner"));
    assert_eq!(
        error.error.additional_info[0].info_type.as_deref(),
        Some("PolicyViolation")
    );
    round_trip("ARM error", &error);
    let error: ErrorResponse =
        serde_json::from_value(json!({"error": {"code": "X", "details": null}})).unwrap();
    assert!(error.error.details.is_empty());
}

#[test]
fn a_number_sent_as_a_string_that_is_not_a_number_names_the_field() {
    let store: DataStore = serde_json::from_value(
        json!({"symbolicName": "ds", "capacity": "lots", "freeSpace": " 10 "}),
    )
    .unwrap();
    let error = store.capacity_gb().unwrap_err();
    assert_eq!(error.field(), "DataStore.capacity");
    assert_eq!(error.value(), "lots");
    let message = error.to_string();
    assert!(
        message.contains("DataStore.capacity") && message.contains("\"lots\""),
        "{message}"
    );
    assert_eq!(store.free_space_gb().unwrap(), Some(10.0));
    assert_eq!(
        round_trip("data store", &store)["capacity"],
        "lots",
        "sent back as received"
    );

    let ps: ProcessServer =
        serde_json::from_value(json!({"systemLoad": "", "machineCount": "3.5"})).unwrap();
    assert_eq!(
        ps.system_load_percent().unwrap_err().field(),
        "ProcessServer.systemLoad"
    );
    let error = ps.parse_machine_count().unwrap_err();
    assert_eq!(
        (error.field(), error.value(), error.expected()),
        ("ProcessServer.machineCount", "3.5", "u64")
    );

    // A real JSON number is accepted too.
    let store: DataStore =
        serde_json::from_value(json!({"capacity": 512, "freeSpace": 12.25})).unwrap();
    assert_eq!(store.capacity_gb().unwrap(), Some(512.0));
    assert_eq!(store.free_space_gb().unwrap(), Some(12.25));
}

#[test]
fn dates_are_read_leniently_and_written_as_rfc3339() {
    let read = |value: Value| -> CurrentScenarioDetails {
        serde_json::from_value(json!({"startTime": value})).unwrap()
    };
    let expect = Utc.with_ymd_and_hms(2017, 4, 26, 6, 37, 50).unwrap();
    for text in [
        "2017-04-26T06:37:50Z",
        "2017-04-26T08:37:50+02:00",
        "2017-04-26T06:37:50",
        "2017-04-26 06:37:50",
        "2017-04-26T06:37:50.000Z",
    ] {
        assert_eq!(read(json!(text)).start_time, Some(expect), "{text}");
    }
    assert_eq!(
        read(json!("1753-01-01T01:01:01Z")).start_time,
        Some(Utc.with_ymd_and_hms(1753, 1, 1, 1, 1, 1).unwrap())
    );
    assert_eq!(read(json!(null)).start_time, None);
    assert_eq!(read(json!("")).start_time, None);
    let details = read(json!("2017-04-26T06:37:50.8082715Z"));
    assert_eq!(
        serde_json::to_value(&details).unwrap(),
        json!({"startTime": "2017-04-26T06:37:50.808271500Z"})
    );

    let text = r#"{"value": [{"id": "j", "name": "j", "properties": {"startTime": "yesterday"}}]}"#;
    let error = serde_path_to_error::deserialize::<_, JobCollection>(
        &mut serde_json::Deserializer::from_str(text),
    )
    .unwrap_err();
    assert_eq!(error.path().to_string(), "value[0].properties.startTime");
    assert!(
        error.inner().to_string().contains("\"yesterday\""),
        "{error}"
    );
}
