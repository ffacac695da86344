//! The exported `BlobCheckpointStore` class: argument checking, then the core store run with a
//! [`FetchHost`], its result converted to plain JS objects.

use std::future::Future;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::account_url::AccountUrl;
use crate::connection_string::ConnectionString;
use crate::error::StoreError;
use crate::store::{Store, StoreConfig};

use super::convert::{self, error_to_js};
use super::fetch::{abortable, FetchHost};

pub(crate) struct Inner {
    pub(crate) store: Store,
    token_credential: Option<JsValue>,
}

/// An Event Hubs checkpoint store on Azure Blob Storage (see the README for the full API).
#[wasm_bindgen]
pub struct BlobCheckpointStore {
    inner: Rc<Inner>,
}

fn throw(e: StoreError) -> JsValue {
    error_to_js(&e)
}

#[wasm_bindgen]
impl BlobCheckpointStore {
    /// `new BlobCheckpointStore(blobAccountUrl, containerName, options?)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        blob_account_url: JsValue,
        container_name: JsValue,
        options: JsValue,
    ) -> Result<BlobCheckpointStore, JsValue> {
        let url = convert::string_arg(&blob_account_url, "blobAccountUrl").map_err(throw)?;
        let url = AccountUrl::parse(&url, "blobAccountUrl").map_err(throw)?;
        Self::build(url, &container_name, &options, None, None).map_err(throw)
    }

    /// `BlobCheckpointStore.fromConnectionString(connectionString, containerName, options?)`.
    #[wasm_bindgen(js_name = fromConnectionString)]
    pub fn from_connection_string(
        connection_string: JsValue,
        container_name: JsValue,
        options: JsValue,
    ) -> Result<BlobCheckpointStore, JsValue> {
        let cs = convert::string_arg(&connection_string, "connectionString").map_err(throw)?;
        let cs = ConnectionString::parse(&cs).map_err(throw)?;
        let url =
            AccountUrl::parse(&cs.blob_endpoint, "connectionString BlobEndpoint").map_err(throw)?;
        let cs_credential = match (&cs.account_key, &cs.sas) {
            (Some(key), _) => {
                let account = cs.account_name.clone().unwrap_or_default();
                Some(
                    crate::credential::Credential::shared_key(
                        &account,
                        key,
                        "connectionString AccountKey",
                    )
                    .map_err(throw)?,
                )
            }
            (None, Some(sas)) => Some(
                crate::credential::Credential::sas(sas, "connectionString SharedAccessSignature")
                    .map_err(throw)?,
            ),
            (None, None) => None,
        };
        let secondary = match &cs.secondary_endpoint {
            Some(e) => Some(
                AccountUrl::parse(e, "connectionString BlobSecondaryEndpoint")
                    .map_err(throw)?
                    .authority()
                    .to_string(),
            ),
            None => None,
        };
        Self::build(url, &container_name, &options, cs_credential, secondary).map_err(throw)
    }

    fn build(
        url: AccountUrl,
        container_name: &JsValue,
        options: &JsValue,
        fallback_credential: Option<crate::credential::Credential>,
        fallback_secondary: Option<String>,
    ) -> Result<BlobCheckpointStore, StoreError> {
        let container = convert::string_arg(container_name, "containerName")?;
        let opts = convert::store_options(options)?;
        let (credential, token_credential) = match convert::credential(&opts.credential, &url)? {
            Some((c, t)) => (Some(c), t),
            None => (fallback_credential, None),
        };
        let secondary = opts.secondary_hostname.or(fallback_secondary);
        let mut config = StoreConfig::new(
            url,
            &container,
            opts.api_version.as_deref(),
            credential,
            secondary.as_deref(),
        )?;
        config.retry = opts.retry;
        Ok(BlobCheckpointStore {
            inner: Rc::new(Inner {
                store: Store::new(config),
                token_credential,
            }),
        })
    }

    /// Runs one operation as a Promise: options read, abort honoured, errors converted.
    pub(crate) fn run<T, F, Fut>(
        &self,
        options: JsValue,
        op: F,
        to_js: fn(T) -> Result<JsValue, JsValue>,
    ) -> Promise
    where
        F: FnOnce(Rc<Inner>, FetchHost) -> Fut + 'static,
        Fut: Future<Output = Result<T, StoreError>> + 'static,
        T: 'static,
    {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let signal: Option<AbortSignal> = convert::call_signal(&options).map_err(throw)?;
            let host = FetchHost {
                signal: signal.clone(),
                token_credential: inner.token_credential.clone(),
            };
            match abortable(signal, op(inner, host)).await {
                Ok(v) => to_js(v),
                Err(e) => Err(throw(e)),
            }
        })
    }

    /// `listOwnership(fullyQualifiedNamespace, eventHubName, consumerGroup, options?)`.
    #[wasm_bindgen(js_name = listOwnership)]
    pub fn list_ownership(
        &self,
        namespace: JsValue,
        event_hub: JsValue,
        consumer_group: JsValue,
        options: JsValue,
    ) -> Promise {
        self.run(
            options,
            move |inner, host| async move {
                let (ns, eh, cg) = group_args(&namespace, &event_hub, &consumer_group)?;
                inner.store.list_ownership(&host, &ns, &eh, &cg).await
            },
            |v| convert::ownerships_to_js(&v),
        )
    }

    /// `listCheckpoints(fullyQualifiedNamespace, eventHubName, consumerGroup, options?)`.
    #[wasm_bindgen(js_name = listCheckpoints)]
    pub fn list_checkpoints(
        &self,
        namespace: JsValue,
        event_hub: JsValue,
        consumer_group: JsValue,
        options: JsValue,
    ) -> Promise {
        self.run(
            options,
            move |inner, host| async move {
                let (ns, eh, cg) = group_args(&namespace, &event_hub, &consumer_group)?;
                inner.store.list_checkpoints(&host, &ns, &eh, &cg).await
            },
            |v| convert::checkpoints_to_js(&v),
        )
    }

    /// `claimOwnership(ownerships, options?)`.
    #[wasm_bindgen(js_name = claimOwnership)]
    pub fn claim_ownership(&self, ownerships: JsValue, options: JsValue) -> Promise {
        self.run(
            options,
            move |inner, host| async move {
                let list = convert::ownerships(&ownerships)?;
                inner.store.claim_ownership(&host, list).await
            },
            |v| convert::ownerships_to_js(&v),
        )
    }

    /// `updateCheckpoint(checkpoint, options?)`.
    #[wasm_bindgen(js_name = updateCheckpoint)]
    pub fn update_checkpoint(&self, checkpoint: JsValue, options: JsValue) -> Promise {
        self.run(
            options,
            move |inner, host| async move {
                let c = convert::checkpoint(&checkpoint)?;
                inner.store.update_checkpoint(&host, &c).await
            },
            |()| Ok(JsValue::UNDEFINED),
        )
    }

    /// `close()`: later calls reject; calls under way finish.
    pub fn close(&self) -> Promise {
        self.inner.store.close();
        Promise::resolve(&JsValue::UNDEFINED)
    }
}

pub(crate) fn group_args(
    ns: &JsValue,
    eh: &JsValue,
    cg: &JsValue,
) -> Result<(String, String, String), StoreError> {
    Ok((
        convert::string_arg(ns, "fullyQualifiedNamespace")?,
        convert::string_arg(eh, "eventHubName")?,
        convert::string_arg(cg, "consumerGroup")?,
    ))
}
