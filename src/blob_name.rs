//! Blob names of the official SDKs' layout, and the checks that keep every name inside its prefix.
//!
//! `{namespace}/{eventhub}/{consumergroup}/ownership/{partitionId}` and `.../checkpoint/...`,
//! with namespace, event hub and consumer group lower-cased.

use crate::error::StoreError;
use crate::http::{concat, encode_component};
use crate::model::field_path;

/// Longest accepted namespace, event hub, consumer group or partition id. Event Hubs' own
/// limits are far below this; a blob name may be at most 1,024 characters.
pub const MAX_SEGMENT_LEN: usize = 256;

/// Which kind of blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// Partition ownership.
    Ownership,
    /// Checkpoint.
    Checkpoint,
}

impl BlobKind {
    fn folder(self) -> &'static str {
        match self {
            BlobKind::Ownership => "ownership",
            BlobKind::Checkpoint => "checkpoint",
        }
    }
}

/// Checks one name segment, the caller's field `name` under `path` (see
/// [`crate::model::field_path`]): non-empty, not too long, and unable to step out of its prefix
/// or change the URL (`/`, `\`, `?`, `#`, `%`, `.`, `..`, control characters), nor end in `.`
/// (the service trims trailing dots, so `cg.` and `cg` would be the same blob). The field's
/// full name is only made for an error: a call checks half a dozen names.
pub fn validate_segment(value: &str, path: &str, name: &str) -> Result<(), StoreError> {
    match segment_problem(value) {
        None => Ok(()),
        Some(problem) => Err(StoreError::invalid(field_path(path, name), problem)),
    }
}

/// What is wrong with a name segment (see [`validate_segment`]), if anything.
pub fn segment_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".into());
    }
    let ascii = value.is_ascii();
    // Characters, not bytes; the same count for ASCII, which needs no decoding.
    let len = if ascii {
        value.len()
    } else {
        value.chars().count()
    };
    if len > MAX_SEGMENT_LEN {
        return Some(format!("must be at most {MAX_SEGMENT_LEN} characters"));
    }
    if value == "." || value == ".." {
        return Some("must not be '.' or '..'".into());
    }
    if !ascii {
        // Event Hubs names and partition ids are ASCII; the blob names lower-case them the
        // ASCII way (Unicode case tables would cost the wasm several KB).
        return Some("must hold ASCII characters only, as Event Hubs names do".into());
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() || matches!(c, '/' | '\\' | '?' | '#' | '%'))
    {
        let shown = if c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("'{c}'")
        };
        return Some(format!("must not contain {shown}"));
    }
    if value.trim() != value {
        return Some("must not start or end with white space".into());
    }
    if value.ends_with('.') {
        // Blob Storage trims trailing dots from each path segment: `cg.` would address `cg`.
        return Some("must not end with '.' (Blob Storage drops trailing dots, so the name would address another blob)".into());
    }
    None
}

/// Checks a container name by the Blob service's rules: 3 to 63 lower-case letters, digits and
/// single hyphens, starting and ending with a letter or digit.
pub fn validate_container(name: &str, field: &str) -> Result<(), StoreError> {
    let ok = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            "must be a container name: 3 to 63 lower-case letters, digits and single hyphens",
        ))
    }
}

/// The prefix shared by all blobs of one kind for one consumer group, e.g.
/// `ns.servicebus.windows.net/telemetry/$default/ownership/`. Inputs must be validated.
pub fn prefix(namespace: &str, event_hub: &str, consumer_group: &str, kind: BlobKind) -> String {
    let mut p = concat(&[namespace, "/", event_hub, "/", consumer_group, "/"]);
    p.make_ascii_lowercase();
    p.push_str(kind.folder());
    p.push('/');
    p
}

/// The full blob name for one partition. Inputs must be validated.
pub fn blob_name(
    namespace: &str,
    event_hub: &str,
    consumer_group: &str,
    kind: BlobKind,
    partition_id: &str,
) -> String {
    let mut name = prefix(namespace, event_hub, consumer_group, kind);
    name.push_str(partition_id);
    name
}

/// The URL path of a blob in a container: each segment percent-encoded, `/` kept between them.
pub fn blob_path(container: &str, name: &str) -> String {
    let mut path = String::with_capacity(container.len() + name.len() + 8);
    path.push('/');
    path.push_str(&encode_component(container));
    for seg in name.split('/') {
        path.push('/');
        path.push_str(&encode_component(seg));
    }
    path
}

/// The partition id of a listed blob: what follows the prefix, if the blob is one of ours.
pub fn partition_of<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    name.strip_prefix(prefix)
        .filter(|p| !p.is_empty() && !p.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_sdk_layout() {
        assert_eq!(
            blob_name(
                "MyNs.servicebus.windows.net",
                "Telemetry",
                "$Default",
                BlobKind::Ownership,
                "0"
            ),
            "myns.servicebus.windows.net/telemetry/$default/ownership/0"
        );
        assert_eq!(
            prefix("ns", "eh", "cg", BlobKind::Checkpoint),
            "ns/eh/cg/checkpoint/"
        );
    }

    #[test]
    fn partition_id_keeps_its_case() {
        assert!(blob_name("n", "e", "c", BlobKind::Checkpoint, "Part-A")
            .ends_with("/checkpoint/Part-A"));
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(
            blob_path("checkpoints", "ns/eh/$default/ownership/0"),
            "/checkpoints/ns/eh/%24default/ownership/0"
        );
    }

    #[test]
    fn rejects_segments_that_leave_the_prefix() {
        let long = "x".repeat(10_000);
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a\\b",
            "a?b",
            "a#b",
            "%2F",
            "a\nb",
            "a\u{0}b",
            " a",
            "cg.",
            "a..",
            "0.",
            "ns.servicebus.windows.net.",
            long.as_str(),
        ] {
            let e = validate_segment(bad, "ownerships[0]", "partitionId").unwrap_err();
            assert!(
                e.message().starts_with("ownerships[0].partitionId"),
                "{bad}: {e}"
            );
        }
        for good in ["0", "31", "$Default", "my-ns.servicebus.windows.net", "a.b"] {
            validate_segment(good, "", "f").unwrap();
        }
    }

    #[test]
    fn non_ascii_names_are_bad_input() {
        for bad in ["Ünïcode", "grüppe", "\u{130}", "ns\u{212A}"] {
            let e = validate_segment(bad, "", "consumerGroup").unwrap_err();
            assert!(e.message().contains("ASCII"), "{bad}: {e}");
        }
    }

    #[test]
    fn container_rules() {
        for good in ["abc", "checkpoints", "a-1-b", &"a".repeat(63)] {
            validate_container(good, "c").unwrap();
        }
        for bad in [
            "ab",
            "ABC",
            "a_b",
            "-ab",
            "ab-",
            "a--b",
            "a/b",
            &"a".repeat(64),
        ] {
            assert!(validate_container(bad, "c").is_err(), "{bad}");
        }
    }

    #[test]
    fn partition_of_listed_names() {
        let p = "ns/eh/cg/checkpoint/";
        assert_eq!(partition_of("ns/eh/cg/checkpoint/7", p), Some("7"));
        assert_eq!(partition_of("ns/eh/cg/checkpoint/", p), None);
        assert_eq!(partition_of("ns/eh/cg/checkpoint/a/b", p), None);
        assert_eq!(partition_of("other/7", p), None);
    }
}
