//! The checkpoint store's logic: which requests each operation sends and what each answer
//! means. I/O goes through a [`Host`], so this module knows nothing of JavaScript.

use std::cell::{Cell, RefCell};

use futures_util::future::join_all;

use crate::account_url::{validate_secondary_hostname, AccountUrl};
use crate::blob_name::{blob_name, partition_of, prefix, validate_container, BlobKind};
use crate::blob_request::{Condition, Target};
use crate::credential::{sas_signature, AccessToken, Credential, STORAGE_SCOPE};
use crate::error::StoreError;
use crate::http::{Request, Response, TransportError};
use crate::list_blobs::{parse_list_page, ListedBlob};
use crate::model::{quote_etag, validate_group, Checkpoint, PartitionOwnership, MAX_SAFE_INTEGER};
use crate::rest_error::{from_response, scrub};
use crate::time::parse_http_date;

/// The API version the Python store defaults to.
pub const DEFAULT_API_VERSION: &str = "2019-07-07";

/// What the store needs from its surroundings: sending requests, the time, and tokens.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bounds wanted
pub trait Host {
    /// Sends one request and returns whatever status came back.
    async fn send(&self, req: Request) -> Result<Response, TransportError>;
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
    /// A read-only secondary host (RA-GRS), kept for read fallback.
    pub secondary_hostname: Option<String>,
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
        })
    }
}

/// The checkpoint store. One instance serves any number of concurrent calls.
pub struct Store {
    target: Target,
    credential: Credential,
    secondary_hostname: Option<String>,
    /// Strings scrubbed from every message built from outside text.
    secrets: Vec<String>,
    token: RefCell<Option<AccessToken>>,
    closed: Cell<bool>,
}

/// The authorization of one operation, fetched once before its requests fan out.
struct Auth(Option<String>);

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

    fn check_open(&self) -> Result<(), StoreError> {
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

    async fn auth<H: Host>(&self, host: &H) -> Result<Auth, StoreError> {
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

    async fn execute<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        req: Request,
        operation: &str,
        target: &str,
    ) -> Result<Response, StoreError> {
        let req = self
            .target
            .authorize(req, &self.credential, host.now_ms(), auth.0.as_deref());
        match host.send(req).await {
            Ok(resp) => Ok(resp),
            Err(TransportError::Aborted) => Err(StoreError::Aborted),
            Err(TransportError::Network(text)) => Err(StoreError::no_response(
                "REQUEST_SEND_ERROR",
                format!(
                    "{operation} failed for '{target}': no response ({})",
                    self.scrub(&text)
                ),
            )),
        }
    }

    fn fail(&self, operation: &str, target: &str, resp: &Response) -> StoreError {
        from_response(operation, target, resp, &self.secrets)
    }

    fn display_name(&self, blob: &str) -> String {
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
        const OP: &str = "listOwnership";
        self.check_open()?;
        validate_group(namespace, event_hub, consumer_group, "")?;
        let pfx = prefix(namespace, event_hub, consumer_group, BlobKind::Ownership);
        let blobs = self.list_all(host, OP, &pfx).await?;
        let mut out = Vec::with_capacity(blobs.len());
        for b in blobs {
            let Some(pid) = partition_of(&b.name, &pfx) else {
                continue;
            };
            let owner = b
                .meta("ownerid")
                .ok_or_else(|| self.bad_blob(OP, &b, "has no ownerid metadata"))?;
            let etag = b
                .etag
                .as_deref()
                .filter(|e| !e.is_empty())
                .ok_or_else(|| self.bad_blob(OP, &b, "has no ETag"))?;
            let last_modified = b
                .last_modified
                .as_deref()
                .and_then(parse_http_date)
                .ok_or_else(|| self.bad_blob(OP, &b, "has no valid Last-Modified"))?;
            out.push(PartitionOwnership {
                fully_qualified_namespace: namespace.to_string(),
                event_hub_name: event_hub.to_string(),
                consumer_group: consumer_group.to_string(),
                partition_id: pid.to_string(),
                owner_id: owner.to_string(),
                etag: Some(quote_etag(etag)),
                last_modified_ms: Some(last_modified),
            });
        }
        Ok(out)
    }

    /// Lists the checkpoint of every partition of a consumer group.
    pub async fn list_checkpoints<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
    ) -> Result<Vec<Checkpoint>, StoreError> {
        const OP: &str = "listCheckpoints";
        self.check_open()?;
        validate_group(namespace, event_hub, consumer_group, "")?;
        let pfx = prefix(namespace, event_hub, consumer_group, BlobKind::Checkpoint);
        let blobs = self.list_all(host, OP, &pfx).await?;
        let mut out = Vec::with_capacity(blobs.len());
        for b in blobs {
            let Some(pid) = partition_of(&b.name, &pfx) else {
                continue;
            };
            let seq = b
                .meta("sequencenumber")
                .ok_or_else(|| self.bad_blob(OP, &b, "has no sequencenumber metadata"))?;
            let sequence_number = seq
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(n))
                .ok_or_else(|| {
                    self.bad_blob(OP, &b, "has a sequencenumber that is not a safe integer")
                })?;
            let offset = b
                .meta("offset")
                .ok_or_else(|| self.bad_blob(OP, &b, "has no offset metadata"))?;
            if offset.trim().is_empty() {
                return Err(self.bad_blob(OP, &b, "has an empty offset"));
            }
            out.push(Checkpoint {
                fully_qualified_namespace: namespace.to_string(),
                event_hub_name: event_hub.to_string(),
                consumer_group: consumer_group.to_string(),
                partition_id: pid.to_string(),
                sequence_number,
                offset: offset.to_string(),
            });
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
            let resp = self.execute(host, &auth, req, operation, &target).await?;
            if resp.status != 200 {
                return Err(self.fail(operation, &target, &resp));
            }
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
        mut o: PartitionOwnership,
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
        let resp = self.execute(host, auth, req, OP, &target).await?;
        let lost = match resp.status {
            200 | 201 => false,
            412 | 409 => true,
            // The blob is gone: a conditional claim lost. A missing container is an error.
            404 => etag.is_some() && resp.header("x-ms-error-code") != Some("ContainerNotFound"),
            _ => return Err(self.fail(OP, &target, &resp)),
        };
        if lost {
            return Ok(None);
        }
        if resp.status == 404 {
            return Err(self.fail(OP, &target, &resp));
        }
        let new_etag = resp.header("etag").filter(|e| !e.is_empty()).ok_or_else(|| {
            StoreError::no_response(
                "MissingResponseHeader",
                format!("{OP} for '{target}': the response has no ETag header (in a browser, expose it with the account's CORS rules)"),
            )
        })?;
        o.etag = Some(quote_etag(new_etag));
        o.last_modified_ms = Some(
            resp.header("last-modified")
                .and_then(parse_http_date)
                .unwrap_or_else(|| host.now_ms()),
        );
        Ok(Some(o))
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
        let resp = self
            .execute(
                host,
                &auth,
                self.target.set_metadata(&name, &metadata, Condition::None),
                OP,
                &target,
            )
            .await?;
        match resp.status {
            200 => return Ok(()),
            404 if resp.header("x-ms-error-code") != Some("ContainerNotFound") => {}
            _ => return Err(self.fail(OP, &target, &resp)),
        }
        let resp = self
            .execute(
                host,
                &auth,
                self.target.put_blob(&name, &metadata, Condition::None),
                OP,
                &target,
            )
            .await?;
        match resp.status {
            200 | 201 => Ok(()),
            _ => Err(self.fail(OP, &target, &resp)),
        }
    }
}
