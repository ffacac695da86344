//! The boundary to JavaScript: raw bindings (`sys`), the one reader of caller values
//! (`caller`), the `fetch` transport (`fetch`), value conversion (`convert`) and the exported
//! `BlobCheckpointStore` class (`api`).

pub mod api;
pub mod caller;
pub mod convert;
pub mod errors;
pub mod fetch;
pub mod groups;
pub mod sys;
