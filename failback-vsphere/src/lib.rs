#![doc = include_str!("../README.md")]

#[cfg(feature = "vcsim")]
pub mod vcsim;
