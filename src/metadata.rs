//! Reading ownerships and checkpoints out of listed blobs: the metadata parser.

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

/// The ownership a listed blob records. `Ok(None)` for blobs outside the layout (deeper paths);
/// `Err` says what is wrong with the blob ("has no ownerid metadata").
pub fn ownership_from_blob(
    blob: &ListedBlob,
    prefix: &str,
    g: Group<'_>,
) -> Result<Option<PartitionOwnership>, &'static str> {
    let Some(pid) = partition_of(&blob.name, prefix) else {
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

/// The checkpoint a listed blob records; as [`ownership_from_blob`].
pub fn checkpoint_from_blob(
    blob: &ListedBlob,
    prefix: &str,
    g: Group<'_>,
) -> Result<Option<Checkpoint>, &'static str> {
    let Some(pid) = partition_of(&blob.name, prefix) else {
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
    if offset.trim().is_empty() {
        return Err("has an empty offset");
    }
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
                &[("sequencenumber", "1"), ("offset", " ")][..],
                "has an empty offset",
            ),
        ] {
            assert_eq!(
                checkpoint_from_blob(&blob("myns/eh/$default/checkpoint/3", meta), P, G),
                Err(why)
            );
        }
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
