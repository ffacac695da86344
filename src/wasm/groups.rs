//! `listConsumerGroups` and `inspect` of the exported class: read the options, run the core,
//! convert the result to plain JS objects (optional fields absent, not null).

use js_sys::{Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::StoreError;
use crate::groups::ConsumerGroupId;
use crate::health::{Finding, GroupInspection, HealthOptions, PartitionState};

use super::api::{group_args, BlobCheckpointStore};

/// Reads `{ ownershipExpiryMs?, stallThresholdMs?, clockSkewThresholdMs? }` (and `abortSignal`,
/// read by the caller). A getter that throws rejects the call.
fn inspect_options(options: &JsValue) -> Result<HealthOptions, StoreError> {
    let mut o = HealthOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(o);
    }
    // `typeof`, not Array.isArray, which throws on a revoked Proxy.
    if !options.is_object() {
        return Err(StoreError::invalid("options", "must be an object"));
    }
    for (name, slot) in [
        ("ownershipExpiryMs", &mut o.ownership_expiry_ms),
        ("stallThresholdMs", &mut o.stall_threshold_ms),
        ("clockSkewThresholdMs", &mut o.clock_skew_threshold_ms),
    ] {
        let field = format!("options.{name}");
        let v = Reflect::get(options, &JsValue::from_str(name))
            .map_err(|_| StoreError::invalid(&field, "could not be read (its getter threw)"))?;
        if v.is_undefined() {
            continue;
        }
        *slot = v
            .as_f64()
            .ok_or_else(|| StoreError::invalid(&field, "must be a number of milliseconds"))?;
    }
    o.validate()?;
    Ok(o)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupIdOut<'a> {
    fully_qualified_namespace: &'a str,
    event_hub_name: &'a str,
    consumer_group: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckpointOut<'a> {
    sequence_number: i64,
    offset: &'a str,
    last_modified_time_in_ms: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartitionOut<'a> {
    partition_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ownership_last_modified_time_in_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ownership_etag: Option<&'a str>,
    expired: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint: Option<CheckpointOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingOut<'a> {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    partition_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blob: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<&'a str>,
    message: &'a str,
    action: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OwnerOut<'a> {
    owner_id: &'a str,
    partitions: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InspectionOut<'a> {
    fully_qualified_namespace: &'a str,
    event_hub_name: &'a str,
    consumer_group: &'a str,
    inspected_at_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_time_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clock_skew_ms: Option<f64>,
    ownership_expiry_ms: f64,
    stall_threshold_ms: f64,
    owners: Vec<OwnerOut<'a>>,
    partitions: Vec<PartitionOut<'a>>,
    findings: Vec<FindingOut<'a>>,
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

fn partition_out(p: &PartitionState) -> PartitionOut<'_> {
    PartitionOut {
        partition_id: &p.partition_id,
        owner_id: p.owner_id.as_deref(),
        ownership_last_modified_time_in_ms: p.ownership_last_modified_ms,
        ownership_etag: p.ownership_etag.as_deref(),
        expired: p.expired,
        checkpoint: p.checkpoint.as_ref().map(|c| CheckpointOut {
            sequence_number: c.sequence_number,
            offset: &c.offset,
            last_modified_time_in_ms: c.last_modified_ms,
        }),
    }
}

fn finding_out(f: &Finding) -> FindingOut<'_> {
    FindingOut {
        code: f.code.as_str(),
        partition_id: f.partition_id.as_deref(),
        blob: f.blob.as_deref(),
        owner_id: f.owner_id.as_deref(),
        message: &f.message,
        action: &f.action,
    }
}

fn inspection_to_js(i: GroupInspection) -> Result<JsValue, JsValue> {
    to_js(&InspectionOut {
        fully_qualified_namespace: &i.fully_qualified_namespace,
        event_hub_name: &i.event_hub_name,
        consumer_group: &i.consumer_group,
        inspected_at_ms: i.inspected_at_ms,
        server_time_ms: i.server_time_ms,
        clock_skew_ms: i.clock_skew_ms,
        ownership_expiry_ms: i.ownership_expiry_ms,
        stall_threshold_ms: i.stall_threshold_ms,
        owners: i
            .owners
            .iter()
            .map(|o| OwnerOut {
                owner_id: &o.owner_id,
                partitions: o.partitions,
            })
            .collect(),
        partitions: i.partitions.iter().map(partition_out).collect(),
        findings: i.findings.iter().map(finding_out).collect(),
    })
}

fn groups_to_js(list: Vec<ConsumerGroupId>) -> Result<JsValue, JsValue> {
    let out: Vec<GroupIdOut> = list
        .iter()
        .map(|g| GroupIdOut {
            fully_qualified_namespace: &g.fully_qualified_namespace,
            event_hub_name: &g.event_hub_name,
            consumer_group: &g.consumer_group,
        })
        .collect();
    to_js(&out)
}

#[wasm_bindgen]
impl BlobCheckpointStore {
    /// `listConsumerGroups(options?)`: every consumer group with blobs in the container.
    #[wasm_bindgen(js_name = listConsumerGroups)]
    pub fn list_consumer_groups(&self, options: JsValue) -> Promise {
        self.run(
            options,
            move |inner, host| async move { inner.store.list_consumer_groups(&host).await },
            groups_to_js,
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
        let opts = inspect_options(&options);
        self.run(
            options,
            move |inner, host| async move {
                let (ns, eh, cg) = group_args(&namespace, &event_hub, &consumer_group)?;
                let opts = opts?;
                inner.store.inspect(&host, &ns, &eh, &cg, &opts).await
            },
            inspection_to_js,
        )
    }
}
