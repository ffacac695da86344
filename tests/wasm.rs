//! The Rust API compiled to wasm32, driven against Azurite through the host's real `fetch`:
//! in Node (`wasm-pack test --node`) and in headless Chromium (`--headless --chrome`).
//! tests/run sets AZURITE_BLOB_URL and AZURITE_TEST_CONTAINER when it builds these tests.
#![cfg(target_arch = "wasm32")]

use eventhubs_checkpointstore_blob_wasm::account_url::AccountUrl;
use eventhubs_checkpointstore_blob_wasm::connection_string::{DEV_ACCOUNT, DEV_ACCOUNT_KEY};
use eventhubs_checkpointstore_blob_wasm::credential::Credential;
use eventhubs_checkpointstore_blob_wasm::json::request_init;
use eventhubs_checkpointstore_blob_wasm::wasm::caller::{CallerValue, Rejection};
use eventhubs_checkpointstore_blob_wasm::wasm::convert::call_signal;
use eventhubs_checkpointstore_blob_wasm::wasm::fetch::{clamp_timer, FetchHost};
use eventhubs_checkpointstore_blob_wasm::{
    Checkpoint, PartitionOwnership, Store, StoreConfig, StoreError,
};
use wasm_bindgen_test::*;

fn azurite_url() -> &'static str {
    // Without tests/run, the emulator's default address.
    option_env!("AZURITE_BLOB_URL").unwrap_or("http://127.0.0.1:10000/devstoreaccount1")
}

fn store_for(container: &str) -> Store {
    let url = AccountUrl::parse(azurite_url(), "url").unwrap();
    let cred = Credential::shared_key(DEV_ACCOUNT, DEV_ACCOUNT_KEY, "key").unwrap();
    Store::new(StoreConfig::new(url, container, None, Some(cred), None).unwrap())
}

fn store() -> Store {
    store_for(option_env!("AZURITE_TEST_CONTAINER").unwrap_or("wasm-node"))
}

fn host() -> FetchHost {
    FetchHost::for_call(None, None).unwrap()
}

/// A host for a call given `{ abortSignal: signal }`, read through the door as the API does.
fn host_with(signal: &web_sys::AbortSignal) -> Result<FetchHost, Rejection> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"abortSignal".into(), signal).unwrap();
    let signal = call_signal(&CallerValue::arg(options.into(), "options"))?;
    FetchHost::for_call(signal, None)
}

/// A namespace of its own per test, so tests and runs never see each other's blobs.
fn unique_ns(tag: &str) -> String {
    format!(
        "{tag}-{}.servicebus.windows.net",
        (js_sys::Math::random() * 1e12) as u64
    )
}

fn own(ns: &str, pid: &str, owner: &str, etag: Option<String>) -> PartitionOwnership {
    PartitionOwnership {
        fully_qualified_namespace: ns.into(),
        event_hub_name: "Telemetry".into(),
        consumer_group: "$Default".into(),
        partition_id: pid.into(),
        owner_id: owner.into(),
        etag,
        last_modified_ms: None,
    }
}

#[wasm_bindgen_test]
async fn claim_renew_and_lose_with_a_stale_etag() {
    let (s, h, ns) = (store(), host(), unique_ns("claim"));
    let won = s
        .claim_ownership(
            &h,
            (0..4)
                .map(|p| own(&ns, &p.to_string(), "a", None))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(won.len(), 4);
    let listed = s
        .list_ownership(&h, &ns, "Telemetry", "$Default")
        .await
        .unwrap();
    assert_eq!(listed.len(), 4);
    for o in &won {
        let l = listed
            .iter()
            .find(|l| l.partition_id == o.partition_id)
            .unwrap();
        assert_eq!(l.etag, o.etag);
        assert_eq!(l.last_modified_ms, o.last_modified_ms);
    }
    // Someone else cannot take a held partition without its etag.
    assert!(s
        .claim_ownership(&h, vec![own(&ns, "0", "b", None)])
        .await
        .unwrap()
        .is_empty());
    let renewed = s
        .claim_ownership(&h, vec![own(&ns, "0", "a", won[0].etag.clone())])
        .await
        .unwrap();
    assert_eq!(renewed.len(), 1);
    let stale = s
        .claim_ownership(&h, vec![own(&ns, "0", "b", won[0].etag.clone())])
        .await
        .unwrap();
    assert!(stale.is_empty());
}

#[wasm_bindgen_test]
async fn checkpoints_round_trip() {
    let (s, h, ns) = (store(), host(), unique_ns("ckpt"));
    for (pid, seq, off) in [
        ("0", 0, "0"),
        ("1", 1 << 40, "123456789012"),
        ("1", (1 << 40) + 1, "123456789013"),
    ] {
        let c = Checkpoint {
            fully_qualified_namespace: ns.clone(),
            event_hub_name: "Telemetry".into(),
            consumer_group: "$Default".into(),
            partition_id: pid.into(),
            sequence_number: seq,
            offset: off.into(),
        };
        s.update_checkpoint(&h, &c).await.unwrap();
    }
    let mut list = s
        .list_checkpoints(&h, &ns, "Telemetry", "$Default")
        .await
        .unwrap();
    list.sort_by(|a, b| a.partition_id.cmp(&b.partition_id));
    assert_eq!(list.len(), 2);
    assert_eq!((list[0].sequence_number, list[0].offset.as_str()), (0, "0"));
    assert_eq!(
        (list[1].sequence_number, list[1].offset.as_str()),
        ((1 << 40) + 1, "123456789013")
    );
}

#[wasm_bindgen_test]
async fn missing_container_is_a_404() {
    let (s, h, ns) = (store_for("no-such-container"), host(), unique_ns("missing"));
    let err = s
        .claim_ownership(&h, vec![own(&ns, "0", "a", None)])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("ContainerNotFound"));
}

#[wasm_bindgen_test]
async fn abort_before_and_during_a_call() {
    let (s, ns) = (store(), unique_ns("abort"));
    let before = web_sys::AbortController::new().unwrap();
    before.abort();
    match host_with(&before.signal()) {
        Err(Rejection::Store(e)) => assert_eq!(e, StoreError::Aborted),
        _ => panic!("an aborted signal must reject at the door"),
    }

    // Aborted from another task while the request is in flight.
    let during = web_sys::AbortController::new().unwrap();
    let h = host_with(&during.signal()).unwrap();
    let aborter = during.clone();
    wasm_bindgen_futures::spawn_local(async move { aborter.abort() });
    let err = h
        .run(Box::pin(async {
            s.list_ownership(&h, &ns, "Telemetry", "$Default")
                .await
                .map(|_| wasm_bindgen::JsValue::UNDEFINED)
                .map_err(Rejection::from)
        }))
        .await
        .unwrap_err();
    assert!(matches!(err, Rejection::Store(StoreError::Aborted)));

    // The store is not harmed.
    assert!(s
        .list_ownership(&host(), &ns, "Telemetry", "$Default")
        .await
        .unwrap()
        .is_empty());
}

#[wasm_bindgen_test]
fn timers_are_clamped_to_what_hosts_accept() {
    assert_eq!(clamp_timer(0.0), 1.0);
    assert_eq!(clamp_timer(-5.0), 1.0);
    assert_eq!(clamp_timer(f64::NAN), 1.0);
    assert_eq!(clamp_timer(1e12), 2_147_483_647.0);
    assert_eq!(clamp_timer(f64::INFINITY), 2_147_483_647.0);
    assert_eq!(clamp_timer(250.0), 250.0);
}

#[wasm_bindgen_test]
fn fetch_init_is_json_with_manual_redirects() {
    use eventhubs_checkpointstore_blob_wasm::http::Request;
    let r = Request::new("PUT", "http://x/".into())
        .header("x-ms-meta-ownerid", "a\"b\\c")
        .header("if-none-match", "*");
    let json = request_init(&r);
    assert_eq!(
        json,
        r#"{"method":"PUT","redirect":"manual","headers":{"x-ms-meta-ownerid":"a\"b\\c","if-none-match":"*"}}"#
    );
    assert!(js_sys::JSON::parse(&json).is_ok());
}

#[wasm_bindgen_test]
fn results_go_out_as_json_the_shape_of_the_sdk() {
    use eventhubs_checkpointstore_blob_wasm::wasm::convert::{checkpoints_json, ownerships_json};
    let mut o = own("ns", "0", "w\"1\\\n", Some("\"0x1\"".into()));
    o.last_modified_ms = Some(1_732_573_495_123.0);
    let parsed =
        js_sys::JSON::parse(&ownerships_json(&[o.clone(), own("ns", "1", "", None)])).unwrap();
    let first = js_sys::Reflect::get(&parsed, &0.into()).unwrap();
    let get = |v: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap();
    assert_eq!(get(&first, "ownerId").as_string().unwrap(), "w\"1\\\n");
    assert_eq!(get(&first, "etag").as_string().unwrap(), "\"0x1\"");
    assert_eq!(
        get(&first, "lastModifiedTimeInMs").as_f64(),
        Some(1_732_573_495_123.0)
    );
    let second = js_sys::Reflect::get(&parsed, &1.into()).unwrap();
    assert!(get(&second, "etag").is_null());
    assert!(get(&second, "lastModifiedTimeInMs").is_null());
    let c = Checkpoint {
        fully_qualified_namespace: "ns".into(),
        event_hub_name: "eh".into(),
        consumer_group: "$Default".into(),
        partition_id: "7".into(),
        sequence_number: 9_007_199_254_740_991,
        offset: "12".into(),
    };
    let parsed = js_sys::JSON::parse(&checkpoints_json(&[c])).unwrap();
    let first = js_sys::Reflect::get(&parsed, &0.into()).unwrap();
    assert_eq!(
        get(&first, "sequenceNumber").as_f64(),
        Some(9_007_199_254_740_991.0)
    );
    assert_eq!(
        get(&first, "consumerGroup").as_string().unwrap(),
        "$Default"
    );
}
