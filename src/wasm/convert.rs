//! Converting JS values to the core's types and back, with field-named `TypeError`s for
//! anything of the wrong shape.

use js_sys::{Array, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::account_url::AccountUrl;
use crate::credential::Credential;
use crate::error::StoreError;
use crate::model::{Checkpoint, PartitionOwnership, MAX_SAFE_INTEGER};
use crate::retry::RetryOptions;

// Errors moved to `errors`; re-exported so callers keep their import.
pub use super::errors::error_to_js;

fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The first of `names` that is set (not undefined/null) on `obj`, and the name it had.
fn first_set<'a>(obj: &JsValue, names: &[&'a str]) -> (JsValue, &'a str) {
    for n in names {
        let v = prop(obj, n);
        if !v.is_undefined() && !v.is_null() {
            return (v, n);
        }
    }
    (JsValue::UNDEFINED, names[0])
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// A plain object (not null, not an array, not a function).
pub fn expect_object(v: &JsValue, field: &str) -> Result<(), StoreError> {
    if v.is_object() && !Array::is_array(v) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("must be an object, got {}", type_name(v)),
        ))
    }
}

fn type_name(v: &JsValue) -> &'static str {
    if v.is_null() {
        "null"
    } else if v.is_undefined() {
        "undefined"
    } else if Array::is_array(v) {
        "an array"
    } else if v.is_string() {
        "a string"
    } else if v.as_f64().is_some() {
        "a number"
    } else if v.is_bigint() {
        "a bigint"
    } else if v.is_function() {
        "a function"
    } else if v.is_object() {
        "an object"
    } else {
        "a boolean or symbol"
    }
}

/// A required string argument.
pub fn string_arg(v: &JsValue, field: &str) -> Result<String, StoreError> {
    v.as_string().ok_or_else(|| {
        StoreError::invalid(field, format!("must be a string, got {}", type_name(v)))
    })
}

fn required_string(obj: &JsValue, names: &[&str], path: &str) -> Result<String, StoreError> {
    let (v, name) = first_set(obj, names);
    string_arg(&v, &join(path, name))
}

/// An integer: a JS number without fraction, or a bigint, within the safe range.
fn integer(v: &JsValue, field: &str) -> Result<i64, StoreError> {
    let n = if let Some(f) = v.as_f64() {
        if !f.is_finite() || f.fract() != 0.0 || f.abs() > MAX_SAFE_INTEGER as f64 {
            return Err(StoreError::invalid(field, "must be a safe integer"));
        }
        f as i64
    } else if v.is_bigint() {
        let s: String = js_sys::BigInt::from(v.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        s.parse::<i64>()
            .ok()
            .filter(|n| n.abs() <= MAX_SAFE_INTEGER)
            .ok_or_else(|| StoreError::invalid(field, "must be a safe integer"))?
    } else {
        return Err(StoreError::invalid(
            field,
            format!("must be an integer, got {}", type_name(v)),
        ));
    };
    if n < 0 {
        return Err(StoreError::invalid(field, "must not be negative"));
    }
    Ok(n)
}

/// The store's constructor options.
pub struct StoreOptions {
    pub credential: JsValue,
    pub api_version: Option<String>,
    pub secondary_hostname: Option<String>,
    pub retry: RetryOptions,
}

/// Reads `retryOptions`: `{ maxRetries, retryDelayInMs, maxRetryDelayInMs, timeoutInMs }`, each
/// optional.
fn retry_options(v: &JsValue) -> Result<RetryOptions, StoreError> {
    const P: &str = "options.retryOptions";
    let mut r = RetryOptions::default();
    if v.is_undefined() || v.is_null() {
        return Ok(r);
    }
    expect_object(v, P)?;
    let number = |name: &str| -> Result<Option<f64>, StoreError> {
        let x = prop(v, name);
        if x.is_undefined() {
            return Ok(None);
        }
        x.as_f64()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| {
                StoreError::invalid(
                    format!("{P}.{name}"),
                    format!("must be a finite number, got {}", type_name(&x)),
                )
            })
    };
    if let Some(n) = number("maxRetries")? {
        if n.fract() != 0.0 || n < 0.0 || n > f64::from(crate::retry::MAX_RETRIES_LIMIT) {
            return Err(StoreError::invalid(
                format!("{P}.maxRetries"),
                format!(
                    "must be a whole number from 0 to {}",
                    crate::retry::MAX_RETRIES_LIMIT
                ),
            ));
        }
        r.max_retries = n as u32;
    }
    if let Some(n) = number("retryDelayInMs")? {
        r.retry_delay_ms = n;
    }
    if let Some(n) = number("maxRetryDelayInMs")? {
        r.max_retry_delay_ms = n;
    }
    if let Some(n) = number("timeoutInMs")? {
        r.timeout_ms = n;
    }
    r.validate()?;
    Ok(r)
}

/// Reads `{ credential?, apiVersion?, secondaryHostname?, retryOptions? }`.
pub fn store_options(options: &JsValue) -> Result<StoreOptions, StoreError> {
    if options.is_undefined() || options.is_null() {
        return Ok(StoreOptions {
            credential: JsValue::UNDEFINED,
            api_version: None,
            secondary_hostname: None,
            retry: RetryOptions::default(),
        });
    }
    expect_object(options, "options")?;
    let opt_string = |name: &str| -> Result<Option<String>, StoreError> {
        let v = prop(options, name);
        if v.is_undefined() || v.is_null() {
            Ok(None)
        } else {
            string_arg(&v, &format!("options.{name}")).map(Some)
        }
    };
    Ok(StoreOptions {
        credential: prop(options, "credential"),
        api_version: opt_string("apiVersion")?,
        secondary_hostname: opt_string("secondaryHostname")?,
        retry: retry_options(&prop(options, "retryOptions"))?,
    })
}

/// What a JS credential is: a core credential, plus the object itself for token credentials.
pub fn credential(
    v: &JsValue,
    url: &AccountUrl,
) -> Result<Option<(Credential, Option<JsValue>)>, StoreError> {
    const FIELD: &str = "options.credential";
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        let c = if s.contains("sig=") {
            Credential::sas(&s, FIELD)?
        } else {
            Credential::shared_key(&url.account, &s, FIELD).map_err(|_| {
                StoreError::invalid(
                    FIELD,
                    "a string must be a SAS token or a base64 account key",
                )
            })?
        };
        return Ok(Some((c, None)));
    }
    expect_object(v, FIELD)?;
    if prop(v, "getToken").is_function() {
        return Ok(Some((Credential::Token, Some(v.clone()))));
    }
    let sig = prop(v, "signature");
    if !sig.is_undefined() {
        let s = string_arg(&sig, &format!("{FIELD}.signature"))?;
        return Ok(Some((
            Credential::sas(&s, &format!("{FIELD}.signature"))?,
            None,
        )));
    }
    for (name_key, key_key) in [("name", "key"), ("accountName", "accountKey")] {
        let name = prop(v, name_key);
        if name.is_undefined() {
            continue;
        }
        let name = string_arg(&name, &format!("{FIELD}.{name_key}"))?;
        let key = prop(v, key_key);
        let key_field = format!("{FIELD}.{key_key}");
        // @azure/storage-blob's StorageSharedKeyCredential keeps the key as decoded bytes.
        let key_b64 = if let Some(k) = key.as_string() {
            k
        } else if let Some(bytes) = key.dyn_ref::<Uint8Array>() {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(bytes.to_vec())
        } else {
            return Err(StoreError::invalid(key_field, "must be a base64 string"));
        };
        return Ok(Some((
            Credential::shared_key(&name, &key_b64, &key_field)?,
            None,
        )));
    }
    Err(StoreError::invalid(
        FIELD,
        "must be a SAS string, an account key string, { signature }, { name, key }, { accountName, accountKey } or a TokenCredential",
    ))
}

/// The `abortSignal` of a call's options.
pub fn call_signal(options: &JsValue) -> Result<Option<AbortSignal>, StoreError> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    expect_object(options, "options")?;
    let s = prop(options, "abortSignal");
    if s.is_undefined() || s.is_null() {
        return Ok(None);
    }
    if !s.is_object()
        || prop(&s, "aborted").as_bool().is_none()
        || !prop(&s, "addEventListener").is_function()
    {
        return Err(StoreError::invalid(
            "options.abortSignal",
            "must be an AbortSignal",
        ));
    }
    Ok(Some(s.unchecked_into()))
}

/// Reads the `ownerships` array of `claimOwnership`.
pub fn ownerships(v: &JsValue) -> Result<Vec<PartitionOwnership>, StoreError> {
    if !Array::is_array(v) {
        return Err(StoreError::invalid(
            "ownerships",
            format!("must be an array, got {}", type_name(v)),
        ));
    }
    let arr: &Array = v.unchecked_ref();
    let mut out = Vec::with_capacity(arr.length() as usize);
    for (i, item) in arr.iter().enumerate() {
        let path = format!("ownerships[{i}]");
        expect_object(&item, &path)?;
        let (etag, etag_name) = first_set(&item, &["etag"]);
        let etag = if etag.is_undefined() {
            None
        } else {
            Some(string_arg(&etag, &join(&path, etag_name))?)
        };
        out.push(PartitionOwnership {
            fully_qualified_namespace: required_string(
                &item,
                &["fullyQualifiedNamespace", "fully_qualified_namespace"],
                &path,
            )?,
            event_hub_name: required_string(&item, &["eventHubName", "eventhub_name"], &path)?,
            consumer_group: required_string(&item, &["consumerGroup", "consumer_group"], &path)?,
            partition_id: required_string(&item, &["partitionId", "partition_id"], &path)?,
            owner_id: required_string(&item, &["ownerId", "owner_id"], &path)?,
            etag,
            last_modified_ms: None,
        });
    }
    Ok(out)
}

/// Reads the checkpoint of `updateCheckpoint`.
pub fn checkpoint(v: &JsValue) -> Result<Checkpoint, StoreError> {
    const PATH: &str = "checkpoint";
    expect_object(v, PATH)?;
    let (seq, seq_name) = first_set(v, &["sequenceNumber", "sequence_number"]);
    let sequence_number = integer(&seq, &join(PATH, seq_name))?;
    let (off, off_name) = first_set(v, &["offset"]);
    let offset = if let Some(s) = off.as_string() {
        s
    } else if off.as_f64().is_some() || off.is_bigint() {
        integer(&off, &join(PATH, off_name))?.to_string()
    } else {
        return Err(StoreError::invalid(
            join(PATH, off_name),
            format!("must be a string or an integer, got {}", type_name(&off)),
        ));
    };
    Ok(Checkpoint {
        fully_qualified_namespace: required_string(
            v,
            &["fullyQualifiedNamespace", "fully_qualified_namespace"],
            PATH,
        )?,
        event_hub_name: required_string(v, &["eventHubName", "eventhub_name"], PATH)?,
        consumer_group: required_string(v, &["consumerGroup", "consumer_group"], PATH)?,
        partition_id: required_string(v, &["partitionId", "partition_id"], PATH)?,
        sequence_number,
        offset,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OwnershipOut<'a> {
    fully_qualified_namespace: &'a str,
    event_hub_name: &'a str,
    consumer_group: &'a str,
    partition_id: &'a str,
    owner_id: &'a str,
    last_modified_time_in_ms: Option<f64>,
    etag: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckpointOut<'a> {
    fully_qualified_namespace: &'a str,
    event_hub_name: &'a str,
    consumer_group: &'a str,
    partition_id: &'a str,
    sequence_number: i64,
    offset: &'a str,
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// Ownerships as an array of plain objects.
pub fn ownerships_to_js(list: &[PartitionOwnership]) -> Result<JsValue, JsValue> {
    let out: Vec<OwnershipOut> = list
        .iter()
        .map(|o| OwnershipOut {
            fully_qualified_namespace: &o.fully_qualified_namespace,
            event_hub_name: &o.event_hub_name,
            consumer_group: &o.consumer_group,
            partition_id: &o.partition_id,
            owner_id: &o.owner_id,
            last_modified_time_in_ms: o.last_modified_ms,
            etag: o.etag.as_deref(),
        })
        .collect();
    to_js(&out)
}

/// Checkpoints as an array of plain objects.
pub fn checkpoints_to_js(list: &[Checkpoint]) -> Result<JsValue, JsValue> {
    let out: Vec<CheckpointOut> = list
        .iter()
        .map(|c| CheckpointOut {
            fully_qualified_namespace: &c.fully_qualified_namespace,
            event_hub_name: &c.event_hub_name,
            consumer_group: &c.consumer_group,
            partition_id: &c.partition_id,
            sequence_number: c.sequence_number,
            offset: &c.offset,
        })
        .collect();
    to_js(&out)
}
