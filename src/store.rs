//! The checkpoint store's logic: which requests each operation sends and what each answer
//! means. I/O goes through a [`Host`], so this module knows nothing of JavaScript.

use std::cell::{Cell, RefCell};

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::account_url::{is_loopback_host, validate_secondary_hostname, AccountUrl};
use crate::blob_name::{blob_name, prefix, validate_container, BlobKind};
use crate::blob_request::{Condition, Target};
use crate::credential::{sas_signatures, AccessToken, Credential, STORAGE_SCOPE};
use crate::error::StoreError;
use crate::http::{concat, Request, Response, TransportError, MAX_RESPONSE_BODY_BYTES};
use crate::list_blobs::{parse_list_page, ListPage, ListedBlob};
use crate::metadata::{checkpoint_from_blob, ownership_from_blob, Group};
use crate::model::{quote_etag, validate_group, Checkpoint, PartitionOwnership};
use crate::rest_error::{from_response, replace_secrets, scrub};
use crate::retry::{is_retriable_status, retry_delay, RetryOptions, MAX_TIMER_MS};
use crate::time::{format_http_date, parse_http_date};

/// The API version the Python store defaults to.
pub const DEFAULT_API_VERSION: &str = "2019-07-07";

/// Most claims of one `claimOwnership` call in flight at once. Enough that renewing 32
/// partitions over a 20 ms link is one round trip and 256 take four, few enough that a call
/// with a million ownerships neither opens a million connections nor holds a million requests.
pub const CLAIM_CONCURRENCY: usize = 64;

/// Most pages one listing reads. The service returns up to 5,000 blobs a page, so 100,000
/// checkpoints take 20 pages; the bound leaves room for short pages (an average of 250 blobs a
/// page still lists [`MAX_LISTED_BLOBS`]) and stops a server that hands out markers forever.
pub const MAX_LIST_PAGES: usize = 1_000;

/// Most blobs one listing returns: 2.5 times the 100,000 checkpoints of the largest
/// deployments we plan for, and a bound on the memory a listing's results take.
pub const MAX_LISTED_BLOBS: usize = 250_000;

/// Longest continuation marker followed. The service's are a few hundred characters; each
/// marker goes into the next request's URL.
pub const MAX_MARKER_LEN: usize = 4_096;

/// Bearer tokens remembered for scrubbing: the current one and the one before it (a call that
/// started with the old token may still be failing).
const TOKENS_REMEMBERED: usize = 2;

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

/// Why a token credential is refused: the official SDKs' words, and what to do instead.
const BEARER_OVER_HTTP: &str = "Bearer token authentication is not permitted for non-TLS protected (non-https) URLs: use an https account URL (plain http is allowed only to loopback hosts such as the local emulator: localhost, 127.0.0.0/8, [::1])";

/// Everything the store is configured with. (`Debug` shows no secret: the credential and the
/// URL's SAS print as `[REDACTED]`.)
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
        if matches!(credential, Some(Credential::Token)) && !url.is_https() {
            // Over plain http the token could be read (and replayed) by anyone on the path.
            // Loopback never leaves the machine, so the emulator keeps working.
            if !is_loopback_host(url.authority()) {
                return Err(StoreError::invalid("options.credential", BEARER_OVER_HTTP));
            }
            // The secondary is reached with the primary's scheme: plain http too.
            if secondary_hostname.is_some_and(|h| !is_loopback_host(h)) {
                return Err(StoreError::invalid(
                    "options.secondaryHostname",
                    BEARER_OVER_HTTP,
                ));
            }
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
    /// Strings scrubbed from every error: the account key, SAS signatures (every form).
    secrets: Vec<String>,
    /// The latest bearer tokens, scrubbed like `secrets`.
    tokens: RefCell<Vec<String>>,
    token: RefCell<Option<AccessToken>>,
    closed: Cell<bool>,
    /// The `x-ms-date` of the current second, formatted once per second.
    date: RefCell<(i64, String)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("target", &self.target)
            .field("credential", &self.credential)
            .field("secondary_hostname", &self.secondary_hostname)
            .field("retry", &self.retry)
            .field("secrets", &"[REDACTED]")
            .field("closed", &self.closed.get())
            .finish_non_exhaustive()
    }
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
        secrets.extend(
            config
                .url
                .sas
                .as_deref()
                .map(sas_signatures)
                .unwrap_or_default(),
        );
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
            tokens: RefCell::new(Vec::new()),
            token: RefCell::new(None),
            closed: Cell::new(false),
            date: RefCell::new((i64::MIN, String::new())),
        }
    }

    /// `x-ms-date` for `now_ms`: the same text for a whole second, so formatted once per second.
    fn date(&self, now_ms: f64) -> String {
        let secs = (now_ms / 1000.0).floor() as i64;
        let mut cache = self.date.borrow_mut();
        if cache.0 != secs {
            *cache = (secs, format_http_date(now_ms));
        }
        cache.1.clone()
    }

    /// Every known secret out of every text of `e` (message, code, request id, claimed ETags),
    /// whoever wrote it: the service, a redirect target, the host's `fetch`. Every error a
    /// public method returns passes through here.
    fn scrubbed(&self, e: StoreError) -> StoreError {
        let tokens = self.tokens.borrow();
        let secrets: Vec<&str> = self
            .secrets
            .iter()
            .chain(tokens.iter())
            .map(String::as_str)
            .collect();
        e.map_text(&|t| replace_secrets(t, &secrets))
    }

    /// `r` with its error scrubbed of every known secret: every public operation (and any new
    /// one built on [`Store::list_pages`]) returns through here.
    pub(crate) fn finish<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        r.map_err(|e| self.scrubbed(e))
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

    /// [`StoreError::Closed`] once [`Store::close`] was called.
    pub(crate) fn check_open(&self) -> Result<(), StoreError> {
        if self.closed.get() {
            Err(StoreError::Closed)
        } else {
            Ok(())
        }
    }

    /// Scrubs secrets out of `text` (for messages from the host, e.g. a fetch failure): the
    /// known ones and anything that looks like one.
    pub fn scrub(&self, text: &str) -> String {
        let mut all = self.secrets.clone();
        all.extend(self.tokens.borrow().iter().cloned());
        scrub(text, &all)
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
        {
            let mut tokens = self.tokens.borrow_mut();
            if !tokens.contains(&token.token) {
                tokens.push(token.token.clone());
                let excess = tokens.len().saturating_sub(TOKENS_REMEMBERED);
                tokens.drain(..excess);
            }
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
            let date = self.date(host.now_ms());
            let signed = self
                .target
                .authorize(attempt, &self.credential, &date, auth.0.as_deref());
            let last_try = tries > self.retry.max_retries;
            // Validated already; kept within what a timer takes whatever the options say.
            let timeout = self.retry.timeout_ms.clamp(1.0, MAX_TIMER_MS);
            let failed_response = match host.send(signed, timeout).await {
                Err(TransportError::Aborted) => return Err(StoreError::Aborted),
                Err(TransportError::TooLarge { status }) => {
                    return Err(StoreError::Rest {
                        status: Some(status),
                        code: Some("ResponseTooLarge".into()),
                        request_id: None,
                        message: format!(
                            "{operation} failed for '{target}': the response body is larger than {MAX_RESPONSE_BODY_BYTES} bytes (status {status}); not read further, and not tried again"
                        ),
                    })
                }
                Err(e) => {
                    uncertain = true;
                    if last_try {
                        let (code, why) = match e {
                            TransportError::Timeout => (
                                "REQUEST_TIMEOUT",
                                format!("the last try timed out after {} ms", timeout as u64),
                            ),
                            TransportError::Network(text) => {
                                ("REQUEST_SEND_ERROR", self.scrub(&text))
                            }
                            TransportError::Aborted | TransportError::TooLarge { .. } => {
                                ("REQUEST_SEND_ERROR", String::new())
                            }
                        };
                        return Err(StoreError::no_response(
                            code,
                            format!("{operation} failed for '{target}': no response after {tries} tries ({why})"),
                        ));
                    }
                    None
                }
                // Never followed, never retried: requests go to the configured hosts only.
                Ok(resp) if resp.status == 0 || (300..400).contains(&resp.status) => {
                    return Err(redirect_error(operation, target, &resp));
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
        concat(&[&self.target.container, "/", blob])
    }

    /// Lists the ownership of every partition of a consumer group.
    pub async fn list_ownership<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
    ) -> Result<Vec<PartitionOwnership>, StoreError> {
        let mut out = Vec::new();
        self.list_ownership_pages(host, namespace, event_hub, consumer_group, &mut |page| {
            out.extend(page);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Lists the ownership of every partition of a consumer group, handing each page's
    /// ownerships to `each` as it arrives: what the store holds is bounded by a page, whatever
    /// the size of the listing (the JS layer turns each page into JS objects at once).
    pub async fn list_ownership_pages<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
        each: &mut dyn FnMut(Vec<PartitionOwnership>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let g = Group {
            namespace,
            event_hub,
            consumer_group,
        };
        let r = self
            .list_group(
                host,
                "listOwnership",
                BlobKind::Ownership,
                g,
                ownership_from_blob,
                each,
            )
            .await;
        self.finish(r)
    }

    /// Lists the checkpoint of every partition of a consumer group.
    pub async fn list_checkpoints<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
    ) -> Result<Vec<Checkpoint>, StoreError> {
        let mut out = Vec::new();
        self.list_checkpoints_pages(host, namespace, event_hub, consumer_group, &mut |page| {
            out.extend(page);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Lists the checkpoint of every partition of a consumer group, a page at a time, as
    /// [`Store::list_ownership_pages`].
    pub async fn list_checkpoints_pages<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
        each: &mut dyn FnMut(Vec<Checkpoint>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let g = Group {
            namespace,
            event_hub,
            consumer_group,
        };
        let r = self
            .list_group(
                host,
                "listCheckpoints",
                BlobKind::Checkpoint,
                g,
                checkpoint_from_blob,
                each,
            )
            .await;
        self.finish(r)
    }

    /// Lists the blobs of one kind for a consumer group, reads each with `read`, and hands each
    /// page's results to `each`. A page is read whole before any of it is handed on, so a bad
    /// blob rejects the listing without a partial page.
    async fn list_group<H: Host, T>(
        &self,
        host: &H,
        operation: &str,
        kind: BlobKind,
        g: Group<'_>,
        read: fn(&ListedBlob, &str, Group<'_>) -> Result<Option<T>, &'static str>,
        each: &mut dyn FnMut(Vec<T>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.check_open()?;
        validate_group(g.namespace, g.event_hub, g.consumer_group, "")?;
        let pfx = prefix(g.namespace, g.event_hub, g.consumer_group, kind);
        let auth = self.auth(host).await?;
        // Each page is converted as it arrives and then dropped: raw pages never pile up.
        self.list_pages(
            host,
            &auth,
            operation,
            &pfx,
            false,
            MAX_LIST_PAGES,
            |page, _| {
                let mut out = Vec::with_capacity(page.blobs.len());
                for b in &page.blobs {
                    out.extend(read(b, &pfx, g).map_err(|why| self.bad_blob(operation, b, why))?);
                }
                each(out)
            },
        )
        .await
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

    /// Every blob under `pfx`, page by page: `sink` gets each page as it arrives (and may
    /// fail the listing), so memory holds one page, not the listing. Follows `NextMarker` and
    /// ends with a `RestError` when the server repeats a marker anywhere in the listing
    /// (`RepeatedMarker`) or the listing passes [`MAX_LIST_PAGES`], [`MAX_LISTED_BLOBS`] or
    /// [`MAX_MARKER_LEN`] (`ListingLimitExceeded`). Errors are not yet scrubbed: public callers
    /// pass them through [`Store::finish`].
    #[allow(clippy::too_many_arguments)] // one loop serves every listing; each argument is a real choice
    pub(crate) async fn list_pages<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        operation: &str,
        pfx: &str,
        folders: bool,
        max_pages: usize,
        mut sink: impl FnMut(ListPage, &Response) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let target = self.display_name(pfx);
        let mut marker: Option<String> = None;
        // A 64-bit hash of every marker seen (at most MAX_LIST_PAGES): a cycle of any length is
        // caught, in bounded memory. (A Vec and FNV-1a rather than a HashSet: smaller wasm.)
        let mut seen: Vec<u64> = Vec::new();
        let mut pages = 0usize;
        let mut blobs = 0usize;
        let max_pages = max_pages.min(MAX_LIST_PAGES);
        loop {
            let req = if folders {
                self.target.list_folders(pfx, marker.as_deref())
            } else {
                self.target.list_blobs(pfx, marker.as_deref())
            };
            let ex = self
                .execute(host, auth, &req, true, operation, &target)
                .await?;
            if ex.resp.status != 200 {
                return Err(self.fail(operation, &target, &ex));
            }
            let resp = ex.resp;
            let stop = |code: &str, why: String| StoreError::Rest {
                status: Some(resp.status),
                code: Some(code.into()),
                request_id: resp.header("x-ms-request-id").map(str::to_string),
                message: format!("{operation} failed for '{target}': {why}"),
            };
            let page = parse_list_page(&resp.body).map_err(|why| {
                stop(
                    "InvalidXmlResponse",
                    format!("the listing could not be read ({why})"),
                )
            })?;
            pages += 1;
            blobs = blobs.saturating_add(page.blobs.len());
            if blobs > MAX_LISTED_BLOBS {
                return Err(stop(
                    "ListingLimitExceeded",
                    format!("the listing passed {MAX_LISTED_BLOBS} blobs, the most one call reads (page {pages})"),
                ));
            }
            let next = page.next_marker.clone();
            sink(page, &resp)?;
            let Some(m) = next else { break };
            if m.len() > MAX_MARKER_LEN {
                return Err(stop(
                    "ListingLimitExceeded",
                    format!("page {pages} gave a continuation marker longer than {MAX_MARKER_LEN} characters"),
                ));
            }
            let h = fnv1a(m.as_bytes());
            if seen.contains(&h) {
                return Err(stop(
                    "RepeatedMarker",
                    format!("page {pages} repeated a continuation marker given earlier in the listing, which would never end"),
                ));
            }
            if pages >= max_pages {
                return Err(stop(
                    "ListingLimitExceeded",
                    format!("the listing passed {max_pages} pages, the most this call reads"),
                ));
            }
            seen.push(h);
            marker = Some(m);
        }
        Ok(())
    }

    /// Claims each ownership, at most [`CLAIM_CONCURRENCY`] at a time, and returns those that
    /// were won, in the order given, with their new ETag and Last-Modified. A lost race leaves a
    /// partition out. Any other failure ends the call with [`StoreError::PartialClaim`]: claims
    /// not yet started are not sent, claims in flight finish, and the error lists every claim
    /// won, so the caller knows what it owns.
    pub async fn claim_ownership<H: Host>(
        &self,
        host: &H,
        ownerships: Vec<PartitionOwnership>,
    ) -> Result<Vec<PartitionOwnership>, StoreError> {
        let r = self.claim_all(host, ownerships).await;
        self.finish(r)
    }

    async fn claim_all<H: Host>(
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
        let auth = &self.auth(host).await?;
        let total = ownerships.len();
        let mut pending = ownerships.into_iter().enumerate();
        let mut in_flight = FuturesUnordered::new();
        let mut won: Vec<(usize, PartitionOwnership)> = Vec::new();
        let mut first_error: Option<StoreError> = None;
        let mut started = 0usize;
        loop {
            while first_error.is_none() && in_flight.len() < CLAIM_CONCURRENCY {
                let Some((i, o)) = pending.next() else { break };
                started += 1;
                in_flight.push(async move { (i, self.claim_one(host, auth, o).await) });
            }
            match in_flight.next().await {
                Some((i, Ok(Some(o)))) => won.push((i, o)),
                Some((_, Ok(None))) => {}
                Some((_, Err(e))) => {
                    first_error.get_or_insert(e);
                }
                None => break,
            }
        }
        crate::sort::sort_by(&mut won, |a, b| a.0 < b.0);
        let won: Vec<PartitionOwnership> = won.into_iter().map(|(_, o)| o).collect();
        match first_error {
            None => Ok(won),
            Some(error) => Err(StoreError::PartialClaim {
                error: Box::new(error),
                claimed: won,
                not_sent: total - started,
            }),
        }
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
        let r = self.update_one(host, checkpoint).await;
        self.finish(r)
    }

    async fn update_one<H: Host>(
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

/// FNV-1a, 64-bit: a marker's fingerprint. A collision would only end a listing early with an
/// error, never loop or lose data; for the at most 1,000 markers of a listing its odds are ~1e-13.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The error for a redirect (3xx), or a browser's opaque redirect (status 0): the store never
/// follows one, so nothing reaches the host it names.
fn redirect_error(operation: &str, target: &str, resp: &Response) -> StoreError {
    let what = if resp.status == 0 {
        "an opaque redirect (status 0)".to_string()
    } else {
        format!("a redirect (status {})", resp.status)
    };
    StoreError::Rest {
        status: Some(resp.status),
        code: Some("UnexpectedRedirect".into()),
        request_id: resp.header("x-ms-request-id").map(str::to_string),
        message: format!(
            "{operation} failed for '{target}': the server answered with {what}; the store never follows redirects, so requests go only to the configured account"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection_string::DEV_ACCOUNT_KEY;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    type Handler = Box<dyn FnMut(&Request) -> Result<Response, TransportError>>;

    /// A host whose every send yields once (so claims overlap) and answers with `handler`.
    struct MockHost {
        handler: RefCell<Handler>,
        in_flight: Cell<usize>,
        max_in_flight: Cell<usize>,
        sent: RefCell<Vec<Request>>,
        sleeps: RefCell<Vec<f64>>,
        token: String,
    }

    impl MockHost {
        fn new(
            handler: impl FnMut(&Request) -> Result<Response, TransportError> + 'static,
        ) -> Self {
            MockHost {
                handler: RefCell::new(Box::new(handler)),
                in_flight: Cell::new(0),
                max_in_flight: Cell::new(0),
                sent: RefCell::new(Vec::new()),
                sleeps: RefCell::new(Vec::new()),
                token: "abcdefghijklmnopqrstuvwxyzabcdef".into(),
            }
        }
    }

    struct YieldOnce(bool);
    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    impl Host for MockHost {
        async fn send(&self, req: Request, _timeout_ms: f64) -> Result<Response, TransportError> {
            self.in_flight.set(self.in_flight.get() + 1);
            self.max_in_flight
                .set(self.max_in_flight.get().max(self.in_flight.get()));
            YieldOnce(false).await;
            let r = (self.handler.borrow_mut())(&req);
            self.sent.borrow_mut().push(req);
            self.in_flight.set(self.in_flight.get() - 1);
            r
        }
        async fn sleep(&self, ms: f64) {
            self.sleeps.borrow_mut().push(ms);
        }
        fn random(&self) -> f64 {
            0.5
        }
        fn now_ms(&self) -> f64 {
            1_795_499_095_000.0
        }
        async fn get_token(&self, _scope: &str) -> Result<AccessToken, StoreError> {
            Ok(AccessToken {
                token: self.token.clone(),
                expires_on_ms: 1e15,
            })
        }
    }

    fn block_on<T>(f: impl Future<Output = T>) -> T {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn created() -> Result<Response, TransportError> {
        Ok(Response::of(
            201,
            &[
                ("etag", "\"0x8DD00000000000A\""),
                ("last-modified", "Tue, 24 Nov 2026 05:44:55 GMT"),
            ],
            "",
        ))
    }

    const URL: &str = "http://127.0.0.1:10000/devstoreaccount1";

    fn store_with(url: &str, credential: Credential, retries: u32) -> Store {
        let mut c = StoreConfig::new(
            AccountUrl::parse(url, "url").unwrap(),
            "checkpoints",
            None,
            Some(credential),
            None,
        )
        .unwrap();
        c.retry.max_retries = retries;
        c.retry.retry_delay_ms = 1.0;
        Store::new(c)
    }

    fn key_store(retries: u32) -> Store {
        let key = Credential::shared_key("devstoreaccount1", DEV_ACCOUNT_KEY, "k").unwrap();
        store_with(URL, key, retries)
    }

    fn ownerships(n: usize) -> Vec<PartitionOwnership> {
        (0..n)
            .map(|i| PartitionOwnership {
                fully_qualified_namespace: "ns".into(),
                event_hub_name: "eh".into(),
                consumer_group: "cg".into(),
                partition_id: i.to_string(),
                owner_id: "me".into(),
                etag: None,
                last_modified_ms: None,
            })
            .collect()
    }

    fn partition_of_url(r: &Request) -> String {
        r.url
            .split('?')
            .next()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    }

    #[test]
    fn claims_go_out_with_bounded_concurrency_and_all_win_in_order() {
        let store = key_store(0);
        let host = MockHost::new(|_| created());
        let won = block_on(store.claim_ownership(&host, ownerships(2_000))).unwrap();
        assert_eq!(won.len(), 2_000);
        assert_eq!(host.max_in_flight.get(), CLAIM_CONCURRENCY);
        assert!(won
            .iter()
            .enumerate()
            .all(|(i, o)| o.partition_id == i.to_string()
                && o.etag.as_deref() == Some("\"0x8DD00000000000A\"")));
    }

    #[test]
    fn a_hard_failure_stops_new_claims_and_reports_those_won() {
        let store = key_store(3);
        let host = MockHost::new(|r| match partition_of_url(r).as_str() {
            "5" => Ok(Response::of(
                500,
                &[("x-ms-error-code", "InternalError")],
                "",
            )),
            "7" => Ok(Response::of(
                412,
                &[("x-ms-error-code", "ConditionNotMet")],
                "",
            )),
            _ => created(),
        });
        let e = block_on(store.claim_ownership(&host, ownerships(1_000))).unwrap_err();
        let StoreError::PartialClaim {
            error,
            claimed,
            not_sent,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(error.status(), Some(500));
        assert_eq!(e.status(), Some(500));
        assert_eq!(e.code(), Some("InternalError"));
        let sent: std::collections::HashSet<String> =
            host.sent.borrow().iter().map(partition_of_url).collect();
        // Everything sent was answered and is accounted for: won, lost (7) or failed (5).
        let claimed_ids: std::collections::HashSet<String> =
            claimed.iter().map(|o| o.partition_id.clone()).collect();
        let mut expected = sent.clone();
        expected.remove("5");
        expected.remove("7");
        assert_eq!(claimed_ids, expected);
        assert_eq!(sent.len() + not_sent, 1_000);
        // Retries of the failing claim let others finish meanwhile; once it fails for good, no
        // new claim starts.
        assert!(*not_sent > 0, "{not_sent}");
        assert!(host.max_in_flight.get() <= CLAIM_CONCURRENCY);
        assert!(claimed.iter().all(|o| o.etag.is_some()));
        assert!(e.message().contains("not yet started were not sent"), "{e}");
        assert!(e
            .message()
            .contains(&format!("{} claim(s) won", claimed.len())));
    }

    fn page(names: &[String], marker: Option<&str>) -> String {
        let mut s = String::from("<EnumerationResults><Blobs>");
        for n in names {
            s.push_str(&format!("<Blob><Name>{n}</Name><Properties><Etag>0x1</Etag><Last-Modified>Tue, 24 Nov 2026 05:44:55 GMT</Last-Modified></Properties><Metadata><ownerid>w</ownerid></Metadata></Blob>"));
        }
        s.push_str("</Blobs>");
        if let Some(m) = marker {
            s.push_str(&format!("<NextMarker>{m}</NextMarker>"));
        }
        s.push_str("</EnumerationResults>");
        s
    }

    fn list_with(markers: impl FnMut(usize) -> Option<String> + 'static) -> (StoreError, usize) {
        let store = key_store(0);
        let mut markers = markers;
        let mut n = 0;
        let host = MockHost::new(move |_| {
            n += 1;
            Ok(Response::of(200, &[], &page(&[], markers(n).as_deref())))
        });
        let e = block_on(store.list_ownership(&host, "ns", "eh", "cg")).unwrap_err();
        let sent = host.sent.borrow().len();
        (e, sent)
    }

    #[test]
    fn endless_new_markers_end_at_the_page_limit() {
        let (e, sent) = list_with(|n| Some(format!("m{n}")));
        assert_eq!(e.code(), Some("ListingLimitExceeded"), "{e}");
        assert_eq!(e.status(), Some(200));
        assert_eq!(sent, MAX_LIST_PAGES);
    }

    #[test]
    fn a_marker_repeated_anywhere_ends_the_listing() {
        let (e, sent) = list_with(|n| Some(["a", "b"][n % 2].to_string()));
        assert_eq!(e.code(), Some("RepeatedMarker"), "{e}");
        assert_eq!(sent, 3);
        let (e, sent) = list_with(|n| Some(["a", "b", "c", "d", "b"][(n - 1).min(4)].to_string()));
        assert_eq!(e.code(), Some("RepeatedMarker"), "{e}");
        assert_eq!(sent, 5);
        let (e, _) = list_with(|_| Some("x".repeat(MAX_MARKER_LEN + 1)));
        assert_eq!(e.code(), Some("ListingLimitExceeded"), "{e}");
    }

    #[test]
    fn listings_allow_100k_blobs_and_stop_past_the_blob_limit() {
        fn run(total: usize, per_page: usize) -> (Result<usize, StoreError>, usize) {
            let store = key_store(0);
            let mut given = 0;
            let host = MockHost::new(move |_| {
                let names: Vec<String> = (given..(given + per_page).min(total))
                    .map(|i| format!("ns/eh/cg/ownership/{i}"))
                    .collect();
                given += names.len();
                let marker = (given < total).then(|| format!("m{given}"));
                Ok(Response::of(200, &[], &page(&names, marker.as_deref())))
            });
            let r = block_on(store.list_ownership(&host, "ns", "eh", "cg")).map(|v| v.len());
            let sent = host.sent.borrow().len();
            (r, sent)
        }
        assert_eq!(run(100_000, 5_000).0.unwrap(), 100_000);
        let (r, sent) = run(MAX_LISTED_BLOBS + 10, 5_000);
        assert_eq!(r.unwrap_err().code(), Some("ListingLimitExceeded"));
        assert_eq!(sent, MAX_LISTED_BLOBS / 5_000 + 1);
    }

    #[test]
    fn redirects_are_errors_never_followed_nor_retried() {
        for status in [0u16, 301, 302, 303, 307, 308] {
            let store = key_store(5);
            let host = MockHost::new(move |_| {
                Ok(Response::of(
                    status,
                    &[
                        ("location", "http://evil.invalid/x"),
                        ("x-ms-request-id", "r1"),
                    ],
                    "",
                ))
            });
            let e = block_on(store.list_checkpoints(&host, "ns", "eh", "cg")).unwrap_err();
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.code(), Some("UnexpectedRedirect"));
            assert_eq!(host.sent.borrow().len(), 1, "{status}: retried");
            assert!(host.sleeps.borrow().is_empty());
            assert!(host.sent.borrow().iter().all(|r| r.url.starts_with(URL)));
            let e = block_on(store.claim_ownership(&host, ownerships(1))).unwrap_err();
            assert_eq!(e.code(), Some("UnexpectedRedirect"));
            assert_eq!(e.claimed().len(), 0);
        }
    }

    #[test]
    fn an_oversized_body_fails_at_once_with_its_status() {
        let store = key_store(5);
        let host = MockHost::new(|_| Err(TransportError::TooLarge { status: 200 }));
        let e = block_on(store.list_checkpoints(&host, "ns", "eh", "cg")).unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (Some(200), Some("ResponseTooLarge"))
        );
        assert!(e.to_string().starts_with("listCheckpoints failed for 'checkpoints/ns/eh/cg/checkpoint/': the response body is larger than 33554432 bytes"), "{e}");
        assert_eq!(host.sent.borrow().len(), 1, "retried");
        assert!(host.sleeps.borrow().is_empty());
    }

    #[test]
    fn absurd_retry_after_is_capped() {
        for (h, v) in [
            ("retry-after", "1000000000000"),
            ("retry-after", "99999999999999999999"),
            ("x-ms-retry-after-ms", "99999999999999999999"),
        ] {
            let key = Credential::shared_key("devstoreaccount1", DEV_ACCOUNT_KEY, "k").unwrap();
            let mut c = StoreConfig::new(
                AccountUrl::parse(URL, "url").unwrap(),
                "checkpoints",
                None,
                Some(key),
                None,
            )
            .unwrap();
            c.retry.max_retries = 2;
            c.retry.max_retry_delay_ms = 20.0;
            let store = Store::new(c);
            let host = MockHost::new(move |_| Ok(Response::of(503, &[(h, v)], "")));
            let e = block_on(store.list_checkpoints(&host, "ns", "eh", "cg")).unwrap_err();
            assert_eq!(e.status(), Some(503));
            assert_eq!(*host.sleeps.borrow(), vec![20.0, 20.0]);
        }
    }

    fn config(
        url: &str,
        credential: Credential,
        secondary: Option<&str>,
    ) -> Result<StoreConfig, StoreError> {
        StoreConfig::new(
            AccountUrl::parse(url, "url").unwrap(),
            "checkpoints",
            None,
            Some(credential),
            secondary,
        )
    }

    #[test]
    fn bearer_tokens_only_over_https_or_to_loopback() {
        for url in [
            "http://acct.blob.core.invalid",
            "http://10.0.0.1:10000/devstoreaccount1",
            "HTTP://acct.blob.core.invalid/",
            "http://localhost.invalid/devstoreaccount1",
        ] {
            let e = config(url, Credential::Token, None).unwrap_err();
            assert!(matches!(e, StoreError::InvalidInput { .. }));
            assert!(
                e.message().starts_with("options.credential: Bearer token authentication is not permitted for non-TLS protected (non-https) URLs"),
                "{e}"
            );
        }
        for url in [
            "https://acct.blob.core.invalid",
            "http://127.0.0.1:10000/devstoreaccount1",
            "http://localhost:10000/devstoreaccount1",
            "http://LOCALHOST.:10000/devstoreaccount1",
            "http://127.1:10000/devstoreaccount1",
            "http://[::1]:10000/devstoreaccount1",
        ] {
            config(url, Credential::Token, None).unwrap();
        }
        let e = config(
            URL,
            Credential::Token,
            Some("acct-secondary.blob.core.invalid"),
        )
        .unwrap_err();
        assert!(
            e.message().starts_with("options.secondaryHostname: Bearer"),
            "{e}"
        );
        config(URL, Credential::Token, Some("127.0.0.1:10001")).unwrap();
        config(
            "https://a.blob.core.invalid",
            Credential::Token,
            Some("b.blob.core.invalid"),
        )
        .unwrap();
        // Keys and SAS over http stay allowed, as in the official SDKs.
        config(
            "http://acct.blob.core.invalid",
            Credential::Sas("sv=1&sig=x".into()),
            None,
        )
        .unwrap();
    }

    #[test]
    fn no_error_property_holds_a_known_secret() {
        let sas_sig = "AbC%2Bd%2FeFgHiJkLmNoPqRsTuVwXyZ012345%3D";
        let decoded = "AbC+d/eFgHiJkLmNoPqRsTuVwXyZ012345=";
        let letters_token = "abcdefghijklmnopqrstuvwxyzabcdef";
        let key = DEV_ACCOUNT_KEY;
        let echo = format!("{sas_sig} {decoded} {key} {letters_token}");
        let stores = [
            key_store(0),
            store_with(
                &format!("{URL}?sv=2020&sig={sas_sig}"),
                Credential::UrlSas,
                0,
            ),
            store_with(URL, Credential::Sas(format!("sv=2020&sig={sas_sig}")), 0),
            store_with(URL, Credential::Token, 0),
        ];
        for store in stores {
            let echo = echo.clone();
            let host = MockHost::new(move |_| {
                Ok(Response::of(
                    403,
                    &[("x-ms-error-code", &echo), ("x-ms-request-id", &echo)],
                    &format!("<Error><Code>{echo}</Code><Message>{echo}</Message></Error>"),
                ))
            });
            let mut errors = vec![
                block_on(store.list_ownership(&host, "ns", "eh", "cg")).unwrap_err(),
                block_on(store.claim_ownership(&host, ownerships(3))).unwrap_err(),
            ];
            let c = Checkpoint {
                fully_qualified_namespace: "ns".into(),
                event_hub_name: "eh".into(),
                consumer_group: "cg".into(),
                partition_id: "0".into(),
                sequence_number: 1,
                offset: "1".into(),
            };
            errors.push(block_on(store.update_checkpoint(&host, &c)).unwrap_err());
            for e in errors {
                let texts = [
                    e.message(),
                    e.code().unwrap_or_default().to_string(),
                    e.request_id().unwrap_or_default().to_string(),
                    format!("{e:?}"),
                ];
                for t in texts {
                    for secret in [sas_sig, decoded, key, letters_token, &key[..30]] {
                        let is_secret_here = match &store.credential {
                            Credential::Token => secret == letters_token,
                            Credential::SharedKey { .. } => secret.starts_with(&key[..30]),
                            _ => secret == sas_sig || secret == decoded,
                        };
                        if is_secret_here {
                            assert!(!t.contains(secret), "{secret} in {t}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn debug_of_configs_and_stores_hides_secrets() {
        let sig = "SECRETSIGNATUREVALUE";
        let cfg = config(
            &format!("https://a.blob.core.invalid/?sv=1&sig={sig}"),
            Credential::Sas(format!("sv=1&sig={sig}")),
            None,
        )
        .unwrap();
        let key_cfg = config(
            URL,
            Credential::shared_key("devstoreaccount1", DEV_ACCOUNT_KEY, "k").unwrap(),
            None,
        )
        .unwrap();
        for text in [
            format!("{cfg:?}"),
            format!("{:?}", Store::new(cfg.clone())),
            format!("{key_cfg:?}"),
            format!("{:?}", Store::new(key_cfg)),
        ] {
            assert!(
                !text.contains(sig) && !text.contains(&DEV_ACCOUNT_KEY[..20]),
                "{text}"
            );
        }
    }

    #[test]
    fn the_date_is_formatted_once_a_second() {
        let store = key_store(0);
        let a = store.date(1_795_499_095_100.0);
        assert_eq!(a, "Tue, 24 Nov 2026 05:44:55 GMT");
        assert_eq!(store.date(1_795_499_095_900.0), a);
        assert_eq!(
            store.date(1_795_499_096_000.0),
            "Tue, 24 Nov 2026 05:44:56 GMT"
        );
    }
}
