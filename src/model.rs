//! What the store reads and writes: partition ownerships and checkpoints, and their checks.

use crate::blob_name::validate_segment;
use crate::error::StoreError;
use crate::http::concat;

/// Largest integer a JS number holds exactly (2^53 - 1).
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;
const MAX_VALUE_LEN: usize = 1024;

/// Most ownerships one `claimOwnership` call accepts. Event Hubs' largest tier (dedicated)
/// allows 1,024 partitions per hub, and a load balancer claims at most every partition of one
/// hub per call; 4,096 leaves room for several hubs in one call while keeping a hostile or
/// mistaken array (`new Array(2 ** 32 - 1)`) from sizing anything. Longer arrays are a
/// `TypeError` before any element is read.
pub const MAX_OWNERSHIPS_PER_CALL: usize = 4096;

/// Longest string (in UTF-16 code units, as JS counts) copied out of a caller's value. The
/// longest legitimate inputs are tokens (a few KiB of JWT), SAS URLs and connection strings;
/// names and metadata are checked to far less later. Longer strings are a `TypeError` before
/// they are copied into wasm memory.
pub const MAX_CALLER_STRING_LEN: u32 = 65_536;

/// Who owns a partition (the shape of `@azure/event-hubs`' `PartitionOwnership`).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionOwnership {
    pub fully_qualified_namespace: String,
    pub event_hub_name: String,
    pub consumer_group: String,
    pub partition_id: String,
    /// The owner; empty means released.
    pub owner_id: String,
    /// The ETag the caller last saw (quoted form), or none for a first claim.
    pub etag: Option<String>,
    /// Last-Modified of the ownership blob, milliseconds since the epoch.
    pub last_modified_ms: Option<f64>,
}

/// How far a partition has been read (the shape of `@azure/event-hubs`' `Checkpoint`).
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub fully_qualified_namespace: String,
    pub event_hub_name: String,
    pub consumer_group: String,
    pub partition_id: String,
    pub sequence_number: i64,
    /// Stored as text; integers as decimal text.
    pub offset: String,
}

/// Checks the three names that select a consumer group; `path` prefixes the field names.
pub fn validate_group(
    namespace: &str,
    event_hub: &str,
    consumer_group: &str,
    path: &str,
) -> Result<(), StoreError> {
    validate_segment(namespace, path, "fullyQualifiedNamespace")?;
    validate_segment(event_hub, path, "eventHubName")?;
    validate_segment(consumer_group, path, "consumerGroup")
}

/// Checks the four names that address one partition's blob; `path` prefixes the field names.
fn validate_partition(
    namespace: &str,
    event_hub: &str,
    consumer_group: &str,
    partition_id: &str,
    path: &str,
) -> Result<(), StoreError> {
    validate_group(namespace, event_hub, consumer_group, path)?;
    validate_segment(partition_id, path, "partitionId")
}

/// `path.name`, or `name` alone at the top: how messages name a field the caller handed over.
pub fn field_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        concat(&[path, ".", name])
    }
}

/// Checks a value that goes into a header: printable ASCII only, since header values are
/// byte strings and metadata must survive every SDK's decoding unchanged. The field's full
/// name (`path.name`) is only made for an error.
fn validate_header_value(
    value: &str,
    path: &str,
    name: &str,
    allow_empty: bool,
) -> Result<(), StoreError> {
    let problem = if !allow_empty && value.is_empty() {
        "must not be empty".to_string()
    } else if value.len() > MAX_VALUE_LEN {
        format!("must be at most {MAX_VALUE_LEN} characters")
    } else if !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        "must hold printable ASCII characters only".to_string()
    } else if value.trim() != value {
        "must not start or end with white space".to_string()
    } else {
        return Ok(());
    };
    Err(StoreError::invalid(field_path(path, name), problem))
}

/// The quoted form of an ETag (`"0x8D..."`): listings give it bare, headers quoted; both are
/// accepted and the quoted form is what the store returns everywhere.
pub fn quote_etag(etag: &str) -> String {
    let e = etag.trim();
    if e == "*"
        || (e.len() >= 2 && e.ends_with('"') && (e.starts_with('"') || e.starts_with("W/\"")))
    {
        e.to_string()
    } else {
        format!("\"{}\"", e.trim_matches('"'))
    }
}

impl PartitionOwnership {
    /// Checks every field; `path` is how the caller knows this value (`ownerships[2]`).
    pub fn validate(&self, path: &str) -> Result<(), StoreError> {
        validate_partition(
            &self.fully_qualified_namespace,
            &self.event_hub_name,
            &self.consumer_group,
            &self.partition_id,
            path,
        )?;
        validate_header_value(&self.owner_id, path, "ownerId", true)?;
        if let Some(etag) = &self.etag {
            validate_header_value(etag, path, "etag", false)?;
            if etag.trim() == "*" {
                return Err(StoreError::invalid(
                    field_path(path, "etag"),
                    "must be the ETag of a blob, not '*'",
                ));
            }
        }
        Ok(())
    }
}

impl Checkpoint {
    /// Checks every field; `path` is how the caller knows this value (`checkpoint`).
    pub fn validate(&self, path: &str) -> Result<(), StoreError> {
        validate_partition(
            &self.fully_qualified_namespace,
            &self.event_hub_name,
            &self.consumer_group,
            &self.partition_id,
            path,
        )?;
        if !(0..=MAX_SAFE_INTEGER).contains(&self.sequence_number) {
            return Err(StoreError::invalid(
                field_path(path, "sequenceNumber"),
                "must be an integer from 0 to Number.MAX_SAFE_INTEGER",
            ));
        }
        validate_header_value(&self.offset, path, "offset", false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> PartitionOwnership {
        PartitionOwnership {
            fully_qualified_namespace: "ns.servicebus.windows.net".into(),
            event_hub_name: "eh".into(),
            consumer_group: "$Default".into(),
            partition_id: "0".into(),
            owner_id: "w1".into(),
            etag: None,
            last_modified_ms: None,
        }
    }

    #[test]
    fn etags_are_quoted_once() {
        assert_eq!(quote_etag("0x8D1"), "\"0x8D1\"");
        assert_eq!(quote_etag("\"0x8D1\""), "\"0x8D1\"");
        assert_eq!(quote_etag("W/\"x\""), "W/\"x\"");
        assert_eq!(quote_etag("\"half"), "\"half\"");
    }

    #[test]
    fn ownership_checks_name_the_field() {
        own().validate("ownerships[0]").unwrap();
        let mut o = own();
        o.owner_id = String::new();
        o.validate("x").unwrap(); // release
        o.owner_id = "bad\nowner".into();
        assert!(o
            .validate("ownerships[3]")
            .unwrap_err()
            .message()
            .starts_with("ownerships[3].ownerId"));
        let mut o = own();
        o.etag = Some("*".into());
        assert!(o.validate("o").is_err());
        let mut o = own();
        o.consumer_group = "../x".into();
        assert!(o
            .validate("o")
            .unwrap_err()
            .message()
            .starts_with("o.consumerGroup"));
    }

    #[test]
    fn checkpoint_checks() {
        let mut c = Checkpoint {
            fully_qualified_namespace: "ns".into(),
            event_hub_name: "eh".into(),
            consumer_group: "cg".into(),
            partition_id: "1".into(),
            sequence_number: 0,
            offset: "0".into(),
        };
        c.validate("checkpoint").unwrap();
        c.sequence_number = -1;
        assert!(c
            .validate("checkpoint")
            .unwrap_err()
            .message()
            .starts_with("checkpoint.sequenceNumber"));
        c.sequence_number = MAX_SAFE_INTEGER + 1;
        assert!(c.validate("checkpoint").is_err());
        c.sequence_number = 1 << 40;
        c.offset = String::new();
        assert!(c
            .validate("checkpoint")
            .unwrap_err()
            .message()
            .starts_with("checkpoint.offset"));
    }
}
