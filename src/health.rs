//! The health of a consumer group: the rules that turn one listing of the group's blobs into the
//! state of each partition and a list of findings, each with a stable code, a sentence and what
//! to do. Pure functions of what was listed and of two clocks; the store gathers the listing
//! (`Store::inspect`), the JS layer only converts the result.

use crate::blob_name::{prefix, BlobKind};
use crate::error::StoreError;
use crate::list_blobs::ListedBlob;
use crate::metadata::{
    checkpoint_from_blob, is_offsetless, ownership_from_blob, partition_blob, Group,
};
use crate::time::parse_http_date;

/// `@azure/event-hubs`' default: an ownership not renewed for a minute may be taken over.
pub const DEFAULT_OWNERSHIP_EXPIRY_MS: f64 = 60_000.0;
/// A checkpoint of an owned partition older than this is reported as stalled. Processors
/// checkpoint when their handler says so, and an idle partition has nothing to checkpoint, so
/// this is generous; lower it for busy hubs, raise it for quiet ones.
pub const DEFAULT_STALL_THRESHOLD_MS: f64 = 300_000.0;
/// A difference between this host's clock and the storage account's above this is reported.
/// Well above the one-second resolution of the `Date` header plus a request's latency, and well
/// below the ownership expiry it distorts.
pub const DEFAULT_CLOCK_SKEW_THRESHOLD_MS: f64 = 5_000.0;
/// Longest accepted threshold: a year.
const MAX_THRESHOLD_MS: f64 = 365.0 * 24.0 * 3600.0 * 1000.0;
/// Stray blobs reported one by one; the rest are counted in one more finding.
pub const MAX_STRAY_FINDINGS: usize = 20;

/// The thresholds of the rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthOptions {
    /// An ownership older than this is expired (`ownershipExpiryMs`).
    pub ownership_expiry_ms: f64,
    /// An owned partition's checkpoint older than this is stalled (`stallThresholdMs`).
    pub stall_threshold_ms: f64,
    /// A clock difference above this is reported (`clockSkewThresholdMs`).
    pub clock_skew_threshold_ms: f64,
}

impl Default for HealthOptions {
    fn default() -> Self {
        HealthOptions {
            ownership_expiry_ms: DEFAULT_OWNERSHIP_EXPIRY_MS,
            stall_threshold_ms: DEFAULT_STALL_THRESHOLD_MS,
            clock_skew_threshold_ms: DEFAULT_CLOCK_SKEW_THRESHOLD_MS,
        }
    }
}

impl HealthOptions {
    /// Checks each threshold: a positive number of milliseconds, at most a year.
    pub fn validate(&self) -> Result<(), StoreError> {
        for (value, name) in [
            (self.ownership_expiry_ms, "options.ownershipExpiryMs"),
            (self.stall_threshold_ms, "options.stallThresholdMs"),
            (self.clock_skew_threshold_ms, "options.clockSkewThresholdMs"),
        ] {
            if !(value.is_finite() && value > 0.0 && value <= MAX_THRESHOLD_MS) {
                return Err(StoreError::invalid(
                    name,
                    "must be a number of milliseconds above 0 and at most a year (31536000000)",
                ));
            }
        }
        Ok(())
    }
}

/// What a finding is about; the names are the stable `code`s of the JS API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingCode {
    /// A partition nobody owns: a checkpoint without an ownership blob, or released long ago.
    UnownedPartition,
    /// An owner stopped renewing and nobody took the partition over.
    ExpiredOwnership,
    /// Live owners hold partition counts more than one apart.
    Imbalance,
    /// An owned partition's checkpoint has not been written for the stall threshold.
    StalledCheckpoint,
    /// A checkpoint with an empty or `no offset` offset (.NET 5.11 and later).
    CheckpointWithoutOffset,
    /// A blob at a partition's path whose metadata cannot be read; the lists reject over it.
    UnreadableBlob,
    /// A blob under the group that is not a partition blob.
    StrayBlob,
    /// Blobs under a prefix that differs from this group's only in letter case.
    CaseVariantPrefix,
    /// This host's clock is far from the storage account's.
    ClockSkew,
}

impl FindingCode {
    /// The code as the JS API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::UnownedPartition => "UnownedPartition",
            FindingCode::ExpiredOwnership => "ExpiredOwnership",
            FindingCode::Imbalance => "Imbalance",
            FindingCode::StalledCheckpoint => "StalledCheckpoint",
            FindingCode::CheckpointWithoutOffset => "CheckpointWithoutOffset",
            FindingCode::UnreadableBlob => "UnreadableBlob",
            FindingCode::StrayBlob => "StrayBlob",
            FindingCode::CaseVariantPrefix => "CaseVariantPrefix",
            FindingCode::ClockSkew => "ClockSkew",
        }
    }
}

/// One thing an operator should know about the group.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: FindingCode,
    /// The partition it concerns, if one.
    pub partition_id: Option<String>,
    /// The blob (or blob-name prefix) it concerns: its name in the container.
    pub blob: Option<String>,
    /// The owner it concerns, if one.
    pub owner_id: Option<String>,
    /// What was found, as a sentence.
    pub message: String,
    /// What to do about it.
    pub action: String,
}

/// A partition's checkpoint as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointState {
    pub sequence_number: i64,
    /// As stored: possibly empty or `no offset`.
    pub offset: String,
    /// The checkpoint blob's Last-Modified: when it was last written.
    pub last_modified_ms: f64,
}

/// One partition as its blobs tell it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartitionState {
    pub partition_id: String,
    /// `None`: no (readable) ownership blob; `Some("")`: released.
    pub owner_id: Option<String>,
    /// The ownership blob's Last-Modified: the owner's last renewal.
    pub ownership_last_modified_ms: Option<f64>,
    /// The ownership blob's ETag, quoted.
    pub ownership_etag: Option<String>,
    /// A non-empty owner whose last renewal is older than the ownership expiry.
    pub expired: bool,
    pub checkpoint: Option<CheckpointState>,
}

/// A live owner and how many partitions it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerCount {
    pub owner_id: String,
    pub partitions: usize,
}

/// The result of `inspect`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupInspection {
    /// The group as the caller named it.
    pub fully_qualified_namespace: String,
    pub event_hub_name: String,
    pub consumer_group: String,
    /// This host's clock when the listing arrived.
    pub inspected_at_ms: f64,
    /// The storage account's clock (the listing's `Date` header), when the transport saw it.
    pub server_time_ms: Option<f64>,
    /// `inspected_at_ms - server_time_ms`: positive when this host's clock is ahead.
    pub clock_skew_ms: Option<f64>,
    pub ownership_expiry_ms: f64,
    pub stall_threshold_ms: f64,
    /// Live (non-expired, non-empty) owners, by owner id.
    pub owners: Vec<OwnerCount>,
    /// Every partition that has a blob, numeric ids in numeric order first.
    pub partitions: Vec<PartitionState>,
    pub findings: Vec<Finding>,
}

/// What the store saw of a group.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// Every blob under the group's prefix (`{ns}/{eh}/{cg}/`, lower-cased), both folders.
    pub blobs: &'a [ListedBlob],
    /// Group prefixes in the container (`A/B/C/`) that differ from this group's only in case.
    pub case_variants: &'a [String],
    /// This host's clock when the listing arrived.
    pub host_now_ms: f64,
    /// The storage account's clock then (the response's `Date`), if known.
    pub server_time_ms: Option<f64>,
}

/// A duration for a sentence: `45 s`, `12 min`, `3 h`, `2 d`. Whole numbers only: formatting
/// an `f64` would pull the float printing code into the wasm.
pub fn duration_text(ms: f64) -> String {
    // `as` saturates (NaN to 0), so no input can misbehave.
    let s = (ms.max(0.0) / 1000.0).round() as u64;
    let div = |d: u64| (s + d / 2) / d;
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", div(60))
    } else if s < 172_800 {
        format!("{} h", div(3600))
    } else {
        format!("{} d", div(86400))
    }
}

/// Numeric partition ids first, in numeric order (also past 2^64), then the others.
fn partition_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| {
        let numeric = !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        let digits = s.trim_start_matches('0');
        (
            !numeric,
            if numeric { digits.len() } else { 0 },
            digits.to_string(),
        )
    };
    let (ka, kb) = (key(a), key(b));
    if ka.0 || kb.0 {
        (ka.0, a).cmp(&(kb.0, b))
    } else {
        ka.cmp(&kb).then_with(|| a.cmp(b))
    }
}

fn finding(code: FindingCode, message: String, action: &str) -> Finding {
    Finding {
        code,
        partition_id: None,
        blob: None,
        owner_id: None,
        message,
        action: action.to_string(),
    }
}

/// Applies every rule to what was seen of group `g`.
pub fn inspect_group(g: Group<'_>, obs: Observation<'_>, opts: &HealthOptions) -> GroupInspection {
    let own_pfx = prefix(
        g.namespace,
        g.event_hub,
        g.consumer_group,
        BlobKind::Ownership,
    );
    let cp_pfx = prefix(
        g.namespace,
        g.event_hub,
        g.consumer_group,
        BlobKind::Checkpoint,
    );
    let group_pfx = own_pfx.strip_suffix("ownership/").unwrap_or(&own_pfx);
    // Ages are judged by the storage account's clock, which also wrote every Last-Modified.
    let now = obs.server_time_ms.unwrap_or(obs.host_now_ms);
    let age = |t: f64| (now - t).max(0.0);

    // Partition blobs sorted by partition, then one pass builds each partition's state.
    let mut entries: Vec<(&str, BlobKind, &ListedBlob)> = Vec::new();
    let mut strays: Vec<&ListedBlob> = Vec::new();
    for b in obs.blobs {
        if let Some(pid) = partition_blob(b, &own_pfx) {
            entries.push((pid, BlobKind::Ownership, b));
        } else if let Some(pid) = partition_blob(b, &cp_pfx) {
            entries.push((pid, BlobKind::Checkpoint, b));
        } else {
            strays.push(b);
        }
    }
    crate::sort::sort_by(&mut entries, |a, b| partition_order(a.0, b.0).is_lt());
    let mut partitions: Vec<PartitionState> = Vec::new();
    // The unreadable-blob findings of each partition, by index in `partitions`.
    let mut unreadable: Vec<Vec<Finding>> = Vec::new();
    for (pid, kind, b) in entries {
        if partitions.last().is_none_or(|p| p.partition_id != pid) {
            partitions.push(PartitionState {
                partition_id: pid.to_string(),
                ..PartitionState::default()
            });
            unreadable.push(Vec::new());
        }
        let (Some(state), Some(bad)) = (partitions.last_mut(), unreadable.last_mut()) else {
            continue;
        };
        let problem = match kind {
            BlobKind::Ownership => match ownership_from_blob(b, &own_pfx, g) {
                Ok(Some(o)) => {
                    state.owner_id = Some(o.owner_id);
                    state.ownership_last_modified_ms = o.last_modified_ms;
                    state.ownership_etag = o.etag;
                    None
                }
                Ok(None) => None,
                Err(why) => Some(("ownership", why)),
            },
            BlobKind::Checkpoint => match checkpoint_from_blob(b, &cp_pfx, g) {
                Ok(Some(c)) => match b.last_modified.as_deref().and_then(parse_http_date) {
                    Some(lm) => {
                        state.checkpoint = Some(CheckpointState {
                            sequence_number: c.sequence_number,
                            offset: c.offset,
                            last_modified_ms: lm,
                        });
                        None
                    }
                    None => Some(("checkpoint", "has no valid Last-Modified")),
                },
                Ok(None) => None,
                Err(why) => Some(("checkpoint", why)),
            },
        };
        if let Some((what, why)) = problem {
            let lists = if what == "ownership" {
                "listOwnership"
            } else {
                "listCheckpoints"
            };
            bad.push(Finding {
                partition_id: Some(pid.to_string()),
                blob: Some(b.name.clone()),
                ..finding(
                    FindingCode::UnreadableBlob,
                    format!("The {what} blob of partition {pid} ('{}') {why}: {lists} rejects until it is fixed, in this store and in the official ones.", b.name),
                    if what == "ownership" {
                        "Delete the blob (processors then claim the partition afresh) or give it an ownerid metadata value; find the tool or processor that wrote it."
                    } else {
                        "Write a valid checkpoint over it (updateCheckpoint with the partition's sequence number and offset) or delete it (the partition then restarts at the processor's default position); find the tool or processor that wrote it."
                    },
                )
            });
        }
    }

    // Expiry, and the live owners with their partition counts.
    let mut live_ids: Vec<&str> = Vec::new();
    for p in &mut partitions {
        if let (Some(owner), Some(lm)) = (&p.owner_id, p.ownership_last_modified_ms) {
            if !owner.is_empty() {
                p.expired = age(lm) > opts.ownership_expiry_ms;
            }
        }
    }
    for p in &partitions {
        match &p.owner_id {
            Some(o) if !o.is_empty() && !p.expired => live_ids.push(o),
            _ => {}
        }
    }
    crate::sort::sort(&mut live_ids);
    let mut live: Vec<OwnerCount> = Vec::new();
    for id in live_ids {
        match live.last_mut() {
            Some(last) if last.owner_id == id => last.partitions += 1,
            _ => live.push(OwnerCount {
                owner_id: id.to_string(),
                partitions: 1,
            }),
        }
    }

    let mut findings = Vec::new();
    if let (Some(server), true) = (obs.server_time_ms, obs.host_now_ms.is_finite()) {
        let skew = obs.host_now_ms - server;
        if skew.abs() > opts.clock_skew_threshold_ms {
            findings.push(finding(
                FindingCode::ClockSkew,
                format!(
                    "This host's clock is {} {} the storage account's (threshold {}): processors judge ownership expiry by their own clock against the blobs' Last-Modified, so a processor on a host this far off takes partitions over too early or too late.",
                    duration_text(skew.abs()),
                    if skew > 0.0 { "ahead of" } else { "behind" },
                    duration_text(opts.clock_skew_threshold_ms)
                ),
                "Synchronize this host's clock (NTP), and check the clocks of the hosts that run processors.",
            ));
        }
    }

    for (p, bad) in partitions.iter().zip(unreadable) {
        let pid = &p.partition_id;
        let at = |f: Finding| Finding {
            partition_id: Some(pid.clone()),
            ..f
        };
        let ownership_unreadable = bad
            .iter()
            .any(|f| f.blob.as_deref().is_some_and(|b| b.starts_with(&own_pfx)));
        findings.extend(bad);
        match (&p.owner_id, p.ownership_last_modified_ms) {
            (None, _) if !ownership_unreadable => findings.push(at(finding(
                FindingCode::UnownedPartition,
                format!("Partition {pid} has a checkpoint blob but no ownership blob: no processor has claimed it, so its events are not being read."),
                "Start a processor for this consumer group, or check that the running ones see this partition (same namespace, event hub and consumer group names, same container).",
            ))),
            (Some(o), Some(lm)) if o.is_empty() && age(lm) > opts.ownership_expiry_ms => {
                findings.push(at(finding(
                    FindingCode::UnownedPartition,
                    format!("Partition {pid} was released {} ago and no processor has claimed it since: its events are not being read.", duration_text(age(lm))),
                    "Start a processor for this consumer group; running processors claim released partitions at their next load-balancing cycle (10 to 30 s).",
                )))
            }
            (Some(o), Some(lm)) if p.expired => findings.push(Finding {
                owner_id: Some(o.clone()),
                ..at(finding(
                    FindingCode::ExpiredOwnership,
                    format!("Partition {pid} is owned by '{o}', which last renewed {} ago (expiry {}), and no other processor has taken it over: its events are not being read.", duration_text(age(lm)), duration_text(opts.ownership_expiry_ms)),
                    "Check that the processor is running and can reach the storage account; if it is gone, start another: processors take expired partitions over at their next load-balancing cycle. Processors with a longer expiry (Python 3 min, .NET and Java 2 min) wait that long.",
                ))
            }),
            _ => {}
        }
        if let Some(c) = &p.checkpoint {
            if is_offsetless(&c.offset) {
                findings.push(at(finding(
                    FindingCode::CheckpointWithoutOffset,
                    format!("The checkpoint of partition {pid} has no offset ('{}'), only the sequence number {}: written by .NET 5.11 (empty) or a later .NET processor (\"no offset\").", c.offset, c.sequence_number),
                    "Nothing to do for .NET processors. A processor that resumes from the offset (@azure/event-hubs) must start this partition from the sequence number instead: { sequenceNumber, isInclusive: false }.",
                )));
            }
            let live_owner = p.owner_id.as_ref().filter(|o| !o.is_empty() && !p.expired);
            if let Some(o) = live_owner {
                if age(c.last_modified_ms) > opts.stall_threshold_ms {
                    findings.push(Finding {
                        owner_id: Some(o.clone()),
                        ..at(finding(
                            FindingCode::StalledCheckpoint,
                            format!("Partition {pid} is owned by '{o}', which renews it, but its checkpoint was last written {} ago (threshold {}).", duration_text(age(c.last_modified_ms)), duration_text(opts.stall_threshold_ms)),
                            "Check the processor's event handler (stuck, failing, or not checkpointing); if the partition simply had no events, raise stallThresholdMs.",
                        ))
                    });
                }
            }
        }
    }
    if live.len() >= 2 {
        // The busiest (first by owner id among equals) and the least busy.
        let most = live.iter().fold(
            &live[0],
            |m, o| if o.partitions > m.partitions { o } else { m },
        );
        let least = live.iter().fold(
            &live[0],
            |m, o| if o.partitions < m.partitions { o } else { m },
        );
        if most.partitions - least.partitions > 1 {
            findings.push(Finding {
                owner_id: Some(most.owner_id.clone()),
                ..finding(
                    FindingCode::Imbalance,
                    format!("Owners hold partition counts more than one apart: '{}' holds {}, '{}' {} ({} live owners).", most.owner_id, most.partitions, least.owner_id, least.partitions, live.len()),
                    "Usual for a few load-balancing cycles after a processor starts or stops; if it lasts, check that every processor uses the same load-balancing strategy and ownership expiry, and that none is stuck.",
                )
            });
        }
    }

    for v in obs.case_variants {
        findings.push(Finding {
            blob: Some(v.clone()),
            ..finding(
                FindingCode::CaseVariantPrefix,
                format!("Blobs under '{v}' belong to a group whose name differs from '{group_pfx}' only in letter case: processors that did not lower-case the names (the Rust SDK, azure-sdk-for-rust#5099) keep their own ownership and checkpoints there, invisible to the others, so two processors can read the same partition."),
                "Make every processor use the lower-case names (upgrade the Rust SDK when its fix ships, or pass lower-case names), then move the checkpoints over and delete the blobs under the variant prefix.",
            )
        });
    }

    for b in strays.iter().take(MAX_STRAY_FINDINGS) {
        findings.push(Finding {
            blob: Some(b.name.clone()),
            ..finding(
                FindingCode::StrayBlob,
                format!("'{}' is under this consumer group but is not an ownership or checkpoint blob (a folder marker, a note, or a deeper path); this store's lists ignore it, the official JavaScript and Python stores take the last path segment of any blob there for a partition id.", b.name),
                "Delete it, or move it out of the consumer group's folder.",
            )
        });
    }
    if strays.len() > MAX_STRAY_FINDINGS {
        findings.push(Finding {
            blob: Some(group_pfx.to_string()),
            ..finding(
                FindingCode::StrayBlob,
                format!(
                    "{} more blobs under '{group_pfx}' are not ownership or checkpoint blobs.",
                    strays.len() - MAX_STRAY_FINDINGS
                ),
                "List the blobs under the prefix and delete or move those that are not partition blobs.",
            )
        });
    }

    GroupInspection {
        fully_qualified_namespace: g.namespace.to_string(),
        event_hub_name: g.event_hub.to_string(),
        consumer_group: g.consumer_group.to_string(),
        inspected_at_ms: obs.host_now_ms,
        server_time_ms: obs.server_time_ms,
        clock_skew_ms: obs.server_time_ms.map(|s| obs.host_now_ms - s),
        ownership_expiry_ms: opts.ownership_expiry_ms,
        stall_threshold_ms: opts.stall_threshold_ms,
        owners: live,
        partitions,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_http_date;

    const G: Group<'static> = Group {
        namespace: "Ns.servicebus.windows.net",
        event_hub: "Telemetry",
        consumer_group: "$Default",
    };
    const PFX: &str = "ns.servicebus.windows.net/telemetry/$default/";
    /// The storage account's clock in these tests.
    const NOW: f64 = 1_795_499_095_000.0;
    const SEC: f64 = 1000.0;

    fn blob(name: &str, age_ms: f64, meta: &[(&str, &str)]) -> ListedBlob {
        ListedBlob {
            name: format!("{PFX}{name}"),
            etag: Some("0x8D1".into()),
            last_modified: Some(format_http_date(NOW - age_ms)),
            metadata: meta
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }
    fn own(pid: &str, owner: &str, age_ms: f64) -> ListedBlob {
        blob(&format!("ownership/{pid}"), age_ms, &[("ownerid", owner)])
    }
    fn cp(pid: &str, seq: &str, offset: &str, age_ms: f64) -> ListedBlob {
        blob(
            &format!("checkpoint/{pid}"),
            age_ms,
            &[("sequencenumber", seq), ("offset", offset)],
        )
    }

    fn run_with(blobs: &[ListedBlob], variants: &[String], opts: HealthOptions) -> GroupInspection {
        inspect_group(
            G,
            Observation {
                blobs,
                case_variants: variants,
                host_now_ms: NOW + 300.0,
                server_time_ms: Some(NOW),
            },
            &opts,
        )
    }
    fn run(blobs: &[ListedBlob]) -> GroupInspection {
        run_with(blobs, &[], HealthOptions::default())
    }
    fn codes(i: &GroupInspection) -> Vec<(&'static str, Option<&str>)> {
        i.findings
            .iter()
            .map(|f| (f.code.as_str(), f.partition_id.as_deref()))
            .collect()
    }

    /// Four partitions, two live owners, fresh checkpoints with offsets.
    fn healthy() -> Vec<ListedBlob> {
        let mut v = Vec::new();
        for (pid, owner) in [("0", "a"), ("1", "b"), ("2", "a"), ("3", "b")] {
            v.push(own(pid, owner, 5.0 * SEC));
            v.push(cp(pid, "100", "4096", 2.0 * SEC));
        }
        v
    }

    #[test]
    fn a_healthy_group_has_no_findings() {
        let i = run(&healthy());
        assert_eq!(codes(&i), []);
        assert_eq!(i.partitions.len(), 4);
        assert_eq!(
            i.owners,
            [
                OwnerCount {
                    owner_id: "a".into(),
                    partitions: 2
                },
                OwnerCount {
                    owner_id: "b".into(),
                    partitions: 2
                }
            ]
        );
        let p = &i.partitions[0];
        assert_eq!(p.owner_id.as_deref(), Some("a"));
        assert_eq!(p.ownership_etag.as_deref(), Some("\"0x8D1\""));
        assert_eq!(p.ownership_last_modified_ms, Some(NOW - 5.0 * SEC));
        assert!(!p.expired);
        let c = p.checkpoint.as_ref().unwrap();
        assert_eq!(
            (c.sequence_number, c.offset.as_str(), c.last_modified_ms),
            (100, "4096", NOW - 2.0 * SEC)
        );
        assert_eq!(i.server_time_ms, Some(NOW));
        assert_eq!(i.clock_skew_ms, Some(300.0));
        assert_eq!(i.ownership_expiry_ms, DEFAULT_OWNERSHIP_EXPIRY_MS);
        assert_eq!(i.consumer_group, "$Default", "the caller's spelling");
    }

    #[test]
    fn unowned_partition() {
        // A checkpoint and no ownership blob; a release long ago; a release just now (no finding).
        let blobs = [
            cp("0", "1", "1", SEC),
            own("1", "", 120.0 * SEC),
            cp("1", "1", "1", SEC),
            own("2", "", 10.0 * SEC),
        ];
        let i = run(&blobs);
        assert_eq!(
            codes(&i),
            [
                ("UnownedPartition", Some("0")),
                ("UnownedPartition", Some("1"))
            ]
        );
        assert_eq!(i.partitions[0].owner_id, None);
        assert_eq!(i.partitions[1].owner_id.as_deref(), Some(""));
        assert!(
            !i.partitions[1].expired,
            "a released partition is not expired"
        );
        assert!(i.findings[1].message.contains("released 2 min ago"));
        assert!(i.owners.is_empty());
    }

    #[test]
    fn expired_ownership() {
        let blobs = [own("0", "gone", 61.0 * SEC), own("1", "alive", 59.0 * SEC)];
        let i = run(&blobs);
        assert_eq!(codes(&i), [("ExpiredOwnership", Some("0"))]);
        assert_eq!(i.findings[0].owner_id.as_deref(), Some("gone"));
        assert!(i.partitions[0].expired && !i.partitions[1].expired);
        assert_eq!(i.owners.len(), 1, "only live owners are counted");
        // The caller's expiry (Python's 3 minutes) decides.
        let i = run_with(
            &blobs,
            &[],
            HealthOptions {
                ownership_expiry_ms: 180.0 * SEC,
                ..HealthOptions::default()
            },
        );
        assert_eq!(codes(&i), []);
    }

    #[test]
    fn ages_are_judged_by_the_storage_accounts_clock() {
        // The host is 10 minutes ahead: by its clock everything would be expired.
        let blobs = [own("0", "a", 5.0 * SEC)];
        let i = inspect_group(
            G,
            Observation {
                blobs: &blobs,
                case_variants: &[],
                host_now_ms: NOW + 600.0 * SEC,
                server_time_ms: Some(NOW),
            },
            &HealthOptions::default(),
        );
        assert!(!i.partitions[0].expired);
        assert_eq!(codes(&i), [("ClockSkew", None)]);
        // Without the server's time, the host's clock is all there is.
        let i = inspect_group(
            G,
            Observation {
                blobs: &blobs,
                case_variants: &[],
                host_now_ms: NOW + 600.0 * SEC,
                server_time_ms: None,
            },
            &HealthOptions::default(),
        );
        assert!(i.partitions[0].expired);
        assert_eq!(i.clock_skew_ms, None);
        assert_eq!(codes(&i), [("ExpiredOwnership", Some("0"))]);
    }

    #[test]
    fn imbalance() {
        let mut blobs = Vec::new();
        for p in 0..6 {
            blobs.push(own(
                &p.to_string(),
                if p < 4 { "big" } else { "small" },
                SEC,
            ));
        }
        let i = run(&blobs);
        assert_eq!(codes(&i), [("Imbalance", None)]);
        assert_eq!(i.findings[0].owner_id.as_deref(), Some("big"));
        assert!(i.findings[0].message.contains("'big' holds 4, 'small' 2"));
        // One apart is balanced; one owner alone is not an imbalance.
        blobs[3] = own("3", "small", SEC);
        assert_eq!(codes(&run(&blobs)), []);
        blobs.truncate(3);
        blobs.retain(|b| b.meta("ownerid") == Some("big"));
        assert_eq!(codes(&run(&blobs)), []);
    }

    #[test]
    fn stalled_checkpoint() {
        let blobs = [
            own("0", "a", SEC),
            cp("0", "5", "50", 301.0 * SEC),
            own("1", "a", SEC),
            cp("1", "5", "50", 299.0 * SEC),
            // Not owned by a live owner: not stalled (the ownership finding says it).
            own("2", "b", 70.0 * SEC),
            cp("2", "5", "50", 900.0 * SEC),
        ];
        let i = run(&blobs);
        assert_eq!(
            codes(&i),
            [
                ("StalledCheckpoint", Some("0")),
                ("ExpiredOwnership", Some("2"))
            ]
        );
        assert_eq!(i.findings[0].owner_id.as_deref(), Some("a"));
        let i = run_with(
            &blobs,
            &[],
            HealthOptions {
                stall_threshold_ms: 3600.0 * SEC,
                ..HealthOptions::default()
            },
        );
        assert_eq!(codes(&i), [("ExpiredOwnership", Some("2"))]);
    }

    #[test]
    fn checkpoint_without_offset() {
        let blobs = [
            own("0", "a", SEC),
            cp("0", "7", "", SEC),
            own("1", "a", SEC),
            cp("1", "8", "no offset", SEC),
            own("2", "a", SEC),
            cp("2", "9", "2:-1:-1", SEC),
        ];
        let i = run(&blobs);
        assert_eq!(
            codes(&i),
            [
                ("CheckpointWithoutOffset", Some("0")),
                ("CheckpointWithoutOffset", Some("1"))
            ]
        );
        assert_eq!(
            i.partitions[1].checkpoint.as_ref().unwrap().offset,
            "no offset"
        );
        assert_eq!(
            i.partitions[2].checkpoint.as_ref().unwrap().offset,
            "2:-1:-1"
        );
    }

    #[test]
    fn unreadable_blobs_are_findings_and_the_rest_shows() {
        let mut no_date = cp("3", "1", "1", SEC);
        no_date.last_modified = Some("soon".into());
        let blobs = [
            own("0", "a", SEC),
            blob(
                "checkpoint/0",
                SEC,
                &[("sequencenumber", "x"), ("offset", "1")],
            ),
            blob("ownership/1", SEC, &[("owner", "a")]),
            cp("1", "4", "40", SEC),
            own("2", "a", SEC),
            cp("2", "1", "1", SEC),
            no_date,
        ];
        let i = run(&blobs);
        assert_eq!(
            codes(&i),
            [
                ("UnreadableBlob", Some("0")),
                ("UnreadableBlob", Some("1")),
                ("UnreadableBlob", Some("3")),
                // Partition 3 has a checkpoint blob and no ownership blob.
                ("UnownedPartition", Some("3")),
            ]
        );
        let f = &i.findings[0];
        assert_eq!(f.blob.as_deref(), Some(&*format!("{PFX}checkpoint/0")));
        assert!(f.message.contains("sequencenumber") && f.message.contains("listCheckpoints"));
        assert!(
            i.findings[1].message.contains("ownerid")
                && i.findings[1].message.contains("listOwnership")
        );
        assert!(i.findings[2].message.contains("Last-Modified"));
        assert_eq!(i.partitions.len(), 4);
        assert_eq!(i.partitions[0].owner_id.as_deref(), Some("a"));
        assert!(i.partitions[0].checkpoint.is_none());
        assert_eq!(i.partitions[1].owner_id, None);
        assert_eq!(
            i.partitions[1].checkpoint.as_ref().unwrap().sequence_number,
            4
        );
    }

    #[test]
    fn stray_blobs() {
        let mut blobs = healthy();
        let marker = |name: &str| blob(name, SEC, &[("hdi_isfolder", "true")]);
        blobs.extend([
            marker(""),
            marker("checkpoint/"),
            blob("notes.txt", SEC, &[]),
            blob(
                "checkpoint/0/extra",
                SEC,
                &[("sequencenumber", "1"), ("offset", "1")],
            ),
            marker("ownership/9"),
        ]);
        let i = run(&blobs);
        assert_eq!(codes(&i), [("StrayBlob", None); 5]);
        assert_eq!(
            i.findings[2].blob.as_deref(),
            Some(&*format!("{PFX}notes.txt"))
        );
        assert_eq!(i.partitions.len(), 4, "strays make no partitions");
        // Past the limit, the rest are counted in one finding.
        for n in 0..30 {
            blobs.push(blob(&format!("junk/{n}"), SEC, &[]));
        }
        let i = run(&blobs);
        assert_eq!(i.findings.len(), MAX_STRAY_FINDINGS + 1);
        assert!(i.findings[MAX_STRAY_FINDINGS]
            .message
            .starts_with("15 more blobs"));
    }

    #[test]
    fn case_variant_prefixes() {
        let variants = ["Ns.servicebus.windows.net/Telemetry/$Default/".to_string()];
        let i = run_with(&healthy(), &variants, HealthOptions::default());
        assert_eq!(codes(&i), [("CaseVariantPrefix", None)]);
        assert_eq!(i.findings[0].blob.as_deref(), Some(variants[0].as_str()));
        assert!(i.findings[0].message.contains(PFX));
    }

    #[test]
    fn clock_skew() {
        let at = |host_now_ms: f64| {
            inspect_group(
                G,
                Observation {
                    blobs: &[],
                    case_variants: &[],
                    host_now_ms,
                    server_time_ms: Some(NOW),
                },
                &HealthOptions::default(),
            )
        };
        assert_eq!(codes(&at(NOW + 4.9 * SEC)), []);
        assert_eq!(codes(&at(NOW - 4.9 * SEC)), []);
        let ahead = at(NOW + 90.0 * SEC);
        assert_eq!(codes(&ahead), [("ClockSkew", None)]);
        assert_eq!(ahead.clock_skew_ms, Some(90.0 * SEC));
        assert!(ahead.findings[0].message.contains("90 s ahead of"));
        let behind = at(NOW - 600.0 * SEC);
        assert!(behind.findings[0].message.contains("10 min behind"));
        assert_eq!(behind.clock_skew_ms, Some(-600.0 * SEC));
    }

    #[test]
    fn every_finding_has_a_sentence_and_an_action() {
        let mut blobs = healthy();
        blobs.extend([
            own("4", "gone", 3600.0 * SEC),
            cp("5", "1", "", 3600.0 * SEC),
            blob("x", SEC, &[]),
        ]);
        let i = run_with(
            &blobs,
            &["NS/telemetry/$default/".into()],
            HealthOptions::default(),
        );
        assert!(i.findings.len() >= 5);
        for f in &i.findings {
            assert!(f.message.ends_with('.') && f.action.ends_with('.'), "{f:?}");
        }
    }

    #[test]
    fn partitions_sort_numerically_then_by_name() {
        let blobs: Vec<_> = [
            "10",
            "9",
            "b",
            "0010x",
            "2",
            "a",
            "007",
            "18446744073709551616",
        ]
        .iter()
        .map(|p| own(p, "o", SEC))
        .collect();
        let i = run(&blobs);
        let ids: Vec<_> = i
            .partitions
            .iter()
            .map(|p| p.partition_id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "2",
                "007",
                "9",
                "10",
                "18446744073709551616",
                "0010x",
                "a",
                "b"
            ]
        );
    }

    #[test]
    fn options_are_checked() {
        HealthOptions::default().validate().unwrap();
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e12] {
            let o = HealthOptions {
                stall_threshold_ms: bad,
                ..HealthOptions::default()
            };
            assert!(o
                .validate()
                .unwrap_err()
                .message()
                .starts_with("options.stallThresholdMs"));
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(400.0), "0 s");
        assert_eq!(duration_text(61_000.0), "61 s");
        assert_eq!(duration_text(600_000.0), "10 min");
        assert_eq!(duration_text(3.0 * 3600.0 * 1000.0), "3 h");
        assert_eq!(duration_text(3.0 * 86400.0 * 1000.0), "3 d");
        assert_eq!(duration_text(-5.0), "0 s");
    }
}
