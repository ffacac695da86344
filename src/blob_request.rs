//! Building and authorizing the three Blob REST calls the store makes.

use crate::account_url::AccountUrl;
use crate::blob_name::blob_path;
use crate::credential::{append_sas, Credential};
use crate::http::{concat, encode_component, Request};

/// Where requests go and which service version they speak. (`Debug` shows no SAS: the
/// [`AccountUrl`] hides it.)
#[derive(Debug, Clone)]
pub struct Target {
    /// The account endpoint.
    pub url: AccountUrl,
    /// The container holding the blobs.
    pub container: String,
    /// Sent as `x-ms-version`.
    pub api_version: String,
}

/// A precondition on a write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Condition<'a> {
    /// Unconditional.
    None,
    /// Only if the blob's ETag is this one (`If-Match`).
    IfMatch(&'a str),
    /// Only if the blob does not exist (`If-None-Match: *`).
    IfNotExists,
}

impl Target {
    fn blob_url(&self, name: &str) -> String {
        self.url.url_of(&blob_path(&self.container, name))
    }

    fn with_metadata(
        &self,
        mut req: Request,
        metadata: &[(&str, &str)],
        cond: Condition<'_>,
    ) -> Request {
        req = req.header("x-ms-version", self.api_version.clone());
        for (k, v) in metadata {
            req = req.header(&concat(&["x-ms-meta-", k]), *v);
        }
        match cond {
            Condition::None => req,
            Condition::IfMatch(etag) => req.header("if-match", etag),
            Condition::IfNotExists => req.header("if-none-match", "*"),
        }
    }

    /// Set Blob Metadata (`PUT ?comp=metadata`): replaces all metadata of an existing blob.
    pub fn set_metadata(
        &self,
        name: &str,
        metadata: &[(&str, &str)],
        cond: Condition<'_>,
    ) -> Request {
        let mut url = self.blob_url(name);
        url.push_str("?comp=metadata");
        let req = Request::new("PUT", url);
        self.with_metadata(req, metadata, cond)
    }

    /// Put Blob: a zero-length block blob with `metadata`. No body is sent, so fetch adds no
    /// Content-Type that the signature would have to cover.
    pub fn put_blob(&self, name: &str, metadata: &[(&str, &str)], cond: Condition<'_>) -> Request {
        let req = Request::new("PUT", self.blob_url(name)).header("x-ms-blob-type", "BlockBlob");
        self.with_metadata(req, metadata, cond)
    }

    /// Get Blob Properties (`HEAD`): metadata, ETag and Last-Modified, no body.
    pub fn get_properties(&self, name: &str) -> Request {
        Request::new("HEAD", self.blob_url(name)).header("x-ms-version", self.api_version.clone())
    }

    /// List Blobs with metadata under `prefix`, continuing at `marker`.
    pub fn list_blobs(&self, prefix: &str, marker: Option<&str>) -> Request {
        self.list(prefix, marker, "&include=metadata")
    }

    /// List Blobs with the delimiter `/` under `prefix`: the next level's folders come back as
    /// `<BlobPrefix>` entries, and no metadata (a folder walk does not need it).
    pub fn list_folders(&self, prefix: &str, marker: Option<&str>) -> Request {
        self.list(prefix, marker, "&delimiter=%2F")
    }

    fn list(&self, prefix: &str, marker: Option<&str>, extra: &str) -> Request {
        let mut url = format!(
            "{}?restype=container&comp=list&prefix={}{extra}",
            self.url
                .url_of(&format!("/{}", encode_component(&self.container))),
            encode_component(prefix)
        );
        if let Some(m) = marker {
            url.push_str("&marker=");
            url.push_str(&encode_component(m));
        }
        Request::new("GET", url).header("x-ms-version", self.api_version.clone())
    }

    /// Adds the date (`x-ms-date`, an HTTP date) and the authorization: a SAS in the query, a
    /// Shared Key signature or a bearer token (`token`, fetched beforehand for token
    /// credentials).
    pub fn authorize(
        &self,
        mut req: Request,
        credential: &Credential,
        date: &str,
        token: Option<&str>,
    ) -> Request {
        req.headers.push(("x-ms-date".into(), date.to_string()));
        if let Some(sas) = &self.url.sas {
            req.url = append_sas(&req.url, sas);
        }
        match credential {
            Credential::SharedKey { signer, .. } => signer.sign(&mut req),
            Credential::Sas(sas) => req.url = append_sas(&req.url, sas),
            Credential::Token => {
                if let Some(t) = token {
                    req.headers
                        .push(("authorization".into(), format!("Bearer {t}")));
                }
            }
            Credential::UrlSas => {}
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPOCH: &str = "Thu, 01 Jan 1970 00:00:00 GMT";

    fn target(url: &str) -> Target {
        Target {
            url: AccountUrl::parse(url, "u").unwrap(),
            container: "checkpoints".into(),
            api_version: "2019-07-07".into(),
        }
    }

    #[test]
    fn claim_without_etag_is_a_create_only_put() {
        let t = target("http://127.0.0.1:10000/devstoreaccount1");
        let r = t.put_blob(
            "ns/eh/$default/ownership/0",
            &[("ownerid", "w1")],
            Condition::IfNotExists,
        );
        assert_eq!(r.method, "PUT");
        assert_eq!(
            r.url,
            "http://127.0.0.1:10000/devstoreaccount1/checkpoints/ns/eh/%24default/ownership/0"
        );
        assert_eq!(r.get_header("x-ms-blob-type"), Some("BlockBlob"));
        assert_eq!(r.get_header("x-ms-meta-ownerid"), Some("w1"));
        assert_eq!(r.get_header("if-none-match"), Some("*"));
        assert_eq!(r.get_header("x-ms-version"), Some("2019-07-07"));
    }

    #[test]
    fn claim_with_etag_is_conditional_set_metadata() {
        let t = target("https://a.blob.core.windows.net");
        let r = t.set_metadata(
            "n/e/c/ownership/1",
            &[("ownerid", "w")],
            Condition::IfMatch("\"0x1\""),
        );
        assert_eq!(
            r.url,
            "https://a.blob.core.windows.net/checkpoints/n/e/c/ownership/1?comp=metadata"
        );
        assert_eq!(r.get_header("if-match"), Some("\"0x1\""));
        assert_eq!(r.get_header("if-none-match"), None);
    }

    #[test]
    fn list_request_encodes_prefix_and_marker() {
        let t = target("https://a.blob.core.windows.net");
        let r = t.list_blobs("n/e/$default/checkpoint/", Some("2!x=="));
        assert_eq!(
            r.url,
            "https://a.blob.core.windows.net/checkpoints?restype=container&comp=list&prefix=n%2Fe%2F%24default%2Fcheckpoint%2F&include=metadata&marker=2%21x%3D%3D"
        );
    }

    #[test]
    fn authorization_kinds() {
        let t = target("https://a.blob.core.windows.net?sv=1&sig=urlsig");
        let r = t.authorize(t.list_blobs("p/", None), &Credential::UrlSas, EPOCH, None);
        assert!(r.url.ends_with("&sv=1&sig=urlsig"), "{}", r.url);
        assert_eq!(
            r.get_header("x-ms-date"),
            Some("Thu, 01 Jan 1970 00:00:00 GMT")
        );
        let t = target("https://a.blob.core.windows.net");
        let r = t.authorize(
            t.set_metadata("b", &[], Condition::None),
            &Credential::Sas("sv=1&sig=s".into()),
            EPOCH,
            None,
        );
        assert!(r.url.ends_with("?comp=metadata&sv=1&sig=s"), "{}", r.url);
        let r = t.authorize(
            t.set_metadata("b", &[], Condition::None),
            &Credential::Token,
            EPOCH,
            Some("tok"),
        );
        assert_eq!(r.get_header("authorization"), Some("Bearer tok"));
        let key = Credential::shared_key("a", "a2V5", "k").unwrap();
        let r = t.authorize(t.set_metadata("b", &[], Condition::None), &key, EPOCH, None);
        assert!(r
            .get_header("authorization")
            .unwrap()
            .starts_with("SharedKey a:"));
    }
}
