#![doc = include_str!("../README.md")]

pub mod soap;
#[cfg(feature = "vcsim")]
pub mod vcsim;
