//! The consumer groups of a container and the health of one: the store's `listConsumerGroups`
//! and `inspect`. The listings are made here; the rules are in [`crate::health`].

use futures_util::future::{join, join_all};

use crate::blob_name::{prefix, segment_problem, BlobKind};
use crate::error::StoreError;
use crate::health::{inspect_group, GroupInspection, HealthOptions, Observation};
use crate::list_blobs::ListedBlob;
use crate::metadata::Group;
use crate::model::validate_group;
use crate::store::{Auth, Host, Store};
use crate::time::parse_http_date;

/// Pages one listing may take (5,000 entries each): a bound on the work against the server.
pub const MAX_PAGES_PER_LISTING: usize = 100;
/// Pages of one group's blobs `inspect` reads: 200,000 blobs, far above 2 × 1,024 partitions.
pub const MAX_INSPECT_PAGES: usize = 40;
/// Folders one walk of the container lists (the root, each namespace, each event hub).
pub const MAX_FOLDER_LISTINGS: usize = 2_000;
/// Folder listings sent at once.
const CONCURRENT_LISTINGS: usize = 8;

/// A consumer group that has blobs in the container, its names as stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConsumerGroupId {
    pub fully_qualified_namespace: String,
    pub event_hub_name: String,
    pub consumer_group: String,
}

/// What the pages of one listing held.
#[derive(Debug, Default)]
struct Listing {
    blobs: Vec<ListedBlob>,
    prefixes: Vec<String>,
    /// The storage account's clock (`Date` of the last page that had one) and this host's
    /// clock when that page arrived.
    clock: Option<(f64, f64)>,
}

fn too_large(operation: &str, what: String) -> StoreError {
    StoreError::no_response("ListingLimitExceeded", format!("{operation}: {what}"))
}

impl Store {
    /// Every consumer group with blobs in the container, walking the folders with List Blobs
    /// and the delimiter `/` (namespace, then event hub, then consumer group), names as stored.
    /// Names no Event Hubs entity can have (empty, `%`, `\`, ...) are left out.
    pub async fn list_consumer_groups<H: Host>(
        &self,
        host: &H,
    ) -> Result<Vec<ConsumerGroupId>, StoreError> {
        let r = self.list_consumer_groups_unscrubbed(host).await;
        self.finish(r)
    }

    async fn list_consumer_groups_unscrubbed<H: Host>(
        &self,
        host: &H,
    ) -> Result<Vec<ConsumerGroupId>, StoreError> {
        const OP: &str = "listConsumerGroups";
        self.check_open()?;
        let auth = self.auth(host).await?;
        let keep = |_: usize, segment: &str| segment_problem(segment).is_none();
        let mut groups: Vec<ConsumerGroupId> = self
            .walk(host, &auth, OP, &keep)
            .await?
            .into_iter()
            .map(|[ns, eh, cg]| ConsumerGroupId {
                fully_qualified_namespace: ns,
                event_hub_name: eh,
                consumer_group: cg,
            })
            .collect();
        crate::sort::sort(&mut groups);
        Ok(groups)
    }

    /// The state and findings of one consumer group: one listing of its blobs (both folders),
    /// and a folder walk restricted to names equal to its own but for letter case, to find
    /// case-variant prefixes. Unreadable blobs are findings here, not errors.
    pub async fn inspect<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
        options: &HealthOptions,
    ) -> Result<GroupInspection, StoreError> {
        let r = self
            .inspect_unscrubbed(host, namespace, event_hub, consumer_group, options)
            .await;
        self.finish(r)
    }

    async fn inspect_unscrubbed<H: Host>(
        &self,
        host: &H,
        namespace: &str,
        event_hub: &str,
        consumer_group: &str,
        options: &HealthOptions,
    ) -> Result<GroupInspection, StoreError> {
        const OP: &str = "inspect";
        self.check_open()?;
        validate_group(namespace, event_hub, consumer_group, "")?;
        options.validate()?;
        let auth = self.auth(host).await?;
        let own_pfx = prefix(namespace, event_hub, consumer_group, BlobKind::Ownership);
        let group_pfx = own_pfx.strip_suffix("ownership/").unwrap_or(&own_pfx);
        let wanted = [
            namespace.to_ascii_lowercase(),
            event_hub.to_ascii_lowercase(),
            consumer_group.to_ascii_lowercase(),
        ];
        let keep = |level: usize, segment: &str| {
            wanted
                .get(level)
                .is_some_and(|w| segment.to_ascii_lowercase() == *w)
        };
        let (listing, variants) = join(
            self.collect_pages(host, &auth, OP, group_pfx, false, MAX_INSPECT_PAGES),
            self.walk(host, &auth, OP, &keep),
        )
        .await;
        let listing = listing?;
        let mut variants: Vec<String> = variants?
            .into_iter()
            .map(|[ns, eh, cg]| format!("{ns}/{eh}/{cg}/"))
            .filter(|p| p != group_pfx)
            .collect();
        crate::sort::sort(&mut variants);
        let (server_time_ms, host_now_ms) = match listing.clock {
            Some((server, at)) => (Some(server), at),
            None => (None, host.now_ms()),
        };
        let g = Group {
            namespace,
            event_hub,
            consumer_group,
        };
        Ok(inspect_group(
            g,
            Observation {
                blobs: &listing.blobs,
                case_variants: &variants,
                host_now_ms,
                server_time_ms,
            },
            options,
        ))
    }

    /// Walks the folders three levels deep and returns the paths `[namespace, event hub,
    /// consumer group]` whose segments `keep(level, segment)` accepts.
    async fn walk<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        operation: &str,
        keep: &dyn Fn(usize, &str) -> bool,
    ) -> Result<Vec<[String; 3]>, StoreError> {
        let mut level: Vec<Vec<String>> = vec![Vec::new()];
        let mut listings = 0;
        for depth in 0..3 {
            let mut next = Vec::new();
            for chunk in level.chunks(CONCURRENT_LISTINGS) {
                listings += chunk.len();
                if listings > MAX_FOLDER_LISTINGS {
                    return Err(too_large(
                        operation,
                        format!("the container '{}' has more than {MAX_FOLDER_LISTINGS} namespace and event hub folders to list", self.container()),
                    ));
                }
                let pages = join_all(chunk.iter().map(|path| async move {
                    let pfx: String = path.iter().map(|s| format!("{s}/")).collect();
                    let listing = self
                        .collect_pages(host, auth, operation, &pfx, true, MAX_PAGES_PER_LISTING)
                        .await?;
                    Ok::<_, StoreError>((path, pfx, listing))
                }))
                .await;
                for page in pages {
                    let (path, pfx, listing) = page?;
                    for p in &listing.prefixes {
                        let segment = p
                            .strip_prefix(pfx.as_str())
                            .and_then(|s| s.strip_suffix('/'));
                        if let Some(seg) = segment.filter(|s| !s.contains('/') && keep(depth, s)) {
                            let mut longer = path.clone();
                            longer.push(seg.to_string());
                            next.push(longer);
                        }
                    }
                }
            }
            level = next;
        }
        Ok(level
            .into_iter()
            .filter_map(|p| <[String; 3]>::try_from(p).ok())
            .collect())
    }

    /// Every page of one listing under `pfx` (folders only, with the delimiter `/`, when
    /// `folders`), at most `max_pages`, through the store's one bounded listing loop.
    async fn collect_pages<H: Host>(
        &self,
        host: &H,
        auth: &Auth,
        operation: &str,
        pfx: &str,
        folders: bool,
        max_pages: usize,
    ) -> Result<Listing, StoreError> {
        let mut out = Listing::default();
        self.list_pages(
            host,
            auth,
            operation,
            pfx,
            folders,
            max_pages,
            |page, resp| {
                if let Some(date) = resp.header("date").and_then(parse_http_date) {
                    out.clock = Some((date, host.now_ms()));
                }
                out.blobs.extend(page.blobs);
                out.prefixes.extend(page.prefixes);
                Ok(())
            },
        )
        .await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account_url::AccountUrl;
    use crate::credential::{AccessToken, Credential};
    use crate::health::FindingCode;
    use crate::http::{decode_component, Request, Response, TransportError};
    use crate::store::StoreConfig;
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// A container of blob names answered the way List Blobs does, with and without the
    /// delimiter, `page_size` entries a page; every request URL is recorded.
    struct FakeBlobs {
        names: Vec<String>,
        page_size: usize,
        date: Option<&'static str>,
        urls: RefCell<Vec<String>>,
    }

    fn query(url: &str, key: &str) -> Option<String> {
        let q = url.split_once('?')?.1;
        q.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .map(decode_component)
    }

    impl Host for FakeBlobs {
        async fn send(&self, req: Request, _: f64) -> Result<Response, TransportError> {
            self.urls.borrow_mut().push(req.url.clone());
            let pfx = query(&req.url, "prefix").unwrap_or_default();
            let delimited = query(&req.url, "delimiter").as_deref() == Some("/");
            let start: usize = query(&req.url, "marker").map_or(0, |m| m.parse().unwrap());
            let mut entries: Vec<(bool, String)> = Vec::new();
            for n in self.names.iter().filter(|n| n.starts_with(&pfx)) {
                let rest = &n[pfx.len()..];
                let entry = match rest.find('/') {
                    Some(i) if delimited => (true, format!("{pfx}{}", &rest[..=i])),
                    _ => (false, n.clone()),
                };
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            let end = (start + self.page_size).min(entries.len());
            let mut body = String::from("<EnumerationResults><Blobs>");
            for (is_prefix, name) in &entries[start..end] {
                if *is_prefix {
                    body += &format!("<BlobPrefix><Name>{name}</Name></BlobPrefix>");
                } else {
                    body += &format!("<Blob><Name>{name}</Name><Properties><Last-Modified>Tue, 24 Nov 2026 05:44:55 GMT</Last-Modified><Etag>0x1</Etag></Properties><Metadata><ownerid>w</ownerid></Metadata></Blob>");
                }
            }
            let marker = if end < entries.len() {
                end.to_string()
            } else {
                String::new()
            };
            body += &format!("</Blobs><NextMarker>{marker}</NextMarker></EnumerationResults>");
            let mut headers = Vec::new();
            if let Some(d) = self.date {
                headers.push(("date".to_string(), d.to_string()));
            }
            Ok(Response {
                status: 200,
                headers,
                body,
            })
        }
        async fn sleep(&self, _: f64) {}
        fn random(&self) -> f64 {
            0.5
        }
        fn now_ms(&self) -> f64 {
            1_795_499_100_000.0
        }
        async fn get_token(&self, _: &str) -> Result<AccessToken, StoreError> {
            unreachable!("SAS credential")
        }
    }

    /// Runs a future whose every await is ready at once (the fake host never waits).
    fn ready<T>(f: impl Future<Output = T>) -> T {
        let mut f = pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the fake host never waits"),
        }
    }

    fn store() -> Store {
        let url = AccountUrl::parse("http://127.0.0.1:10000/devstoreaccount1", "u").unwrap();
        let cred = Credential::sas("sv=2020-02-10&sig=abc", "c").unwrap();
        Store::new(StoreConfig::new(url, "checkpoints", None, Some(cred), None).unwrap())
    }

    fn fake(names: &[&str], page_size: usize) -> FakeBlobs {
        FakeBlobs {
            names: names.iter().map(|n| n.to_string()).collect(),
            page_size,
            date: Some("Tue, 24 Nov 2026 05:45:00 GMT"),
            urls: RefCell::new(Vec::new()),
        }
    }

    const BLOBS: &[&str] = &[
        "ns/eh/$default/ownership/0",
        "ns/eh/$default/checkpoint/0",
        "ns/eh/other/ownership/0",
        "ns/eh2/$default/ownership/0",
        "NS/Eh/$Default/ownership/1",
        "ns/eh/$DEFAULT/checkpoint/1",
        "ns2/x/y/z/deeper/blob",
        "readme.txt",
        "ns/eh/not-a-group",
        "bad%/eh/cg/ownership/0",
        "ns//cg/ownership/0",
    ];

    #[test]
    fn lists_every_group_as_stored_through_all_pages() {
        let host = fake(BLOBS, 2);
        let groups = ready(store().list_consumer_groups(&host)).unwrap();
        let names: Vec<String> = groups
            .iter()
            .map(|g| {
                format!(
                    "{}/{}/{}",
                    g.fully_qualified_namespace, g.event_hub_name, g.consumer_group
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                "NS/Eh/$Default",
                "ns/eh/$DEFAULT",
                "ns/eh/$default",
                "ns/eh/other",
                "ns/eh2/$default",
                "ns2/x/y"
            ]
        );
        let urls = host.urls.borrow();
        assert!(urls
            .iter()
            .all(|u| u.contains("&delimiter=%2F") && !u.contains("include=")));
        assert!(
            urls.iter().any(|u| u.contains("&marker=")),
            "pages followed"
        );
    }

    #[test]
    fn inspect_finds_case_variants_and_reads_the_servers_clock() {
        let host = fake(BLOBS, 5000);
        let opts = HealthOptions::default();
        let i = ready(store().inspect(&host, "NS", "EH", "$Default", &opts)).unwrap();
        let variants: Vec<&str> = i
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::CaseVariantPrefix)
            .filter_map(|f| f.blob.as_deref())
            .collect();
        assert_eq!(variants, ["NS/Eh/$Default/", "ns/eh/$DEFAULT/"]);
        assert_eq!(i.partitions.len(), 1);
        assert_eq!(i.server_time_ms, Some(1_795_499_100_000.0));
        assert_eq!(i.clock_skew_ms, Some(0.0));
        // One listing of the group with metadata; the walk goes only where the case matches.
        let urls = host.urls.borrow();
        let group_listings = urls.iter().filter(|u| !u.contains("delimiter")).count();
        assert_eq!(group_listings, 1);
        assert!(urls.iter().all(|u| !u.contains("prefix=ns2")), "{urls:?}");
    }

    #[test]
    fn listings_are_bounded() {
        let names: Vec<String> = (0..(MAX_INSPECT_PAGES + 1) * 2)
            .map(|n| format!("ns/eh/cg/checkpoint/{n}"))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let host = fake(&refs, 2);
        let err =
            ready(store().inspect(&host, "ns", "eh", "cg", &HealthOptions::default())).unwrap_err();
        assert_eq!(err.code(), Some("ListingLimitExceeded"));
        assert!(err.message().contains("'checkpoints/ns/eh/cg/'"), "{err}");
    }

    #[test]
    fn without_a_date_header_there_is_no_skew() {
        let mut host = fake(BLOBS, 5000);
        host.date = None;
        let i = ready(store().inspect(&host, "ns", "eh", "$default", &HealthOptions::default()))
            .unwrap();
        assert_eq!((i.server_time_ms, i.clock_skew_ms), (None, None));
        assert_eq!(i.inspected_at_ms, 1_795_499_100_000.0);
    }
}
