//! `listConsumerGroups` and `inspect` of the exported class: read the options through the
//! caller door, run the core, and hand the result out as one JSON text (optional fields absent,
//! not null), like the other results.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::groups::ConsumerGroupId;
use crate::health::{Finding, GroupInspection, HealthOptions, PartitionState};

use super::api::{group_args, BlobCheckpointStore};
use super::caller::{CallerValue, Kind, Rejection};
use super::convert::parse;
use crate::json::{json_field, json_ms, json_str};

/// Reads `{ ownershipExpiryMs?, stallThresholdMs?, clockSkewThresholdMs? }` (the `abortSignal`
/// of the same object is read by `run`). Every read is a catching one.
fn inspect_options(options: &CallerValue) -> Result<HealthOptions, Rejection> {
    let mut o = HealthOptions::default();
    if options.is_nullish() {
        return Ok(o);
    }
    options.expect_object()?;
    for (name, slot) in [
        ("ownershipExpiryMs", &mut o.ownership_expiry_ms),
        ("stallThresholdMs", &mut o.stall_threshold_ms),
        ("clockSkewThresholdMs", &mut o.clock_skew_threshold_ms),
    ] {
        let v = options.get(name)?;
        if v.kind() == Kind::Undefined {
            continue;
        }
        *slot = v
            .number()
            .ok_or_else(|| v.invalid("must be a number of milliseconds"))?;
    }
    o.validate()?;
    Ok(o)
}

/// `"name":` then the value written by `value`, then `,`.
fn field(out: &mut String, name: &str, value: impl FnOnce(&mut String)) {
    json_str(out, name);
    out.push(':');
    value(out);
    out.push(',');
}

/// Closes an object whose last field left a trailing comma.
fn close_object(out: &mut String) {
    if out.ends_with(',') {
        out.pop();
    }
    out.push('}');
}

fn list<T>(out: &mut String, items: &[T], each: impl Fn(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

fn partition_json(out: &mut String, p: &PartitionState) {
    out.push('{');
    json_field(out, "partitionId", Some(&p.partition_id));
    if let Some(o) = &p.owner_id {
        json_field(out, "ownerId", Some(o));
    }
    if let Some(ms) = p.ownership_last_modified_ms {
        field(out, "ownershipLastModifiedTimeInMs", |o| {
            o.push_str(&json_ms(ms))
        });
    }
    if let Some(e) = &p.ownership_etag {
        json_field(out, "ownershipEtag", Some(e));
    }
    field(out, "expired", |o| {
        o.push_str(if p.expired { "true" } else { "false" })
    });
    if let Some(c) = &p.checkpoint {
        field(out, "checkpoint", |o| {
            o.push('{');
            field(o, "sequenceNumber", |o| {
                o.push_str(&c.sequence_number.to_string())
            });
            json_field(o, "offset", Some(&c.offset));
            field(o, "lastModifiedTimeInMs", |o| {
                o.push_str(&json_ms(c.last_modified_ms))
            });
            close_object(o);
        });
    }
    close_object(out);
}

fn finding_json(out: &mut String, f: &Finding) {
    out.push('{');
    json_field(out, "code", Some(f.code.as_str()));
    for (name, value) in [
        ("partitionId", &f.partition_id),
        ("blob", &f.blob),
        ("ownerId", &f.owner_id),
    ] {
        if let Some(v) = value {
            json_field(out, name, Some(v));
        }
    }
    json_field(out, "message", Some(&f.message));
    json_field(out, "action", Some(&f.action));
    close_object(out);
}

/// The inspection as JSON, in the shape `index.d.ts` declares.
pub fn inspection_json(i: &GroupInspection) -> String {
    let mut out = String::with_capacity(512 + i.partitions.len() * 256);
    out.push('{');
    json_field(
        &mut out,
        "fullyQualifiedNamespace",
        Some(&i.fully_qualified_namespace),
    );
    json_field(&mut out, "eventHubName", Some(&i.event_hub_name));
    json_field(&mut out, "consumerGroup", Some(&i.consumer_group));
    for (name, value) in [
        ("inspectedAtMs", Some(i.inspected_at_ms)),
        ("serverTimeMs", i.server_time_ms),
        ("clockSkewMs", i.clock_skew_ms),
        ("ownershipExpiryMs", Some(i.ownership_expiry_ms)),
        ("stallThresholdMs", Some(i.stall_threshold_ms)),
    ] {
        if let Some(v) = value {
            field(&mut out, name, |o| o.push_str(&json_ms(v)));
        }
    }
    field(&mut out, "owners", |o| {
        list(o, &i.owners, |o, c| {
            o.push('{');
            json_field(o, "ownerId", Some(&c.owner_id));
            field(o, "partitions", |o| o.push_str(&c.partitions.to_string()));
            close_object(o);
        })
    });
    field(&mut out, "partitions", |o| {
        list(o, &i.partitions, partition_json)
    });
    field(&mut out, "findings", |o| list(o, &i.findings, finding_json));
    close_object(&mut out);
    out
}

/// The consumer groups as JSON.
pub fn groups_json(groups: &[ConsumerGroupId]) -> String {
    let mut out = String::with_capacity(16 + groups.len() * 128);
    list(&mut out, groups, |o, g| {
        o.push('{');
        json_field(
            o,
            "fullyQualifiedNamespace",
            Some(&g.fully_qualified_namespace),
        );
        json_field(o, "eventHubName", Some(&g.event_hub_name));
        json_field(o, "consumerGroup", Some(&g.consumer_group));
        close_object(o);
    });
    out
}

#[wasm_bindgen]
impl BlobCheckpointStore {
    /// `listConsumerGroups(options?)`: every consumer group with blobs in the container.
    #[wasm_bindgen(js_name = listConsumerGroups)]
    pub fn list_consumer_groups(&self, options: JsValue) -> Promise {
        self.run(
            options,
            || Ok(()),
            |inner, (), host| async move { inner.store.list_consumer_groups(&*host).await },
            |v| parse(&groups_json(&v)),
        )
    }

    /// `inspect(fullyQualifiedNamespace, eventHubName, consumerGroup, options?)`: the state of
    /// every partition of a consumer group, and findings.
    pub fn inspect(
        &self,
        namespace: JsValue,
        event_hub: JsValue,
        consumer_group: JsValue,
        options: JsValue,
    ) -> Promise {
        let opts = CallerValue::arg(options.clone(), "options");
        self.run(
            options,
            move || {
                let names = group_args(namespace, event_hub, consumer_group)?;
                Ok((names, inspect_options(&opts)?))
            },
            |inner, ((ns, eh, cg), opts), host| async move {
                inner.store.inspect(&*host, &ns, &eh, &cg, &opts).await
            },
            |v| parse(&inspection_json(&v)),
        )
    }
}
