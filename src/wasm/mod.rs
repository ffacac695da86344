//! The boundary to JavaScript: raw bindings (`sys`), the `fetch` transport (`fetch`), value
//! conversion (`convert`) and the exported `BlobCheckpointStore` class (`api`).

pub mod api;
pub mod convert;
pub mod errors;
pub mod fetch;
pub mod groups;
pub mod sys;
