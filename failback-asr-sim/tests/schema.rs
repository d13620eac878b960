//! The simulator's responses validate against the response schemas of the spec excerpt
//! (`failback-azure/tests/spec`, made strict: a property the spec does not declare, a
//! value outside an enumeration or a wrong type is an error): every list and resource a
//! client reads, before a failback and after one run through the adapter, both flavours.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../../failback-azure/tests/provider_common/spec.rs"]
mod spec;

use failback_asr_sim::{start, Running, Settings};
use failback_core::estate::Flavor;
use failback_lab::generate::{self, Spec};
use failback_lab::{LabSettings, LabSite};
use serde_json::Value;
use spec::SpecSchema;

const API: &str = "api-version=2026-05-01";

fn lab(flavor: Flavor) -> LabSite {
    let settings = LabSettings {
        time_scale: 20_000.0,
        seed: 3,
        ..LabSettings::default()
    };
    let mut spec = Spec::for_items(10).with_seed(3).with_flavor(flavor);
    spec.captured_at = settings.start;
    LabSite::new(generate::estate(&spec), settings)
}

struct Reader {
    http: reqwest::Client,
    base: String,
    vault: String,
    token: String,
}

impl Reader {
    fn new(sim: &Running) -> Reader {
        let s = Settings::default();
        Reader {
            http: reqwest::Client::new(),
            base: sim.http_url(),
            vault: s.vault.path(),
            token: s.token,
        }
    }

    /// GET `path` (relative to the vault, or absolute from `/subscriptions`).
    async fn get(&self, path: &str) -> Value {
        let p = if path.starts_with("/subscriptions") {
            path.to_string()
        } else {
            format!("{}/{path}", self.vault)
        };
        let sep = if p.contains('?') { '&' } else { '?' };
        let url = format!("{}{p}{sep}{API}", self.base);
        let r = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "GET {url}");
        r.json().await.unwrap()
    }
}

/// Validate every list the vault serves (and each resource of it, read alone) against
/// the spec; the number of resources checked.
async fn validate_all(r: &Reader, spec: &SpecSchema, when: &str) -> usize {
    let mut checked = 0;
    let mut check = |what: String, def: &str, v: &Value| {
        spec.assert_valid(&format!("{when}: {what}"), def, v);
        checked += 1;
    };
    let fabrics = r.get("replicationFabrics").await;
    check("the fabrics".into(), "FabricCollection", &fabrics);
    for f in fabrics["value"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let one = r.get(&format!("replicationFabrics/{name}")).await;
        check(format!("fabric {name}"), "Fabric", &one);
        let containers = r
            .get(&format!(
                "replicationFabrics/{name}/replicationProtectionContainers"
            ))
            .await;
        check(
            format!("the containers of {name}"),
            "ProtectionContainerCollection",
            &containers,
        );
    }
    let vcenters = r.get("replicationvCenters").await;
    check("the vCenters".into(), "VCenterCollection", &vcenters);
    let policies = r.get("replicationPolicies").await;
    check("the policies".into(), "PolicyCollection", &policies);
    let plans = r.get("replicationRecoveryPlans").await;
    check(
        "the recovery plans".into(),
        "RecoveryPlanCollection",
        &plans,
    );
    let items = r.get("replicationProtectedItems").await;
    check(
        "the items".into(),
        "ReplicationProtectedItemCollection",
        &items,
    );
    for it in items["value"].as_array().unwrap() {
        let id = it["id"].as_str().unwrap();
        let one = r.get(id).await;
        check(format!("item {id}"), "ReplicationProtectedItem", &one);
        let points = r.get(&format!("{id}/recoveryPoints")).await;
        check(
            format!("the points of {id}"),
            "RecoveryPointCollection",
            &points,
        );
        if let Some(p) = points["value"].as_array().and_then(|v| v.first()) {
            let one = r.get(p["id"].as_str().unwrap()).await;
            check(format!("point {}", p["id"]), "RecoveryPoint", &one);
        }
    }
    let jobs = r.get("replicationJobs").await;
    check("the jobs".into(), "JobCollection", &jobs);
    for j in jobs["value"].as_array().unwrap().iter().take(40) {
        let name = j["name"].as_str().unwrap();
        let one = r.get(&format!("replicationJobs/{name}")).await;
        check(format!("job {name}"), "Job", &one);
    }
    checked
}

async fn responses_validate(flavor: Flavor) {
    let spec = SpecSchema::load();
    let site = lab(flavor);
    let sim = start(site, Settings::default()).await.unwrap();
    let reader = Reader::new(&sim);
    let before = validate_all(&reader, &spec, "before the failback").await;
    assert!(before > 20, "{before} resources checked");

    // A whole failback through the adapter: jobs of every operation, items in every
    // state on the way.
    let run = common::run_over(&sim, &format!("schema-{flavor:?}")).await;
    assert_eq!(run.done(), run.items.len(), "{:#?}", run.items);
    let after = validate_all(&reader, &spec, "after the failback").await;
    assert!(
        after > before,
        "{after} resources checked after, {before} before"
    );

    // The check can fail: a property the spec does not declare, a state outside its
    // enumeration.
    let mut bad = reader.get("replicationProtectedItems").await;
    bad["value"][0]["properties"]["primaryFabricFriendlyNme"] = serde_json::json!("typo");
    assert!(!spec
        .errors("ReplicationProtectedItemCollection", &bad)
        .is_empty());
    let mut bad = reader.get("replicationJobs").await;
    bad["value"][0]["properties"]["tasks"] = serde_json::json!("not a list");
    assert!(!spec.errors("JobCollection", &bad).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_responses_validate_against_the_spec() {
    responses_validate(Flavor::Classic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modernized_responses_validate_against_the_spec() {
    responses_validate(Flavor::Modernized).await;
}
