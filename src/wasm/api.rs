//! The exported `BlobCheckpointStore` class: arguments read at the door (through
//! [`CallerValue`], the only reader of caller values), then the core store run with a
//! [`FetchHost`], its result converted to plain JS objects.
//!
//! Every method reads its arguments synchronously, before it returns its promise: a value that
//! throws, or one of the wrong shape, rejects that promise and nothing is sent.

use std::future::Future;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// A boxed future of the wasm thread (no `Send`).
type LocalBoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T>>>;

use crate::account_url::AccountUrl;
use crate::connection_string::ConnectionString;
use crate::error::StoreError;
use crate::store::{Store, StoreConfig};

use super::caller::{CallerValue, Rejection};
use super::convert::{self, TokenCredential};
use super::fetch::FetchHost;

pub(crate) struct Inner {
    pub(crate) store: Store,
    token_credential: Option<TokenCredential>,
}

/// An Event Hubs checkpoint store on Azure Blob Storage (see the README for the full API).
#[wasm_bindgen]
pub struct BlobCheckpointStore {
    inner: Rc<Inner>,
}

fn throw(e: impl Into<Rejection>) -> JsValue {
    e.into().into_js()
}

fn rejected(e: impl Into<Rejection>) -> Promise {
    Promise::reject(&throw(e))
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
        let url = convert::string_arg(&CallerValue::arg(blob_account_url, "blobAccountUrl"))
            .map_err(throw)?;
        let url = AccountUrl::parse(&url, "blobAccountUrl").map_err(throw)?;
        Self::build(url, container_name, options, None, None).map_err(throw)
    }

    /// `BlobCheckpointStore.fromConnectionString(connectionString, containerName, options?)`.
    #[wasm_bindgen(js_name = fromConnectionString)]
    pub fn from_connection_string(
        connection_string: JsValue,
        container_name: JsValue,
        options: JsValue,
    ) -> Result<BlobCheckpointStore, JsValue> {
        let cs = convert::string_arg(&CallerValue::arg(connection_string, "connectionString"))
            .map_err(throw)?;
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
        Self::build(url, container_name, options, cs_credential, secondary).map_err(throw)
    }

    fn build(
        url: AccountUrl,
        container_name: JsValue,
        options: JsValue,
        fallback_credential: Option<crate::credential::Credential>,
        fallback_secondary: Option<String>,
    ) -> Result<BlobCheckpointStore, Rejection> {
        let container = convert::string_arg(&CallerValue::arg(container_name, "containerName"))?;
        let opts = convert::store_options(&CallerValue::arg(options, "options"))?;
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

    /// Runs one operation as a Promise. At the door, synchronously: the options (and their
    /// `abortSignal`, read once), then the arguments (`read`), then the call's one listener on
    /// the signal. Any failure there rejects the promise before anything is sent.
    pub(crate) fn run<A, T, Fut>(
        &self,
        options: JsValue,
        read: impl FnOnce() -> Result<A, Rejection>,
        op: impl FnOnce(Rc<Inner>, A, Rc<FetchHost>) -> Fut,
        to_js: fn(T) -> Result<JsValue, JsValue>,
    ) -> Promise
    where
        Fut: Future<Output = Result<T, StoreError>> + 'static,
        T: 'static,
    {
        let options = CallerValue::arg(options, "options");
        let signal = match convert::call_signal(&options) {
            Ok(s) => s,
            Err(e) => return rejected(e),
        };
        // Before the arguments are read: a signal that had fired rejects the call whatever the
        // arguments, and one a getter fires while they are read is already listened to.
        let host = match FetchHost::for_call(signal, self.inner.token_credential.clone()) {
            Ok(h) => Rc::new(h),
            Err(e) => return rejected(e),
        };
        let args = match read() {
            Ok(a) => a,
            Err(e) => return rejected(e),
        };
        let fut = op(self.inner.clone(), args, host.clone());
        // The op's future and its conversion boxed as one type, so that everything after it
        // (`FetchHost::run`, the outcome, `future_to_promise`) is one copy in the wasm rather
        // than one per method.
        let fut: LocalBoxFuture<Result<JsValue, Rejection>> = Box::pin(async move {
            let v = fut.await?;
            to_js(v).map_err(Rejection::Thrown)
        });
        let outcome: LocalBoxFuture<Result<JsValue, JsValue>> =
            Box::pin(async move { host.run(fut).await.map_err(throw) });
        future_to_promise(outcome)
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
            || group_args(namespace, event_hub, consumer_group),
            |inner, (ns, eh, cg), host| async move {
                let out = js_sys::Array::new();
                let mut each =
                    |page: Vec<_>| convert::append_json(&out, &convert::ownerships_json(&page));
                inner
                    .store
                    .list_ownership_pages(&*host, &ns, &eh, &cg, &mut each)
                    .await?;
                Ok(out)
            },
            |out| Ok(out.into()),
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
            || group_args(namespace, event_hub, consumer_group),
            |inner, (ns, eh, cg), host| async move {
                let out = js_sys::Array::new();
                let mut each =
                    |page: Vec<_>| convert::append_json(&out, &convert::checkpoints_json(&page));
                inner
                    .store
                    .list_checkpoints_pages(&*host, &ns, &eh, &cg, &mut each)
                    .await?;
                Ok(out)
            },
            |out| Ok(out.into()),
        )
    }

    /// `claimOwnership(ownerships, options?)`.
    #[wasm_bindgen(js_name = claimOwnership)]
    pub fn claim_ownership(&self, ownerships: JsValue, options: JsValue) -> Promise {
        self.run(
            options,
            || convert::ownerships(&CallerValue::arg(ownerships, "ownerships")),
            |inner, list, host| async move { inner.store.claim_ownership(&*host, list).await },
            |v| convert::ownerships_to_js(&v),
        )
    }

    /// `updateCheckpoint(checkpoint, options?)`.
    #[wasm_bindgen(js_name = updateCheckpoint)]
    pub fn update_checkpoint(&self, checkpoint: JsValue, options: JsValue) -> Promise {
        self.run(
            options,
            || convert::checkpoint(&CallerValue::arg(checkpoint, "checkpoint")),
            |inner, c, host| async move { inner.store.update_checkpoint(&*host, &c).await },
            |()| Ok(JsValue::UNDEFINED),
        )
    }

    /// `close()`: later calls reject; calls under way finish. The store is marked closed from
    /// the same queue the calls start on, so a call made before `close()` (even in the same
    /// tick, before its first step has run) starts while the store is open and finishes.
    pub fn close(&self) -> Promise {
        let inner = self.inner.clone();
        let done: LocalBoxFuture<Result<JsValue, JsValue>> = Box::pin(async move {
            inner.store.close();
            Ok(JsValue::UNDEFINED)
        });
        future_to_promise(done)
    }
}

pub(crate) fn group_args(
    ns: JsValue,
    eh: JsValue,
    cg: JsValue,
) -> Result<(String, String, String), Rejection> {
    Ok((
        convert::string_arg(&CallerValue::arg(ns, "fullyQualifiedNamespace"))?,
        convert::string_arg(&CallerValue::arg(eh, "eventHubName"))?,
        convert::string_arg(&CallerValue::arg(cg, "consumerGroup"))?,
    ))
}
