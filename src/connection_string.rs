//! Storage connection strings (`AccountName=...;AccountKey=...`, `UseDevelopmentStorage=true`, ...).

use crate::error::StoreError;

/// The well-known Azurite / storage-emulator account.
pub const DEV_ACCOUNT: &str = "devstoreaccount1";
/// The well-known, public key of the emulator account (documented by Microsoft; not a secret).
pub const DEV_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const DEV_BLOB_ENDPOINT: &str = "http://127.0.0.1:10000/devstoreaccount1";

/// What a connection string says about the blob service.
#[derive(Clone, PartialEq)]
pub struct ConnectionString {
    /// The primary blob endpoint URL.
    pub blob_endpoint: String,
    /// `BlobSecondaryEndpoint`, if given.
    pub secondary_endpoint: Option<String>,
    /// `AccountName`, if given.
    pub account_name: Option<String>,
    /// `AccountKey`, if given (base64).
    pub account_key: Option<String>,
    /// `SharedAccessSignature`, if given, without a leading `?`.
    pub sas: Option<String>,
}

// Hand-written so that the key and the SAS never reach a log through `{:?}`.
impl std::fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // An endpoint may carry a SAS in its query: shown without it.
        let no_query = |u: &str| match u.split_once('?') {
            Some((base, _)) => format!("{base}?[REDACTED]"),
            None => u.to_string(),
        };
        f.debug_struct("ConnectionString")
            .field("blob_endpoint", &no_query(&self.blob_endpoint))
            .field(
                "secondary_endpoint",
                &self.secondary_endpoint.as_deref().map(no_query),
            )
            .field("account_name", &self.account_name)
            .field(
                "account_key",
                &self.account_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("sas", &self.sas.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl ConnectionString {
    /// Parses a connection string. Error messages name the setting, never its value.
    pub fn parse(s: &str) -> Result<Self, StoreError> {
        const FIELD: &str = "connectionString";
        let mut protocol = None;
        let mut account_name = None;
        let mut account_key = None;
        let mut suffix = None;
        let mut blob_endpoint = None;
        let mut secondary = None;
        let mut sas = None;
        let mut dev = false;
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once('=') else {
                return Err(StoreError::invalid(
                    FIELD,
                    "every setting must look like Name=value",
                ));
            };
            let value = value.trim().to_string();
            match key.trim().to_ascii_lowercase().as_str() {
                "defaultendpointsprotocol" => protocol = Some(value),
                "accountname" => account_name = Some(value),
                "accountkey" => account_key = Some(value),
                "endpointsuffix" => suffix = Some(value),
                "blobendpoint" => blob_endpoint = Some(value),
                "blobsecondaryendpoint" => secondary = Some(value),
                "sharedaccesssignature" => sas = Some(value.trim_start_matches('?').to_string()),
                "usedevelopmentstorage" => {
                    if !value.eq_ignore_ascii_case("true") {
                        return Err(StoreError::invalid(
                            FIELD,
                            "UseDevelopmentStorage must be true",
                        ));
                    }
                    dev = true;
                }
                // Settings of other services (queue, table, file) and the emulator proxy are
                // legitimately present in shared connection strings: ignore them.
                _ => {}
            }
        }
        if let Some(name) = account_name.as_deref().filter(|n| !n.is_empty()) {
            validate_account_name(name)?;
        }
        if let Some(sfx) = suffix.as_deref() {
            validate_endpoint_suffix(sfx)?;
        }
        if dev {
            return Ok(ConnectionString {
                blob_endpoint: DEV_BLOB_ENDPOINT.to_string(),
                secondary_endpoint: None,
                account_name: Some(DEV_ACCOUNT.to_string()),
                account_key: Some(DEV_ACCOUNT_KEY.to_string()),
                sas: None,
            });
        }
        let blob_endpoint = match blob_endpoint {
            Some(e) => e,
            None => {
                let name = account_name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| {
                        StoreError::invalid(FIELD, "needs BlobEndpoint or AccountName")
                    })?;
                let protocol = protocol.as_deref().unwrap_or("https").to_ascii_lowercase();
                if protocol != "https" && protocol != "http" {
                    return Err(StoreError::invalid(
                        FIELD,
                        "DefaultEndpointsProtocol must be http or https",
                    ));
                }
                let suffix = suffix.as_deref().unwrap_or("core.windows.net");
                format!("{protocol}://{name}.blob.{suffix}")
            }
        };
        if account_key.is_some() && account_name.as_deref().is_none_or(str::is_empty) {
            return Err(StoreError::invalid(FIELD, "AccountKey needs AccountName"));
        }
        Ok(ConnectionString {
            blob_endpoint,
            secondary_endpoint: secondary,
            account_name,
            account_key,
            sas: sas.filter(|s| !s.is_empty()),
        })
    }
}

/// Checks `AccountName` by the service's rule (3 to 24 lower-case letters and digits), so that
/// nothing else can reach the host name or the Shared Key signature built from it. The
/// emulator's `devstoreaccount1` passes.
pub fn validate_account_name(name: &str) -> Result<(), StoreError> {
    let ok = (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "connectionString",
            "AccountName must be a storage account name: 3 to 24 lower-case letters and digits",
        ))
    }
}

/// Checks `EndpointSuffix`: a DNS host name (`core.windows.net`), labels of letters, digits and
/// inner hyphens, at most 253 characters; no port, path, user info or trailing dot.
pub fn validate_endpoint_suffix(suffix: &str) -> Result<(), StoreError> {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !suffix.is_empty() && suffix.len() <= 253 && suffix.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "connectionString",
            "EndpointSuffix must be a host name such as core.windows.net",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_key_form() {
        let c = ConnectionString::parse(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5==;EndpointSuffix=core.chinacloudapi.cn",
        )
        .unwrap();
        assert_eq!(c.blob_endpoint, "https://acct.blob.core.chinacloudapi.cn");
        assert_eq!(c.account_name.as_deref(), Some("acct"));
        assert_eq!(c.account_key.as_deref(), Some("a2V5=="));
        assert_eq!(c.sas, None);
    }

    #[test]
    fn default_suffix_and_protocol() {
        let c = ConnectionString::parse("AccountName=acct;AccountKey=k").unwrap();
        assert_eq!(c.blob_endpoint, "https://acct.blob.core.windows.net");
    }

    #[test]
    fn endpoints_and_sas() {
        let c = ConnectionString::parse(
            "BlobEndpoint=https://acct.blob.core.windows.net/;BlobSecondaryEndpoint=https://acct-secondary.blob.core.windows.net/;SharedAccessSignature=?sv=2020&sig=abc%3D",
        )
        .unwrap();
        assert_eq!(c.blob_endpoint, "https://acct.blob.core.windows.net/");
        assert_eq!(
            c.secondary_endpoint.as_deref(),
            Some("https://acct-secondary.blob.core.windows.net/")
        );
        assert_eq!(c.sas.as_deref(), Some("sv=2020&sig=abc%3D"));
    }

    #[test]
    fn account_name_and_suffix_are_checked_before_any_url() {
        for bad in [
            "AccountName=ab;AccountKey=k",
            "AccountName=Acct;AccountKey=k",
            "AccountName=a.evil.example#;AccountKey=k",
            "AccountName=acct/x;AccountKey=k",
            "AccountName=aaaaaaaaaaaaaaaaaaaaaaaaa;AccountKey=k",
            "AccountName=acct;AccountKey=k;EndpointSuffix=evil.example/x",
            "AccountName=acct;AccountKey=k;EndpointSuffix=evil.example:8080",
            "AccountName=acct;AccountKey=k;EndpointSuffix=a@evil.example",
            "AccountName=acct;AccountKey=k;EndpointSuffix=core.windows.net.",
            "AccountName=acct;AccountKey=k;EndpointSuffix=",
            "AccountName=acct;AccountKey=k;EndpointSuffix=-a.b",
        ] {
            let e = ConnectionString::parse(bad).unwrap_err();
            assert!(e.message().starts_with("connectionString"), "{bad}: {e}");
        }
        for good in [
            "AccountName=devstoreaccount1;AccountKey=k;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1",
            "AccountName=abc;AccountKey=k;EndpointSuffix=local.azurestack.external",
            "AccountName=a1b2c3d4e5f6g7h8i9j0k1l2;AccountKey=k",
        ] {
            ConnectionString::parse(good).unwrap();
        }
    }

    #[test]
    fn development_storage() {
        let c = ConnectionString::parse("UseDevelopmentStorage=true").unwrap();
        assert_eq!(c.blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
        assert_eq!(c.account_name.as_deref(), Some(DEV_ACCOUNT));
        assert_eq!(c.account_key.as_deref(), Some(DEV_ACCOUNT_KEY));
    }

    #[test]
    fn keys_are_case_insensitive_and_values_keep_equals() {
        let c = ConnectionString::parse("accountname=abc;ACCOUNTKEY=x==;").unwrap();
        assert_eq!(c.account_key.as_deref(), Some("x=="));
    }

    #[test]
    fn errors_never_echo_secrets() {
        for bad in [
            "",
            "AccountKey=SECRETKEY",
            "garbage SECRETKEY",
            "UseDevelopmentStorage=false;AccountKey=SECRETKEY",
            "DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=SECRETKEY",
        ] {
            let e = ConnectionString::parse(bad).unwrap_err();
            assert!(!e.message().contains("SECRETKEY"), "{bad}: {e}");
            assert!(e.message().starts_with("connectionString"), "{e}");
        }
        let c = ConnectionString::parse(
            "AccountName=abc;AccountKey=SECRETKEY;SharedAccessSignature=sig=SECRETSIG",
        )
        .unwrap();
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("SECRETKEY") && !dbg.contains("SECRETSIG"),
            "{dbg}"
        );
        let c = ConnectionString::parse(
            "BlobEndpoint=https://a.blob.core.windows.net/?sv=1&sig=SECRETSIG;BlobSecondaryEndpoint=https://b/?sig=SECRETSIG",
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("SECRETSIG"));
    }
}
