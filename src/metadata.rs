//! Reading ownerships and checkpoints out of listed blobs: the metadata parser.
//!
//! It reads what every official SDK writes (see the README, "Blobs of other writers"): metadata
//! names in any letter case (older Java wrote `OwnerId`, `SequenceNumber`, `Offset`), extra keys
//! (.NET's `clientidentifier`), offsets as opaque text (geo-replication's `2:-1:-1`), and
//! checkpoints without an offset (.NET 5.11's empty one, later .NET's `no offset`), which carry a
//! valid sequence number and are returned with the offset as stored.

use crate::blob_name::partition_of;
use crate::list_blobs::ListedBlob;
use crate::model::{quote_etag, Checkpoint, PartitionOwnership, MAX_SAFE_INTEGER};
use crate::time::parse_http_date;

/// The consumer group a listing is for, in the caller's spelling (results echo it).
#[derive(Debug, Clone, Copy)]
pub struct Group<'a> {
    pub namespace: &'a str,
    pub event_hub: &'a str,
    pub consumer_group: &'a str,
}

/// The placeholder .NET writes for the offset of a checkpoint made by sequence number.
pub const NO_OFFSET: &str = "no offset";

/// Whether a checkpoint's offset is missing in substance: empty (.NET 5.11) or the placeholder
/// `no offset` in any case (later .NET). Such a checkpoint is resumed by its sequence number.
pub fn is_offsetless(offset: &str) -> bool {
    let o = offset.trim();
    o.is_empty() || o.eq_ignore_ascii_case(NO_OFFSET)
}

/// Whether a blob is a folder marker: the directory entries of accounts with a hierarchical
/// namespace (and of tools that imitate them) carry `hdi_isfolder=true`.
pub fn is_folder_marker(blob: &ListedBlob) -> bool {
    blob.name.ends_with('/')
        || blob
            .meta("hdi_isfolder")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The partition id of a listed blob if it is a partition blob of `prefix` (the folder of one
/// kind): exactly one non-empty segment after the prefix, and not a folder marker.
pub fn partition_blob<'a>(blob: &'a ListedBlob, prefix: &str) -> Option<&'a str> {
    partition_of(&blob.name, prefix).filter(|_| !is_folder_marker(blob))
}

/// The ownership a listed blob records. `Ok(None)` for blobs that are not partition blobs
/// (deeper paths, an empty partition id, folder markers); `Err` says what is wrong with the blob
/// ("has no ownerid metadata").
pub fn ownership_from_blob(
    blob: &ListedBlob,
    prefix: &str,
    g: Group<'_>,
) -> Result<Option<PartitionOwnership>, &'static str> {
    let Some(pid) = partition_blob(blob, prefix) else {
        return Ok(None);
    };
    let owner = blob.meta("ownerid").ok_or("has no ownerid metadata")?;
    let etag = blob
        .etag
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .ok_or("has no ETag")?;
    let last_modified = blob
        .last_modified
        .as_deref()
        .and_then(parse_http_date)
        .ok_or("has no valid Last-Modified")?;
    Ok(Some(PartitionOwnership {
        fully_qualified_namespace: g.namespace.to_string(),
        event_hub_name: g.event_hub.to_string(),
        consumer_group: g.consumer_group.to_string(),
        partition_id: pid.to_string(),
        owner_id: owner.to_string(),
        etag: Some(quote_etag(etag)),
        last_modified_ms: Some(last_modified),
    }))
}

/// The checkpoint a listed blob records; as [`ownership_from_blob`]. A valid sequence number is
/// required; the offset must be present but may be empty or `no offset` (see [`is_offsetless`]),
/// and is returned as stored.
pub fn checkpoint_from_blob(
    blob: &ListedBlob,
    prefix: &str,
    g: Group<'_>,
) -> Result<Option<Checkpoint>, &'static str> {
    let Some(pid) = partition_blob(blob, prefix) else {
        return Ok(None);
    };
    let seq = blob
        .meta("sequencenumber")
        .ok_or("has no sequencenumber metadata")?;
    let sequence_number = seq
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(n))
        .ok_or("has a sequencenumber that is not a safe integer")?;
    let offset = blob.meta("offset").ok_or("has no offset metadata")?;
    Ok(Some(Checkpoint {
        fully_qualified_namespace: g.namespace.to_string(),
        event_hub_name: g.event_hub.to_string(),
        consumer_group: g.consumer_group.to_string(),
        partition_id: pid.to_string(),
        sequence_number,
        offset: offset.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: Group<'static> = Group {
        namespace: "MyNs",
        event_hub: "Eh",
        consumer_group: "$Default",
    };
    const P: &str = "myns/eh/$default/checkpoint/";

    fn blob(name: &str, meta: &[(&str, &str)]) -> ListedBlob {
        ListedBlob {
            name: name.into(),
            etag: Some("0x1".into()),
            last_modified: Some("Tue, 24 Nov 2026 05:44:55 GMT".into()),
            metadata: meta
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn checkpoints() {
        let c = checkpoint_from_blob(
            &blob(
                "myns/eh/$default/checkpoint/3",
                &[("sequencenumber", "4294967296"), ("offset", "12")],
            ),
            P,
            G,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (
                c.partition_id.as_str(),
                c.sequence_number,
                c.offset.as_str(),
                c.event_hub_name.as_str()
            ),
            ("3", 1 << 32, "12", "Eh")
        );
        assert_eq!(
            checkpoint_from_blob(&blob("myns/eh/$default/checkpoint/3/x", &[]), P, G),
            Ok(None)
        );
        for (meta, why) in [
            (&[("offset", "1")][..], "has no sequencenumber metadata"),
            (
                &[("sequencenumber", "x"), ("offset", "1")][..],
                "has a sequencenumber that is not a safe integer",
            ),
            (
                &[("sequencenumber", "9007199254740992"), ("offset", "1")][..],
                "has a sequencenumber that is not a safe integer",
            ),
            (&[("sequencenumber", "1")][..], "has no offset metadata"),
            (
                &[("sequencenumber", ""), ("offset", "no offset")][..],
                "has a sequencenumber that is not a safe integer",
            ),
        ] {
            assert_eq!(
                checkpoint_from_blob(&blob("myns/eh/$default/checkpoint/3", meta), P, G),
                Err(why)
            );
        }
    }

    #[test]
    fn every_writers_checkpoints_are_read() {
        let read = |meta: &[(&str, &str)]| {
            checkpoint_from_blob(&blob("myns/eh/$default/checkpoint/3", meta), P, G)
                .map(|c| c.map(|c| (c.sequence_number, c.offset)))
        };
        // .NET: an extra key; .NET 5.11: an empty offset; later .NET: the placeholder.
        assert_eq!(
            read(&[
                ("sequencenumber", "5"),
                ("offset", "50"),
                ("clientidentifier", "host-1")
            ]),
            Ok(Some((5, "50".into())))
        );
        assert_eq!(
            read(&[("sequencenumber", "6"), ("offset", "")]),
            Ok(Some((6, "".into())))
        );
        assert_eq!(
            read(&[("sequencenumber", "7"), ("offset", "No Offset")]),
            Ok(Some((7, "No Offset".into())))
        );
        // Geo-replication: opaque text, verbatim. Older Java: capitalized keys.
        assert_eq!(
            read(&[("sequencenumber", "8"), ("offset", "2:-1:-1")]),
            Ok(Some((8, "2:-1:-1".into())))
        );
        assert_eq!(
            read(&[("SequenceNumber", "9"), ("Offset", "90")]),
            Ok(Some((9, "90".into())))
        );
    }

    #[test]
    fn offsetless_offsets() {
        for o in ["", " ", "no offset", "NO OFFSET", "No Offset"] {
            assert!(is_offsetless(o), "{o:?}");
        }
        for o in ["0", "2:-1:-1", "no offsets", "none"] {
            assert!(!is_offsetless(o), "{o:?}");
        }
    }

    #[test]
    fn only_partition_blobs_are_read() {
        let meta = [("sequencenumber", "1"), ("offset", "1")];
        for name in [
            "myns/eh/$default/checkpoint/",
            "myns/eh/$default/checkpoint/3/",
            "myns/eh/$default/checkpoint/3/x",
            "myns/eh/$default/checkpoint//3",
        ] {
            assert_eq!(checkpoint_from_blob(&blob(name, &meta), P, G), Ok(None));
        }
        // A directory entry of a hierarchical-namespace account, with no checkpoint metadata.
        let marker = blob("myns/eh/$default/checkpoint/3", &[("hdi_isfolder", "true")]);
        assert_eq!(checkpoint_from_blob(&marker, P, G), Ok(None));
        assert_eq!(
            ownership_from_blob(&marker, "myns/eh/$default/checkpoint/", G),
            Ok(None)
        );
    }

    #[test]
    fn ownerships() {
        let p = "myns/eh/$default/ownership/";
        let o = ownership_from_blob(
            &blob("myns/eh/$default/ownership/0", &[("OwnerId", "w")]),
            p,
            G,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (o.owner_id.as_str(), o.etag.as_deref()),
            ("w", Some("\"0x1\""))
        );
        assert_eq!(o.last_modified_ms, Some(1_795_499_095_000.0));
        // JS and Python release a partition by writing an empty owner.
        let released = ownership_from_blob(
            &blob("myns/eh/$default/ownership/1", &[("ownerid", "")]),
            p,
            G,
        );
        assert_eq!(released.unwrap().unwrap().owner_id, "");
        let mut b = blob("myns/eh/$default/ownership/0", &[("ownerid", "w")]);
        b.last_modified = Some("yesterday".into());
        assert_eq!(
            ownership_from_blob(&b, p, G),
            Err("has no valid Last-Modified")
        );
        b.etag = None;
        assert_eq!(ownership_from_blob(&b, p, G), Err("has no ETag"));
        assert_eq!(
            ownership_from_blob(&blob("myns/eh/$default/ownership/0", &[]), p, G),
            Err("has no ownerid metadata")
        );
    }
}
