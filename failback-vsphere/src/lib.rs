#![doc = include_str!("../README.md")]

mod client;
mod connection;
mod ops;
pub mod soap;
mod tls;
#[cfg(feature = "vcsim")]
pub mod vcsim;

pub use client::{About, Client, ServiceContent, INITIAL_API_VERSION};
pub use connection::{
    govc, Connection, ConnectionBuilder, Trust, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use failback_core::secret::Secret;
pub use ops::{DatastoreFile, VirtualDisk, TASK_DEADLINE};
pub use tls::{Thumbprint, ThumbprintAlgorithm};
