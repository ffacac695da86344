//! An Azure Event Hubs checkpoint store on Azure Blob Storage, for WebAssembly hosts.
//!
//! The core (every module but `wasm`) is plain Rust: it builds and signs requests, parses
//! responses and decides what each answer means. The `wasm` module is the thin boundary that
//! calls the host's `fetch` and converts JS values.

pub mod account_url;
pub mod b64;
pub mod blob_name;
pub mod blob_request;
pub mod connection_string;
pub mod credential;
pub mod error;
pub mod groups;
pub mod health;
pub mod http;
pub mod json;
pub mod list_blobs;
pub mod metadata;
pub mod model;
pub mod rest_error;
pub mod retry;
pub mod sort;
pub mod store;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::StoreError;
pub use model::{Checkpoint, PartitionOwnership};
pub use store::{Host, Store, StoreConfig};
