//! Serde models of the Azure Site Recovery REST API (api-version `2026-05-01`).
//!
//! The types mirror the definitions of the spec (`service.json` of
//! `Microsoft.RecoveryServices/SiteRecovery/stable/2026-05-01`) by name, for what the failback
//! client reads (fabrics, vCenters, containers, policies, protected items, recovery points,
//! recovery plans, jobs) and sends (reprotect, failover and recovery-plan failover bodies,
//! policy creation). Every type is both `Serialize` and `Deserialize`, so an ASR simulator
//! produces the same shapes the client reads.
//!
//! Conventions:
//!
//! - Resources are [`Resource<P>`] around the definition's properties (`Fabric` is
//!   `Resource<FabricProperties>`), collections are [`Page<T>`] (`value`, `nextLink`), ARM
//!   errors are [`ErrorResponse`].
//! - JSON names are the spec's (camelCase, including its irregular spellings such as
//!   `targetvCenterId` or `isSeletedForFailover`); unknown fields are ignored; `None` and empty
//!   lists are not serialized; `null` lists and maps read as empty.
//! - Every string enumeration (those of the spec, and the free strings whose description
//!   lists the values, such as a job's `state`) is a Rust enum with an `Other(String)`
//!   variant that keeps unknown values and sends them back unchanged (`string_enum!`).
//! - Polymorphic definitions (`discriminator: instanceType`, such as `providerSpecificDetails`
//!   or a fabric's `customDetails`) are Rust enums with a variant per modelled instance type
//!   and `Other(Map)` keeping the raw JSON object of any other (`polymorphic!`).
//! - Numbers the spec types as strings are [`NumericString`], read through accessors that
//!   parse them and name the field and the value on error ([`NumberFieldError`]).
//! - `date-time` properties are `DateTime<Utc>`, read leniently (any RFC 3339 offset, up to 9
//!   fraction digits, no offset taken as UTC) and written as RFC 3339 in UTC.
//! - Request bodies carry as non-optional fields what the spec marks `required`.
//!
//! `failoverCommit` (of an item or a recovery plan) has no body.

#[macro_use]
mod string_enum;
#[macro_use]
mod polymorphic;

mod date_time;
mod nullable;
mod number;

mod compute;
mod container;
mod enums;
mod envelope;
mod error;
mod fabric;
mod fabric_rcm;
mod fabric_vmware;
mod failover;
mod health;
mod job;
mod policy;
mod protected_item;
mod recovery_plan;
mod recovery_plan_failover;
mod recovery_point;
mod replication_inmage;
mod replication_inmage_azure_v2;
mod replication_inmage_rcm;
mod replication_inmage_rcm_failback;
mod reprotect;
mod vcenter;

pub use compute::*;
pub use container::*;
pub use enums::*;
pub use envelope::*;
pub use error::*;
pub use fabric::*;
pub use fabric_rcm::*;
pub use fabric_vmware::*;
pub use failover::*;
pub use health::*;
pub use job::*;
pub use number::{NumberFieldError, NumericString};
pub use policy::*;
pub use protected_item::*;
pub use recovery_plan::*;
pub use recovery_plan_failover::*;
pub use recovery_point::*;
pub use replication_inmage::*;
pub use replication_inmage_azure_v2::*;
pub use replication_inmage_rcm::*;
pub use replication_inmage_rcm_failback::*;
pub use reprotect::*;
pub use vcenter::*;

/// The api-version these models follow (the `api-version` query parameter).
pub const API_VERSION: &str = "2026-05-01";
