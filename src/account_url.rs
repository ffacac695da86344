//! The blob account URL: where requests go, which account signs them, and any SAS it carries.

use crate::error::StoreError;
use crate::http::concat;

/// A parsed blob service endpoint such as `https://acct.blob.core.windows.net` or Azurite's
/// path-style `http://127.0.0.1:10000/devstoreaccount1`. Its `Debug` hides the SAS.
#[derive(Clone, PartialEq)]
pub struct AccountUrl {
    /// `scheme://host[:port]`.
    pub origin: String,
    /// The path below the origin without a trailing `/` (`/devstoreaccount1`, or empty).
    pub base_path: String,
    /// The account name: the first host label, or the first path segment for path-style URLs.
    pub account: String,
    /// A SAS carried in the URL's query, without the leading `?`.
    pub sas: Option<String>,
}

impl std::fmt::Debug for AccountUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountUrl")
            .field("origin", &self.origin)
            .field("base_path", &self.base_path)
            .field("account", &self.account)
            .field("sas", &self.sas.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl AccountUrl {
    /// Parses `url`; `field` names the input in errors. The URL itself is never echoed, since
    /// its query may hold a SAS.
    pub fn parse(url: &str, field: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| StoreError::invalid(field, "must be an absolute http(s) URL"))?;
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return Err(StoreError::invalid(field, "must use http or https"));
        }
        if rest.contains('#') {
            return Err(StoreError::invalid(field, "must not have a fragment"));
        }
        let (before_query, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let (host, path) = match before_query.find('/') {
            Some(i) => before_query.split_at(i),
            None => (before_query, ""),
        };
        if host.is_empty()
            || host.contains('@')
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return Err(StoreError::invalid(field, "has no valid host"));
        }
        if path
            .chars()
            .any(|c| c.is_control() || c == ' ' || c == '\\')
        {
            return Err(StoreError::invalid(field, "has an invalid path"));
        }
        let base_path = path.trim_end_matches('/').to_string();
        let first_segment = base_path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        let hostname = host_without_port(host);
        let path_style = is_ip_or_localhost(hostname) || !first_segment.is_empty();
        let account = if path_style {
            first_segment.to_string()
        } else {
            hostname.split('.').next().unwrap_or("").to_string()
        };
        let sas = query
            .map(|q| q.trim_start_matches('?').to_string())
            .filter(|q| !q.is_empty());
        if let Some(q) = &sas {
            if q.chars().any(|c| c.is_control() || c == ' ') {
                return Err(StoreError::invalid(field, "has an invalid query"));
            }
        }
        Ok(AccountUrl {
            origin: format!("{}://{}", scheme.to_ascii_lowercase(), host),
            base_path,
            account,
            sas,
        })
    }

    /// The URL of `path` (already percent-encoded, starting with `/`) below the account.
    pub fn url_of(&self, path: &str) -> String {
        concat(&[&self.origin, &self.base_path, path])
    }

    /// The path as the service sees it, for Shared Key's canonicalized resource.
    pub fn full_path(&self, path: &str) -> String {
        concat(&[&self.base_path, path])
    }

    /// `host[:port]`, as it stands in the URL.
    pub fn authority(&self) -> &str {
        self.origin.split_once("://").map_or("", |(_, h)| h)
    }

    /// `url` (a URL below this account) sent to `host` instead: the read-only secondary of an
    /// RA-GRS account. Shared Key still signs with the primary account name, as the service wants.
    pub fn on_host(&self, url: &str, host: &str) -> String {
        match url.strip_prefix(&self.origin) {
            Some(rest) => {
                let scheme = self.origin.split_once("://").map_or("https", |(s, _)| s);
                format!("{scheme}://{host}{rest}")
            }
            None => url.to_string(),
        }
    }

    /// The host name alone (no port).
    pub fn hostname(&self) -> &str {
        let host = self.origin.split_once("://").map_or("", |(_, h)| h);
        host_without_port(host)
    }

    /// Whether requests go over TLS (`https`).
    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https://")
    }
}

/// Whether `authority` (`host[:port]`, as in a URL or a secondary host name) names this
/// machine, so that plain `http` to it never crosses a network. The host is normalised first
/// the way `fetch` (the WHATWG URL parser) would: case and one trailing dot are ignored, and
/// IPv4 addresses may be written in any form it accepts (`127.1`, `0x7f.0.0.1`, `2130706433`).
/// Loopback is `localhost`, `127.0.0.0/8`, and `::1` (any spelling, IPv4-mapped loopback
/// included). Names that merely resolve to loopback elsewhere (`*.localhost`, hosts-file
/// entries) do not count: only what cannot leave the machine whatever the resolver says.
pub fn is_loopback_host(authority: &str) -> bool {
    let host = host_without_port(authority);
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return ipv6_groups(inner).is_some_and(|g| {
            g == [0, 0, 0, 0, 0, 0, 0, 1]
                || (g[..5] == [0; 5] && g[5] == 0xffff && g[6] >> 8 == 127)
        });
    }
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host == "localhost" {
        return true;
    }
    whatwg_ipv4(&host).is_some_and(|ip| ip >> 24 == 127)
}

/// The eight 16-bit groups of an IPv6 address in text form (`::` compression and a trailing
/// dotted IPv4 part allowed), or `None`. Hand-written: `std`'s parser costs the wasm several KB.
fn ipv6_groups(s: &str) -> Option<[u16; 8]> {
    fn side(part: &str, out: &mut Vec<u16>) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let pieces: Vec<&str> = part.split(':').collect();
        for (i, p) in pieces.iter().enumerate() {
            if i + 1 == pieces.len() && p.contains('.') {
                let octets: Vec<u8> = p
                    .split('.')
                    .map(|o| o.parse::<u8>().ok())
                    .collect::<Option<_>>()?;
                if octets.len() != 4 {
                    return None;
                }
                out.push(u16::from(octets[0]) << 8 | u16::from(octets[1]));
                out.push(u16::from(octets[2]) << 8 | u16::from(octets[3]));
            } else {
                if p.is_empty() || p.len() > 4 {
                    return None;
                }
                out.push(u16::from_str_radix(p, 16).ok()?);
            }
        }
        Some(())
    }
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    let compressed = match s.split_once("::") {
        Some((h, t)) => {
            side(h, &mut head)?;
            side(t, &mut tail)?;
            true
        }
        None => {
            side(s, &mut head)?;
            false
        }
    };
    let n = head.len() + tail.len();
    if (compressed && n > 7) || (!compressed && n != 8) {
        return None;
    }
    let mut g = [0u16; 8];
    g[..head.len()].copy_from_slice(&head);
    g[8 - tail.len()..].copy_from_slice(&tail);
    Some(g)
}

/// The WHATWG URL parser's IPv4 reading: one to four dot-separated parts, each decimal, octal
/// (leading `0`) or hex (`0x`); the last part fills the remaining bytes. `None` when the host is
/// not an IPv4 address.
fn whatwg_ipv4(host: &str) -> Option<u32> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or(p.strip_prefix("0X")) {
            (h, 16)
        } else if p.len() > 1 && p.starts_with('0') {
            (&p[1..], 8)
        } else {
            (*p, 10)
        };
        if p.is_empty() {
            return None;
        }
        let n = if digits.is_empty() {
            0
        } else {
            u64::from_str_radix(digits, radix).ok()?
        };
        nums.push(n);
    }
    let last = nums.pop()?;
    if nums.iter().any(|&n| n > 255) || last >= 256u64.pow(4 - nums.len() as u32) {
        return None;
    }
    let mut ip = last;
    for (i, n) in nums.iter().enumerate() {
        ip += n << (8 * (3 - i));
    }
    u32::try_from(ip).ok()
}

fn host_without_port(host: &str) -> &str {
    if let Some(end) = host.strip_prefix('[').and_then(|h| h.find(']')) {
        return &host[..end + 2];
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

fn is_ip_or_localhost(hostname: &str) -> bool {
    hostname.eq_ignore_ascii_case("localhost")
        || hostname.starts_with('[')
        || (hostname.split('.').count() == 4
            && hostname
                .split('.')
                .all(|p| !p.is_empty() && p.parse::<u8>().is_ok()))
}

/// Checks a secondary host name given by the caller: a bare host name, no scheme or path.
pub fn validate_secondary_hostname(host: &str, field: &str) -> Result<(), StoreError> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            "must be a host name such as myaccount-secondary.blob.core.windows.net",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_cloud_url() {
        let u = AccountUrl::parse("https://myacct.blob.core.windows.net/", "url").unwrap();
        assert_eq!(u.origin, "https://myacct.blob.core.windows.net");
        assert_eq!(u.base_path, "");
        assert_eq!(u.account, "myacct");
        assert_eq!(u.sas, None);
        assert_eq!(u.url_of("/c/b"), "https://myacct.blob.core.windows.net/c/b");
        assert_eq!(u.hostname(), "myacct.blob.core.windows.net");
    }

    #[test]
    fn path_style_url_with_sas() {
        let u =
            AccountUrl::parse("http://127.0.0.1:10000/devstoreaccount1?sv=1&sig=x", "url").unwrap();
        assert_eq!(u.account, "devstoreaccount1");
        assert_eq!(u.base_path, "/devstoreaccount1");
        assert_eq!(u.sas.as_deref(), Some("sv=1&sig=x"));
        assert_eq!(u.full_path("/c"), "/devstoreaccount1/c");
        assert_eq!(u.hostname(), "127.0.0.1");
        assert_eq!(u.authority(), "127.0.0.1:10000");
        assert_eq!(
            u.on_host(
                "http://127.0.0.1:10000/devstoreaccount1/c?comp=list",
                "127.0.0.1:10001"
            ),
            "http://127.0.0.1:10001/devstoreaccount1/c?comp=list"
        );
    }

    #[test]
    fn loopback_hosts_after_normalising() {
        for yes in [
            "localhost",
            "LOCALHOST:10000",
            "localhost.",
            "127.0.0.1",
            "127.0.0.1:10000",
            "127.1",
            "127.255.255.254",
            "0x7f.0.0.1",
            "0177.0.0.1",
            "2130706433",
            "127.0.0.1.",
            "[::1]",
            "[::1]:10000",
            "[0:0:0:0:0:0:0:1]",
            "[::ffff:127.0.0.1]",
            "[::FFFF:7f00:1]",
            "[0::1]",
        ] {
            assert!(is_loopback_host(yes), "{yes}");
        }
        for no in [
            "acct.blob.core.invalid",
            "localhost.invalid",
            "a.localhost",
            "128.0.0.1",
            "10.0.0.1",
            "127.0.0.1.example",
            "1127.0.0.1",
            "127.0.0.256",
            "4294967296",
            "0x80000001",
            "[::2]",
            "[::ffff:10.0.0.1]",
            "[::1",
            "[::1::]",
            "[1::1]",
            "[::10001]",
            "[:::1]",
            "[::ffff:128.0.0.1]",
            "[0:0:0:0:0:0:0:0:1]",
            "",
            "127..1",
        ] {
            assert!(!is_loopback_host(no), "{no}");
        }
    }

    #[test]
    fn debug_hides_the_sas() {
        let u =
            AccountUrl::parse("https://a.blob.core.windows.net/?sv=1&sig=SECRETSIG", "u").unwrap();
        assert!(!format!("{u:?}").contains("SECRETSIG"));
    }

    #[test]
    fn rejects_bad_urls_without_echoing_them() {
        for bad in [
            "",
            "myacct",
            "ftp://x/y",
            "https://",
            "https://a b/",
            "https://u:p@host/",
            "https://h/#f",
        ] {
            let e = AccountUrl::parse(bad, "blobAccountUrl").unwrap_err();
            assert!(matches!(e, StoreError::InvalidInput { .. }), "{bad}");
        }
        let e = AccountUrl::parse("ftp://h/?sig=SECRET", "blobAccountUrl").unwrap_err();
        assert!(!e.message().contains("SECRET"));
    }
}
