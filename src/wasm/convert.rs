//! Converting JS values to the core's types and back, with field-named `TypeError`s for
//! anything of the wrong shape.

use wasm_bindgen::prelude::*;

use crate::account_url::AccountUrl;
use crate::credential::Credential;
use crate::error::StoreError;
use crate::json::{json_field, json_ms, json_str};
use crate::model::{Checkpoint, PartitionOwnership, MAX_OWNERSHIPS_PER_CALL, MAX_SAFE_INTEGER};
use crate::retry::RetryOptions;

use super::caller::{CallerFunction, CallerValue, Kind, Rejection};

/// A required string argument.
pub fn string_arg(v: &CallerValue) -> Result<String, Rejection> {
    v.string()
}

/// `obj`'s first set field of `names`, as a required string.
fn required_string(obj: &CallerValue, names: &[&'static str]) -> Result<String, Rejection> {
    obj.get_first(names)?.string()
}

/// An integer: a JS number without fraction, or a bigint, within the safe range.
fn integer(v: &CallerValue) -> Result<i64, Rejection> {
    let n = match v.kind() {
        Kind::Number => {
            let f = v.number().unwrap_or(f64::NAN);
            if !f.is_finite() || f.fract() != 0.0 || f.abs() > MAX_SAFE_INTEGER as f64 {
                return Err(v.invalid("must be a safe integer"));
            }
            f as i64
        }
        Kind::BigInt => v
            .bigint_i64()
            .filter(|n| n.abs() <= MAX_SAFE_INTEGER)
            .ok_or_else(|| v.invalid("must be a safe integer"))?,
        _ => {
            return Err(v.invalid(format!("must be an integer, got {}", v.type_name())));
        }
    };
    if n < 0 {
        return Err(v.invalid("must not be negative"));
    }
    Ok(n)
}

/// A token credential: the caller's object and its `getToken`, read once at construction.
#[derive(Clone)]
pub struct TokenCredential {
    /// The credential object (`this` of `getToken`).
    pub object: CallerValue,
    /// Its `getToken` method.
    pub get_token: CallerFunction,
}

/// The store's constructor options.
pub struct StoreOptions {
    pub credential: CallerValue,
    pub api_version: Option<String>,
    pub secondary_hostname: Option<String>,
    pub retry: RetryOptions,
}

/// Reads `retryOptions`: `{ maxRetries, retryDelayInMs, maxRetryDelayInMs, timeoutInMs }`, each
/// optional.
fn retry_options(v: &CallerValue) -> Result<RetryOptions, Rejection> {
    let mut r = RetryOptions::default();
    if v.is_nullish() {
        return Ok(r);
    }
    v.expect_object()?;
    let number = |name: &'static str| -> Result<Option<f64>, Rejection> {
        let x = v.get(name)?;
        if x.kind() == Kind::Undefined {
            return Ok(None);
        }
        x.number()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| x.invalid(format!("must be a finite number, got {}", x.type_name())))
    };
    if let Some(n) = number("maxRetries")? {
        if n.fract() != 0.0 || n < 0.0 || n > f64::from(crate::retry::MAX_RETRIES_LIMIT) {
            return Err(StoreError::invalid(
                format!("{}.maxRetries", v.path()),
                format!(
                    "must be a whole number from 0 to {}",
                    crate::retry::MAX_RETRIES_LIMIT
                ),
            )
            .into());
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
pub fn store_options(options: &CallerValue) -> Result<StoreOptions, Rejection> {
    if options.is_nullish() {
        return Ok(StoreOptions {
            credential: CallerValue::arg(JsValue::UNDEFINED, "options.credential"),
            api_version: None,
            secondary_hostname: None,
            retry: RetryOptions::default(),
        });
    }
    options.expect_object()?;
    let opt_string = |name: &'static str| -> Result<Option<String>, Rejection> {
        let v = options.get(name)?;
        if v.is_nullish() {
            Ok(None)
        } else {
            v.string().map(Some)
        }
    };
    Ok(StoreOptions {
        credential: options.get("credential")?,
        api_version: opt_string("apiVersion")?,
        secondary_hostname: opt_string("secondaryHostname")?,
        retry: retry_options(&options.get("retryOptions")?)?,
    })
}

/// Longest account key accepted as bytes (a real one is 64 bytes).
const MAX_KEY_BYTES: u32 = 1024;

/// What a JS credential is: a core credential, plus the object itself for token credentials.
pub fn credential(
    v: &CallerValue,
    url: &AccountUrl,
) -> Result<Option<(Credential, Option<TokenCredential>)>, Rejection> {
    let field = v.path().to_string();
    if v.is_nullish() {
        return Ok(None);
    }
    if v.kind() == Kind::String {
        let s = v.string()?;
        let c = if s.contains("sig=") {
            Credential::sas(&s, &field)?
        } else {
            Credential::shared_key(&url.account, &s, &field).map_err(|_| {
                StoreError::invalid(
                    &field,
                    "a string must be a SAS token or a base64 account key",
                )
            })?
        };
        return Ok(Some((c, None)));
    }
    v.expect_object()?;
    if let Some(get_token) = v.get("getToken")?.function() {
        let token = TokenCredential {
            object: v.clone(),
            get_token,
        };
        return Ok(Some((Credential::Token, Some(token))));
    }
    let sig = v.get("signature")?;
    if sig.kind() != Kind::Undefined {
        let s = sig.string()?;
        return Ok(Some((Credential::sas(&s, sig.path())?, None)));
    }
    for (name_key, key_key) in [("name", "key"), ("accountName", "accountKey")] {
        let name = v.get(name_key)?;
        if name.kind() == Kind::Undefined {
            continue;
        }
        let name = name.string()?;
        let key = v.get(key_key)?;
        // @azure/storage-blob's StorageSharedKeyCredential keeps the key as decoded bytes.
        let key_b64 = if key.kind() == Kind::String {
            key.string()?
        } else if let Some(bytes) = key.bytes(MAX_KEY_BYTES)? {
            crate::b64::encode(&bytes)
        } else {
            return Err(key.invalid("must be a base64 string"));
        };
        return Ok(Some((
            Credential::shared_key(&name, &key_b64, key.path())?,
            None,
        )));
    }
    Err(StoreError::invalid(
        field,
        "must be a SAS string, an account key string, { signature }, { name, key }, { accountName, accountKey } or a TokenCredential",
    )
    .into())
}

/// A caller's `abortSignal`, read once at the door: whether it had fired, and its
/// `addEventListener`/`removeEventListener` for the call's one listener.
pub struct CallerSignal {
    /// The signal object (`this` of its methods).
    pub signal: CallerValue,
    /// `aborted` when the call began.
    pub aborted: bool,
    /// `signal.addEventListener`.
    pub add: CallerFunction,
    /// `signal.removeEventListener`, if it has one.
    pub remove: Option<CallerFunction>,
}

/// The `abortSignal` of a call's options.
pub fn call_signal(options: &CallerValue) -> Result<Option<CallerSignal>, Rejection> {
    if options.is_nullish() {
        return Ok(None);
    }
    options.expect_object()?;
    let s = options.get("abortSignal")?;
    if s.is_nullish() {
        return Ok(None);
    }
    let not_a_signal = || s.invalid("must be an AbortSignal");
    if s.kind() != Kind::Object {
        return Err(not_a_signal());
    }
    let aborted = s.get("aborted")?.boolean().ok_or_else(not_a_signal)?;
    let add = s
        .get("addEventListener")?
        .function()
        .ok_or_else(not_a_signal)?;
    let remove = s.get("removeEventListener")?.function();
    Ok(Some(CallerSignal {
        signal: s,
        aborted,
        add,
        remove,
    }))
}

/// Reads the `ownerships` array of `claimOwnership`: its length is checked against
/// [`MAX_OWNERSHIPS_PER_CALL`] before any element is read or anything allocated.
pub fn ownerships(v: &CallerValue) -> Result<Vec<PartitionOwnership>, Rejection> {
    let len = v.array_len(MAX_OWNERSHIPS_PER_CALL)?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let item = v.index(i)?;
        item.expect_object()?;
        let etag = item.get("etag")?;
        let etag = if etag.is_nullish() {
            None
        } else {
            Some(etag.string()?)
        };
        out.push(PartitionOwnership {
            fully_qualified_namespace: required_string(
                &item,
                &["fullyQualifiedNamespace", "fully_qualified_namespace"],
            )?,
            event_hub_name: required_string(&item, &["eventHubName", "eventhub_name"])?,
            consumer_group: required_string(&item, &["consumerGroup", "consumer_group"])?,
            partition_id: required_string(&item, &["partitionId", "partition_id"])?,
            owner_id: required_string(&item, &["ownerId", "owner_id"])?,
            etag,
            last_modified_ms: None,
        });
    }
    Ok(out)
}

/// Reads the checkpoint of `updateCheckpoint`.
pub fn checkpoint(v: &CallerValue) -> Result<Checkpoint, Rejection> {
    v.expect_object()?;
    let sequence_number = integer(&v.get_first(&["sequenceNumber", "sequence_number"])?)?;
    let off = v.get_first(&["offset"])?;
    let offset = match off.kind() {
        Kind::String => off.string()?,
        Kind::Number | Kind::BigInt => integer(&off)?.to_string(),
        _ => {
            return Err(off.invalid(format!(
                "must be a string or an integer, got {}",
                off.type_name()
            )))
        }
    };
    Ok(Checkpoint {
        fully_qualified_namespace: required_string(
            v,
            &["fullyQualifiedNamespace", "fully_qualified_namespace"],
        )?,
        event_hub_name: required_string(v, &["eventHubName", "eventhub_name"])?,
        consumer_group: required_string(v, &["consumerGroup", "consumer_group"])?,
        partition_id: required_string(v, &["partitionId", "partition_id"])?,
        sequence_number,
        offset,
    })
}

// Results go out as one JSON text and one `JSON.parse`: one crossing of the boundary per call,
// where building each object field by field costs two or three per field.

pub(crate) fn parse(json: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(json)
}

/// Starts the `i`-th object of a result array with the four names every result carries.
fn open_partition(out: &mut String, i: usize, names: [&str; 4]) {
    if i > 0 {
        out.push(',');
    }
    out.push('{');
    for (key, value) in [
        "fullyQualifiedNamespace",
        "eventHubName",
        "consumerGroup",
        "partitionId",
    ]
    .into_iter()
    .zip(names)
    {
        json_field(out, key, Some(value));
    }
}

/// Ownerships as JSON: plain objects in `@azure/event-hubs`' shape.
pub fn ownerships_json(list: &[PartitionOwnership]) -> String {
    let mut out = String::with_capacity(64 + list.len() * 256);
    out.push('[');
    for (i, o) in list.iter().enumerate() {
        open_partition(
            &mut out,
            i,
            [
                &o.fully_qualified_namespace,
                &o.event_hub_name,
                &o.consumer_group,
                &o.partition_id,
            ],
        );
        json_field(&mut out, "ownerId", Some(&o.owner_id));
        json_str(&mut out, "lastModifiedTimeInMs");
        out.push(':');
        out.push_str(&o.last_modified_ms.map_or("null".into(), json_ms));
        out.push(',');
        json_str(&mut out, "etag");
        out.push(':');
        match &o.etag {
            Some(e) => json_str(&mut out, e),
            None => out.push_str("null"),
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// Checkpoints as JSON: plain objects in `@azure/event-hubs`' shape.
pub fn checkpoints_json(list: &[Checkpoint]) -> String {
    let mut out = String::with_capacity(64 + list.len() * 256);
    out.push('[');
    for (i, c) in list.iter().enumerate() {
        open_partition(
            &mut out,
            i,
            [
                &c.fully_qualified_namespace,
                &c.event_hub_name,
                &c.consumer_group,
                &c.partition_id,
            ],
        );
        json_str(&mut out, "sequenceNumber");
        out.push(':');
        // Within the safe range (checked on the way in and out), so exact as a JS number.
        out.push_str(&c.sequence_number.to_string());
        out.push(',');
        json_str(&mut out, "offset");
        out.push(':');
        json_str(&mut out, &c.offset);
        out.push('}');
    }
    out.push(']');
    out
}

/// Appends the array in `json` to `out` with one `JSON.parse` and one `push.apply`: a listing
/// becomes JS objects a page at a time, so wasm memory holds one page, not the listing.
pub fn append_json(out: &js_sys::Array, json: &str) -> Result<(), StoreError> {
    // Arguments of one `apply`, well under what every engine takes.
    const CHUNK: u32 = 8192;
    let bad = |_| {
        StoreError::no_response(
            "InvalidResult",
            "a page of results could not be handed to JavaScript",
        )
    };
    let page: js_sys::Array = parse(json).map_err(bad)?.unchecked_into();
    let push: js_sys::Function = js_sys::Reflect::get(out, &JsValue::from_str("push"))
        .map_err(bad)?
        .unchecked_into();
    let n = page.length();
    let mut at = 0;
    while at < n {
        let chunk = if n <= CHUNK {
            page.clone()
        } else {
            page.slice(at, (at + CHUNK).min(n))
        };
        js_sys::Reflect::apply(&push, out, &chunk).map_err(bad)?;
        at += CHUNK;
    }
    Ok(())
}

/// Ownerships as an array of plain objects.
pub fn ownerships_to_js(list: &[PartitionOwnership]) -> Result<JsValue, JsValue> {
    parse(&ownerships_json(list))
}
