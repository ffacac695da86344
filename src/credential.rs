//! How requests are authorized: Shared Key signing, SAS tokens, and bearer tokens.

use crate::error::StoreError;
use crate::http::{concat, decode_component, encode_component, Request};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::borrow::Cow;

/// The OAuth scope a token credential is asked for.
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";

/// A token is refreshed this long before it expires, so that no request carries a token that
/// expires in flight (the Azure SDKs use a similar margin).
pub const TOKEN_REFRESH_MARGIN_MS: f64 = 2.0 * 60.0 * 1000.0;

/// How the store authorizes its requests.
#[derive(Clone)]
pub enum Credential {
    /// Shared Key: the account name, the decoded account key, and the signing state made from
    /// them once (so each request clones a keyed HMAC instead of keying a new one).
    SharedKey {
        account: String,
        key: Vec<u8>,
        signer: Box<SharedKeySigner>,
    },
    /// A SAS token (query string without `?`), appended to every request URL.
    Sas(String),
    /// A token credential, asked for tokens through the host.
    Token,
    /// No credential: the account URL itself carries a SAS.
    UrlSas,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::SharedKey { .. } => "SharedKey([REDACTED])",
            Credential::Sas(_) => "Sas([REDACTED])",
            Credential::Token => "Token",
            Credential::UrlSas => "UrlSas",
        })
    }
}

impl Credential {
    /// A Shared Key credential from a base64 key; `field` names the input in errors.
    pub fn shared_key(account: &str, key_base64: &str, field: &str) -> Result<Self, StoreError> {
        if account.is_empty() {
            return Err(StoreError::invalid(field, "needs an account name"));
        }
        let key = crate::b64::decode(key_base64.trim())
            .ok_or_else(|| StoreError::invalid(field, "the account key is not valid base64"))?;
        if key.is_empty() {
            return Err(StoreError::invalid(field, "the account key is empty"));
        }
        Ok(Credential::SharedKey {
            account: account.to_string(),
            signer: Box::new(SharedKeySigner::new(account, &key)),
            key,
        })
    }

    /// A SAS credential; the token may start with `?`. `field` names the input in errors.
    pub fn sas(token: &str, field: &str) -> Result<Self, StoreError> {
        let token = token.trim().trim_start_matches('?');
        if !token.contains("sig=") {
            return Err(StoreError::invalid(
                field,
                "is not a SAS token (it has no sig= parameter)",
            ));
        }
        if token
            .chars()
            .any(|c| c.is_control() || c == ' ' || c == '#')
        {
            return Err(StoreError::invalid(
                field,
                "has characters a SAS token cannot hold",
            ));
        }
        Ok(Credential::Sas(token.to_string()))
    }

    /// The secret strings this credential holds, so messages can be scrubbed of them: the
    /// account key (base64 and percent-encoded) or the SAS signature (every form of it).
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Credential::SharedKey { key, .. } => {
                let b64 = crate::b64::encode(key);
                let encoded = encode_component(&b64);
                vec![b64, encoded]
            }
            Credential::Sas(s) => sas_signatures(s),
            Credential::Token | Credential::UrlSas => Vec::new(),
        }
    }
}

/// Every `sig` value of a SAS in each form an echo may take: as written, percent-decoded, and
/// percent-encoded again (upper- and lower-case hex), for scrubbing.
pub fn sas_signatures(sas: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in sas.split('&').filter_map(|p| {
        p.split_once('=')
            .filter(|(k, _)| k.eq_ignore_ascii_case("sig"))
            .map(|(_, v)| v)
    }) {
        let decoded = decode_component(raw);
        let encoded = encode_component(&decoded);
        let lower_hex = lower_percent_hex(&encoded);
        for s in [raw.to_string(), decoded, encoded, lower_hex] {
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn lower_percent_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    for c in s.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            if c == '%' {
                hex_left = 2;
            }
            out.push(c);
        }
    }
    out
}

/// Appends a SAS to a request URL.
pub fn append_sas(url: &str, sas: &str) -> String {
    let sep = if url.contains('?') { "&" } else { "?" };
    concat(&[url, sep, sas])
}

/// Shared Key: the string to sign for a request (Blob service, version 2015-02-21 and later),
/// given the account and the request's URL path as sent.
pub fn string_to_sign(req: &Request, account: &str, path: &str) -> String {
    let mut s = String::with_capacity(256);
    write_string_to_sign(&mut s, req, account, path);
    s
}

/// Decodes `%XX` escapes, borrowing when there are none (the common case: no allocation).
fn decoded(s: &str) -> Cow<'_, str> {
    if s.contains('%') {
        Cow::Owned(decode_component(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// Lower-cases, borrowing when already lower case (the store's header names always are).
fn lowered(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        s
    }
}

/// Writes the string to sign into `s`; allocates only when a name needs lower-casing or a
/// query value needs decoding.
fn write_string_to_sign(s: &mut String, req: &Request, account: &str, path: &str) {
    let h = |name: &str| req.get_header(name).unwrap_or("");
    let content_length = match h("content-length") {
        "0" => "",
        other => other,
    };
    for part in [
        req.method,
        h("content-encoding"),
        h("content-language"),
        content_length,
        h("content-md5"),
        h("content-type"),
        "", // Date: we always send x-ms-date (browsers refuse to set Date).
        h("if-modified-since"),
        h("if-match"),
        h("if-none-match"),
        h("if-unmodified-since"),
        h("range"),
    ] {
        s.push_str(part);
        s.push('\n');
    }
    let mut ms: Vec<(Cow<'_, str>, &str)> = req
        .headers
        .iter()
        .filter(|(n, _)| n.len() > 5 && n[..5].eq_ignore_ascii_case("x-ms-"))
        .map(|(n, v)| (lowered(Cow::Borrowed(n.as_str())), v.trim()))
        .collect();
    crate::sort::sort_by(&mut ms, |a, b| a.0 < b.0);
    for (n, v) in ms {
        s.push_str(&n);
        s.push(':');
        s.push_str(v);
        s.push('\n');
    }
    s.push('/');
    s.push_str(account);
    s.push_str(if path.is_empty() { "/" } else { path });
    let query = req.url.split_once('?').map_or("", |(_, q)| q);
    let mut params: Vec<(Cow<'_, str>, Cow<'_, str>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (lowered(decoded(k)), decoded(v))
        })
        .collect();
    // Sorted by name, then value: equal names end up together with their values in order.
    crate::sort::sort(&mut params);
    let mut last: Option<&str> = None;
    for (k, v) in &params {
        if last == Some(k.as_ref()) {
            s.push(',');
        } else {
            s.push('\n');
            s.push_str(k);
            s.push(':');
            last = Some(k.as_ref());
        }
        s.push_str(v);
    }
}

/// Shared Key signing state made once per store: the HMAC already keyed with the account key
/// (cloned per request instead of re-keyed) and the account name.
#[derive(Clone)]
pub struct SharedKeySigner {
    account: String,
    mac: Hmac<Sha256>,
    /// `SharedKey {account}:`, the start of every Authorization header.
    header_prefix: String,
}

impl std::fmt::Debug for SharedKeySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedKeySigner({}, [REDACTED])", self.account)
    }
}

impl SharedKeySigner {
    /// A signer for `account` with the decoded account `key`.
    pub fn new(account: &str, key: &[u8]) -> Self {
        // HMAC accepts keys of any length, so new_from_slice cannot fail; the fallback only
        // keeps the code free of unwrap.
        let mac = Hmac::<Sha256>::new_from_slice(key)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        SharedKeySigner {
            account: account.to_string(),
            mac,
            header_prefix: format!("SharedKey {account}:"),
        }
    }

    /// Signs `req`, adding the `Authorization` header.
    pub fn sign(&self, req: &mut Request) {
        // The path as sent, whichever host it goes to (the secondary signs like the primary).
        let after_scheme = req
            .url
            .split_once("://")
            .map_or(req.url.as_str(), |(_, r)| r);
        let path_and_query = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        let path = path_and_query
            .split_once('?')
            .map_or(path_and_query, |(p, _)| p);
        let to_sign = string_to_sign(req, &self.account, path);
        let mut mac = self.mac.clone();
        mac.update(to_sign.as_bytes());
        let mut header = String::with_capacity(self.header_prefix.len() + 44);
        header.push_str(&self.header_prefix);
        header.push_str(&crate::b64::encode(&mac.finalize().into_bytes()));
        req.headers.push(("authorization".to_string(), header));
    }
}

/// Signs `req` with Shared Key, adding the `Authorization` header (one-off; a store keeps a
/// [`SharedKeySigner`]).
pub fn sign_shared_key(req: &mut Request, account: &str, key: &[u8]) {
    SharedKeySigner::new(account, key).sign(req);
}

/// A bearer token and when it stops being valid.
#[derive(Clone, PartialEq)]
pub struct AccessToken {
    /// The token itself.
    pub token: String,
    /// Milliseconds since the epoch.
    pub expires_on_ms: f64,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessToken([REDACTED], expires {})", self.expires_on_ms)
    }
}

impl AccessToken {
    /// Whether the token may still be used at `now_ms`.
    pub fn fresh_at(&self, now_ms: f64) -> bool {
        now_ms + TOKEN_REFRESH_MARGIN_MS < self.expires_on_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> Request {
        Request::new(
            "PUT",
            "http://127.0.0.1:10000/devstoreaccount1/c/ns%2Fx/b?comp=metadata".to_string(),
        )
        .header("x-ms-version", "2019-07-07")
        .header("x-ms-date", "Tue, 24 Nov 2026 05:44:55 GMT")
        .header("x-ms-meta-ownerid", " w1 ")
        .header("if-match", "\"0x1\"")
    }

    #[test]
    fn string_to_sign_matches_the_documented_layout() {
        let s = string_to_sign(&req(), "devstoreaccount1", "/devstoreaccount1/c/ns%2Fx/b");
        assert_eq!(
            s,
            "PUT\n\n\n\n\n\n\n\n\"0x1\"\n\n\n\n\
             x-ms-date:Tue, 24 Nov 2026 05:44:55 GMT\nx-ms-meta-ownerid:w1\nx-ms-version:2019-07-07\n\
             /devstoreaccount1/devstoreaccount1/c/ns%2Fx/b\ncomp:metadata"
        );
    }

    #[test]
    fn query_parameters_are_decoded_sorted_and_lower_cased() {
        let r = Request::new(
            "GET",
            "https://a.blob.core.windows.net/c?restype=container&comp=list&Prefix=ns%2Fe%2F&include=metadata".into(),
        );
        let s = string_to_sign(&r, "a", "/c");
        assert!(
            s.ends_with("/a/c\ncomp:list\ninclude:metadata\nprefix:ns/e/\nrestype:container"),
            "{s}"
        );
    }

    #[test]
    fn shared_key_signature_known_answer() {
        // Known answer computed independently with Python's hmac/hashlib over the same string to sign.
        let Credential::SharedKey { account, key, .. } = Credential::shared_key(
            "devstoreaccount1",
            crate::connection_string::DEV_ACCOUNT_KEY,
            "k",
        )
        .unwrap() else {
            unreachable!()
        };
        let mut r = req();
        sign_shared_key(&mut r, &account, &key);
        assert_eq!(
            r.get_header("authorization"),
            Some(
                concat!(
                    "SharedKey devstoreaccount1:",
                    include_str!("../tests/data/known_signature.txt")
                )
                .trim_end()
            )
        );
    }

    #[test]
    fn bad_keys_and_sas_are_rejected_without_echo() {
        let e = Credential::shared_key("a", "not base64!SECRET", "credential").unwrap_err();
        assert!(!e.message().contains("SECRET"));
        let e = Credential::sas("sv=1&se=SECRET", "credential").unwrap_err();
        assert!(!e.message().contains("SECRET"));
        assert!(
            matches!(Credential::sas("?sv=1&sig=abc", "c"), Ok(Credential::Sas(s)) if s == "sv=1&sig=abc")
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credential::shared_key("a", "c2VjcmV0", "k").unwrap();
        assert_eq!(format!("{c:?}"), "SharedKey([REDACTED])");
        let t = AccessToken {
            token: "tok".into(),
            expires_on_ms: 1.0,
        };
        assert!(!format!("{t:?}").contains("tok"));
    }

    #[test]
    fn every_form_of_a_sas_signature_is_a_secret() {
        let v = sas_signatures("sv=1&SIG=ab%2Bc%2fd%3D&se=2");
        for form in ["ab%2Bc%2fd%3D", "ab+c/d=", "ab%2Bc%2Fd%3D", "ab%2bc%2fd%3d"] {
            assert!(v.iter().any(|s| s == form), "{form} missing from {v:?}");
        }
        assert!(sas_signatures("sv=1&se=2").is_empty());
        let c = Credential::shared_key("a", "a2V5K2tleS9rZXk9", "k").unwrap();
        assert!(c.secrets().contains(&"a2V5K2tleS9rZXk9".to_string()));
    }

    #[test]
    fn repeated_query_parameters_join_sorted_values() {
        let r = Request::new("GET", "https://a/c?b=2&A=3&b=1&c".into());
        assert!(string_to_sign(&r, "a", "/c").ends_with("/a/c\na:3\nb:1,2\nc:"));
    }

    #[test]
    fn token_freshness() {
        let t = AccessToken {
            token: "t".into(),
            expires_on_ms: 1_000_000.0,
        };
        assert!(t.fresh_at(0.0));
        assert!(!t.fresh_at(1_000_000.0 - 60_000.0));
    }
}
