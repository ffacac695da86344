//! The checkpoint store's logic: which requests each operation sends and what each answer
//! means. I/O goes through a [`Host`], so this module knows nothing of JavaScript.

use std::cell::{Cell, RefCell};

use futures_util::future::join_all;

use crate::account_url::{validate_secondary_hostname, AccountUrl};
use crate::blob_name::{blob_name, prefix, validate_container, BlobKind};
use crate::blob_request::{Condition, Target};
use crate::credential::{sas_signature, AccessToken, Credential, STORAGE_SCOPE};
use crate::error::StoreError;
use crate::http::{Request, Response, TransportError};
use crate::list_blobs::{parse_list_page, ListedBlob};
use crate::metadata::{checkpoint_from_blob, ownership_from_blob, Group};
use crate::model::{quote_etag, validate_group, Checkpoint, PartitionOwnership};
use crate::rest_error::{from_response, scrub};
use crate::retry::{is_retriable_status, retry_delay, RetryOptions};
use crate::time::parse_http_date;

/// The API version the Python store defaults to.
pub const DEFAULT_API_VERSION: &str = "2019-07-07";

/// What the store needs from its surroundings: sending requests, the time, and tokens.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bounds wanted
pub trait Host {
    /// Sends one request and returns whatever status came back; gives up with
    /// [`TransportError::Timeout`] after `timeout_ms`.
    async fn send(&self, req: Request, timeout_ms: f64) -> Result<Response, TransportError>;
    /// Waits `ms` milliseconds (retry back-off).
    async fn sleep(&self, ms: f64);
    /// A random number in [0, 1), for back-off jitter.
    fn random(&self) -> f64;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// Asks the token credential for a token for `scope`.
    async fn get_token(&self, scope: &str) -> Result<AccessToken, StoreError>;
}

/// Everything the store is configured with.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The primary account endpoint.
    pub url: AccountUrl,
    /// The container holding the blobs.
    pub container: String,
    /// Sent as `x-ms-version`.
    pub api_version: String,
    /// How requests are authorized.
    pub credential: Credential,
    /// A read-only secondary host (RA-GRS): list calls retry there.
    pub secondary_hostname: Option<String>,
    /// Retries and time-outs.
    pub retry: RetryOptions,
}

impl StoreConfig {
    /// Checks the configuration as a whole, with the JS option names in errors.
    pub fn new(
        url: AccountUrl,
        container: &str,
        api_version: Option<&str>,
        credential: Option<Credential>,
        secondary_hostname: Option<&str>,
    ) -> Result<Self, StoreError> {
        validate_container(container, "containerName")?;
        let api_version = api_version.unwrap_or(DEFAULT_API_VERSION);
        let valid_version = api_version.len() == 10
            && api_version.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !valid_version {
            return Err(StoreError::invalid(
                "options.apiVersion",
                "must look like 2019-07-07",
            ));
        }
        if let Some(h) = secondary_hostname {
            validate_secondary_hostname(h, "options.secondaryHostname")?;
        }
        let credential = match credential {
            Some(c) => c,
            None if url.sas.as_deref().is_some_and(|s| s.contains("sig=")) => Credential::UrlSas,
            None => {
                return Err(StoreError::invalid(
                    "options.credential",
                    "is required unless the account URL carries a SAS token",
                ))
            }
        };
        Ok(StoreConfig {
            url,
            container: container.to_string(),
            api_version: api_version.to_string(),
            credential,
            secondary_hostname: secondary_hostname.map(str::to_string),
            retry: RetryOptions::default(),
        })
    }
}

/// The checkpoint store. One instance serves any number of concurrent calls.
pub struct Store {
    pub(crate) target: Target,
    credential: Credential,
    secondary_hostname: Option<String>,
    retry: RetryOptions,
    /// Strings scrubbed from every message built from outside text.
    secrets: Vec<String>,
    token: RefCell<Option<AccessToken>>,
    closed: Cell<bool>,
}

/// The authorization of one operation, fetched once before its requests fan out.
pub(crate) struct Auth(Option<String>);

/// The last response of a request and how it came about.
pub(crate) struct Exchange {
    pub(crate) resp: Response,
    tries: u32,
    /// An earlier try got no answer: it may have been applied.
    uncertain: bool,
}

impl Store {
    /// A store for `config`.
    pub fn new(config: StoreConfig) -> Self {
        let mut secrets = config.credential.secrets();
        secrets.extend(config.url.sas.as_deref().and_then(sas_signature));
        Store {
            target: Target {
                url: config.url,
                container: config.container,
                api_version: config.api_version,
            },
            credential: config.credential,
            secondary_hostname: config.secondary_hostname,
            retry: config.retry,
            secrets,
            token: RefCell::new(None),
            closed: Cell::new(false),
        }
    }

    /// The secondary host the store was given, if any.
    pub fn secondary_hostname(&self) -> Option<&str> {
        self.secondary_hostname.as_deref()
    }

    /// The container name.
    pub fn container(&self) -> &str {
        &self.target.container
    }

    /// Ends the store: later calls fail with [`StoreError::Closed`]. Calls under way finish.
    pub fn close(&self) {
        self.closed.set(true);
        self.token.borrow_mut().take();
    }

    /// Whether [`Store::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    pub(crate) fn check_open(&self) -> Result<(), StoreError> {
        if self.closed.get() {
            Err(StoreError::Closed)
        } else {
            Ok(())
        }
    }

    /// Scrubs secrets out of `text` (for messages from the host, e.g. a fetch failure).
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, &self.secrets)
    }

    pub(crate) async fn auth<H: Host>(&self, host: &H) -> Result<Auth, StoreError> {
        if !matches!(self.credential, Credential::Token) {
            return Ok(Auth(None));
        }
        let now = host.now_ms();
        if let Some(t) = self.token.borrow().as_ref().filter(|t| t.fresh_at(now)) {
            return Ok(Auth(Some(t.token.clone())));
        }
        let token = host.get_token(STORAGE_SCOPE).await?;
        if token.token.is_empty() || token.token.chars().any(|c| !c.is_ascii_graphic()) {
            return Err(StoreError::invalid(
                "credential.getToken",
                "returned a token that is not a non-empty printable string",
            ));
        }
        if !token.expires_on_ms.is_finite() {
            return Err(StoreError::invalid(
                "credential.getToken",
                "returned no valid expiresOnTimestamp",
            ));
        }
        *self.token.borrow_mut() = Some(token.clone());
        Ok(Auth(Some(token.token)))
    }

    /// Sends `req` with retries: network failures, time-outs and retriable statuses are tried
    /// again after a back-off, up to `max_retries` times. Reads (`may_use_secondary`) alternate
    /// to the secondary host after a failure, when one is configured. Returns the last response,
    /// whatever its status, with how many tries it took and whether an earlier try's outcome
    /// is unknown (it may have been applied).
    pub(crate) async fn execute<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        req: &Request,
        may_use_secondary: bool,
        operation: &str,
        target: &str,
    ) -> Result<Exchange, StoreError> {
        let mut uncertain = false;
        let mut tries: u32 = 0;
        let mut secondary_ok = may_use_secondary && self.secondary_hostname.is_some();
        loop {
            tries += 1;
            let on_secondary = secondary_ok && tries % 2 == 0;
            let mut attempt = req.clone();
            if let (true, Some(host_name)) = (on_secondary, &self.secondary_hostname) {
                attempt.url = self.target.url.on_host(&attempt.url, host_name);
            }
            let signed =
                self.target
                    .authorize(attempt, &self.credential, host.now_ms(), auth.0.as_deref());
            let last_try = tries > self.retry.max_retries;
            let failed_response = match host.send(signed, self.retry.timeout_ms).await {
                Err(TransportError::Aborted) => return Err(StoreError::Aborted),
                Err(e) => {
                    uncertain = true;
                    if last_try {
                        let (code, why) = match e {
                            TransportError::Timeout => (
                                "REQUEST_TIMEOUT",
                                format!(
                                    "the last try timed out after {} ms",
                                    self.retry.timeout_ms as u64
                                ),
                            ),
                            TransportError::Network(text) => {
                                ("REQUEST_SEND_ERROR", self.scrub(&text))
                            }
                            TransportError::Aborted => ("REQUEST_SEND_ERROR", String::new()),
                        };
                        return Err(StoreError::no_response(
                            code,
                            format!("{operation} failed for '{target}': no response after {tries} tries ({why})"),
                        ));
                    }
                    None
                }
                // The secondary may not have the blob yet: go back to the primary for good.
                Ok(resp) if on_secondary && resp.status == 404 && !last_try => {
                    secondary_ok = false;
                    Some(resp)
                }
                Ok(resp) if !is_retriable_status(resp.status) || last_try => {
                    return Ok(Exchange {
                        resp,
                        tries,
                        uncertain,
                    })
                }
                Ok(resp) => Some(resp),
            };
            let delay = retry_delay(
                &self.retry,
                tries,
                failed_response.as_ref(),
                host.now_ms(),
                host.random(),
            );
            host.sleep(delay).await;
        }
    }

    pub(crate) fn fail(&self, operation: &str, target: &str, ex: &Exchange) -> StoreError {
        let mut err = from_response(operation, target, &ex.resp, &self.secrets);
        if ex.tries > 1 {
            if let StoreError::Rest { message, .. } = &mut err {
                message.push_str(&format!(
                    " (gave up after {} tries; last status {})",
                    ex.tries, ex.resp.status
                ));
            }
        }
        err
    }

    pub(crate) fn display_name(&self, blob: &str) -> String {
        format!("{}/{}", self.target.container, blob)
    }

    /// Lists the ownership of every partition of a consumer group.
    pub async fn list_ownership<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
    ) -> Result<Vec<PartitionOwnership>, StoreError> {
        let g = Group {
            namespace,
            event_hub,
            consumer_group,
        };
        self.list_group(
            host,
            "listOwnership",
            BlobKind::Ownership,
            g,
            ownership_from_blob,
        )
        .await
    }

    /// Lists the checkpoint of every partition of a consumer group.
    pub async fn list_checkpoints<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
    ) -> Result<Vec<Checkpoint>, StoreError> {
        let g = Group {
            namespace,
            event_hub,
            consumer_group,
        };
        self.list_group(
            host,
            "listCheckpoints",
            BlobKind::Checkpoint,
            g,
            checkpoint_from_blob,
        )
        .await
    }

    /// Lists the blobs of one kind for a consumer group and reads each with `read`.
    async fn list_group<H: Host, T>(
        &self,
        host: &H,
        operation: &str,
        kind: BlobKind,
        g: Group<'_>,
        read: fn(&ListedBlob, &str, Group<'_>) -> Result<Option<T>, &'static str>,
    ) -> Result<Vec<T>, StoreError> {
        self.check_open()?;
        validate_group(g.namespace, g.event_hub, g.consumer_group, "")?;
        let pfx = prefix(g.namespace, g.event_hub, g.consumer_group, kind);
        let blobs = self.list_all(host, operation, &pfx).await?;
        let mut out = Vec::with_capacity(blobs.len());
        for b in &blobs {
            out.extend(read(b, &pfx, g).map_err(|why| self.bad_blob(operation, b, why))?);
        }
        Ok(out)
    }

    fn bad_blob(&self, operation: &str, blob: &ListedBlob, what: &str) -> StoreError {
        StoreError::Rest {
            status: None,
            code: Some("InvalidBlobMetadata".into()),
            request_id: None,
            message: format!(
                "{operation}: blob '{}' {what}",
                self.display_name(&blob.name)
            ),
        }
    }

    /// Every blob under `pfx`, following `NextMarker` through all pages.
    async fn list_all<H: Host>(
        &self,
        host: &H,
        operation: &str,
        pfx: &str,
    ) -> Result<Vec<ListedBlob>, StoreError> {
        let auth = self.auth(host).await?;
        let target = self.display_name(pfx);
        let mut blobs = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let req = self.target.list_blobs(pfx, marker.as_deref());
            let ex = self
                .execute(host, &auth, &req, true, operation, &target)
                .await?;
            if ex.resp.status != 200 {
                return Err(self.fail(operation, &target, &ex));
            }
            let resp = ex.resp;
            let page = parse_list_page(&resp.body).map_err(|why| StoreError::Rest {
                status: Some(resp.status),
                code: Some("InvalidXmlResponse".into()),
                request_id: resp.header("x-ms-request-id").map(str::to_string),
                message: format!(
                    "{operation} failed for '{target}': the listing could not be read ({why})"
                ),
            })?;
            blobs.extend(page.blobs);
            match page.next_marker {
                // A marker equal to the last one would loop forever.
                Some(m) if marker.as_deref() != Some(m.as_str()) => marker = Some(m),
                _ => break,
            }
        }
        Ok(blobs)
    }

    /// Claims each ownership, all concurrently, and returns those that were won, with their new
    /// ETag and Last-Modified. A lost race leaves a partition out; any other failure is an error.
    pub async fn claim_ownership<H: Host>(
        &self,
        host: &H,
        ownerships: Vec<PartitionOwnership>,
    ) -> Result<Vec<PartitionOwnership>, StoreError> {
        self.check_open()?;
        for (i, o) in ownerships.iter().enumerate() {
            o.validate(&format!("ownerships[{i}]"))?;
        }
        if ownerships.is_empty() {
            return Ok(Vec::new());
        }
        let auth = self.auth(host).await?;
        let results = join_all(
            ownerships
                .into_iter()
                .map(|o| self.claim_one(host, &auth, o)),
        )
        .await;
        let mut won = Vec::with_capacity(results.len());
        for r in results {
            if let Some(o) = r? {
                won.push(o);
            }
        }
        Ok(won)
    }

    async fn claim_one<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        o: PartitionOwnership,
    ) -> Result<Option<PartitionOwnership>, StoreError> {
        const OP: &str = "claimOwnership";
        let name = blob_name(
            &o.fully_qualified_namespace,
            &o.event_hub_name,
            &o.consumer_group,
            BlobKind::Ownership,
            &o.partition_id,
        );
        let metadata = [("ownerid", o.owner_id.as_str())];
        let etag = o.etag.as_deref().map(quote_etag);
        let req = match &etag {
            Some(e) => self
                .target
                .set_metadata(&name, &metadata, Condition::IfMatch(e)),
            None => self
                .target
                .put_blob(&name, &metadata, Condition::IfNotExists),
        };
        let target = self.display_name(&name);
        let ex = self.execute(host, auth, &req, false, OP, &target).await?;
        let resp = match ex.resp.status {
            200 | 201 => &ex.resp,
            // A lost race, or the blob is gone under a conditional claim. But when an earlier
            // try got no answer, that try may be the one that changed the blob: ask the blob.
            412 | 409 | 404 if ex.resp.header("x-ms-error-code") != Some("ContainerNotFound") => {
                if ex.uncertain && ex.resp.status != 404 {
                    return self
                        .resolve_uncertain_claim(host, auth, o, &name, &target)
                        .await;
                }
                if ex.resp.status == 404 && etag.is_none() {
                    return Err(self.fail(OP, &target, &ex));
                }
                return Ok(None);
            }
            _ => return Err(self.fail(OP, &target, &ex)),
        };
        Ok(Some(self.claimed(host, o, resp, &target)?))
    }

    /// The claim's result from the response that carries the blob's new ETag and Last-Modified.
    fn claimed<H: Host>(
        &self,
        host: &H,
        mut o: PartitionOwnership,
        resp: &Response,
        target: &str,
    ) -> Result<PartitionOwnership, StoreError> {
        let new_etag = resp.header("etag").filter(|e| !e.is_empty()).ok_or_else(|| {
            StoreError::no_response(
                "MissingResponseHeader",
                format!("claimOwnership for '{target}': the response has no ETag header (in a browser, expose it with the account's CORS rules)"),
            )
        })?;
        o.etag = Some(quote_etag(new_etag));
        o.last_modified_ms = Some(
            resp.header("last-modified")
                .and_then(parse_http_date)
                .unwrap_or_else(|| host.now_ms()),
        );
        Ok(o)
    }

    /// After a try without an answer and a retry that lost (412/409): the claim is ours if the
    /// blob now names us as its owner (our unanswered try applied), and lost otherwise.
    async fn resolve_uncertain_claim<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        o: PartitionOwnership,
        name: &str,
        target: &str,
    ) -> Result<Option<PartitionOwnership>, StoreError> {
        const OP: &str = "claimOwnership";
        let ex = self
            .execute(
                host,
                auth,
                &self.target.get_properties(name),
                false,
                OP,
                target,
            )
            .await?;
        match ex.resp.status {
            200 if ex.resp.header("x-ms-meta-ownerid") == Some(o.owner_id.as_str()) => {
                Ok(Some(self.claimed(host, o, &ex.resp, target)?))
            }
            200 | 404 => Ok(None),
            _ => Err(self.fail(OP, target, &ex)),
        }
    }

    /// Records a checkpoint: Set Blob Metadata, or Put Blob if the blob does not exist yet.
    pub async fn update_checkpoint<H: Host>(
        &self,
        host: &H,
        checkpoint: &Checkpoint,
    ) -> Result<(), StoreError> {
        const OP: &str = "updateCheckpoint";
        self.check_open()?;
        checkpoint.validate("checkpoint")?;
        let c = checkpoint;
        let name = blob_name(
            &c.fully_qualified_namespace,
            &c.event_hub_name,
            &c.consumer_group,
            BlobKind::Checkpoint,
            &c.partition_id,
        );
        let seq = c.sequence_number.to_string();
        let metadata = [
            ("sequencenumber", seq.as_str()),
            ("offset", c.offset.as_str()),
        ];
        let target = self.display_name(&name);
        let auth = self.auth(host).await?;
        let set = self.target.set_metadata(&name, &metadata, Condition::None);
        let ex = self.execute(host, &auth, &set, false, OP, &target).await?;
        match ex.resp.status {
            200 => return Ok(()),
            404 if ex.resp.header("x-ms-error-code") != Some("ContainerNotFound") => {}
            _ => return Err(self.fail(OP, &target, &ex)),
        }
        let put = self.target.put_blob(&name, &metadata, Condition::None);
        let ex = self.execute(host, &auth, &put, false, OP, &target).await?;
        match ex.resp.status {
            200 | 201 => Ok(()),
            _ => Err(self.fail(OP, &target, &ex)),
        }
    }
}
