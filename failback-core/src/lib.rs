#![doc = include_str!("../README.md")]

pub mod bound;
pub mod clock;
pub mod error;
pub mod estate;
pub mod events;
pub mod journal;
pub mod location;
pub mod orchestrator;
pub mod plan;
pub mod policy;
pub mod provider;
pub mod readiness;
pub mod records;
pub mod request;
pub mod retention;
pub mod retry;
pub mod rules;
pub mod runbook;
pub mod schedule;
pub mod schema;
pub mod secret;
pub mod state;
pub mod timing;

pub use error::{Error, ErrorKind, ErrorStatus, InputError, JobError, ProviderError, Result};
pub use estate::Estate;
pub use plan::{plan, Plan, PlanOutcome};
pub use readiness::{assess, Assessment};
pub use request::Request;
