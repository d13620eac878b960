#![doc = include_str!("../README.md")]

pub mod http;
pub mod models;
pub mod provider;
