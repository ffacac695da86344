//! Hostile responses, on the host: the list-XML parser, the error parser, the connection-string
//! parser, the metadata parser and the other parsers of outside text never panic, whatever
//! arrives (arbitrary bytes, truncated documents, huge numbers, invalid UTF-8, entity tricks).
#![cfg(not(target_arch = "wasm32"))]

use eventhubs_checkpointstore_blob_wasm::account_url::{is_loopback_host, AccountUrl};
use eventhubs_checkpointstore_blob_wasm::blob_name::validate_segment;
use eventhubs_checkpointstore_blob_wasm::connection_string::ConnectionString;
use eventhubs_checkpointstore_blob_wasm::http::{decode_component, Response};
use eventhubs_checkpointstore_blob_wasm::list_blobs::{parse_list_page, ListedBlob};
use eventhubs_checkpointstore_blob_wasm::metadata::{
    checkpoint_from_blob, ownership_from_blob, Group,
};
use eventhubs_checkpointstore_blob_wasm::rest_error::{from_response, parse_error_body};
use eventhubs_checkpointstore_blob_wasm::retry::{retry_delay, RetryOptions, MAX_TIMER_MS};
use eventhubs_checkpointstore_blob_wasm::time::parse_http_date;
use proptest::prelude::*;

const PAGE: &str = r#"<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://h/a" ContainerName="c"><Prefix>n/e/c/checkpoint/</Prefix><MaxResults>5000</MaxResults><Blobs><Blob><Name>n/e/c/checkpoint/0</Name><Properties><Last-Modified>Tue, 24 Nov 2026 05:44:55 GMT</Last-Modified><Etag>0x8DD1</Etag><Content-Length>0</Content-Length></Properties><Metadata><sequencenumber>5</sequencenumber><offset>50</offset></Metadata></Blob><Blob><Name>n/e/c/checkpoint/1</Name><Properties><Last-Modified>Tue, 24 Nov 2026 05:44:56 GMT</Last-Modified><Etag>"0x8DD2"</Etag></Properties><Metadata><sequencenumber>6</sequencenumber><offset>60</offset></Metadata></Blob></Blobs><NextMarker>2!abc</NextMarker></EnumerationResults>"#;

const G: Group<'static> = Group {
    namespace: "n",
    event_hub: "e",
    consumer_group: "c",
};

/// Pieces XML is made of, so generated documents get past the first byte.
fn xmlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<EnumerationResults>".to_string()),
        Just("</EnumerationResults>".to_string()),
        Just("<Blobs>".to_string()),
        Just("</Blobs>".to_string()),
        Just("<Blob>".to_string()),
        Just("</Blob>".to_string()),
        Just("<Name>".to_string()),
        Just("</Name>".to_string()),
        Just("<Metadata>".to_string()),
        Just("</Metadata>".to_string()),
        Just("<Properties><Etag>".to_string()),
        Just("</Etag></Properties>".to_string()),
        Just("<NextMarker>".to_string()),
        Just("</NextMarker>".to_string()),
        Just("<sequencenumber>99999999999999999999999999</sequencenumber>".to_string()),
        Just("<Content-Length>18446744073709551616000</Content-Length>".to_string()),
        Just("&amp;&lt;&#x0;&#99999999;&bogus;".to_string()),
        Just("<![CDATA[ x ]]>".to_string()),
        Just("<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>".to_string()),
        Just("<ownerid/>".to_string()),
        "[^<>&]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn list_parser_never_panics(s in xmlish()) {
        let _ = parse_list_page(&s);
    }

    #[test]
    fn list_parser_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        // The body arrives as text; invalid UTF-8 has been replaced by then, as fetch's text() does.
        let _ = parse_list_page(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn list_parser_survives_mutations_of_a_real_page(at in 0..PAGE.len(), insert in any::<String>()) {
        let mut s = PAGE.to_string();
        if s.is_char_boundary(at) {
            s.insert_str(at, &insert);
            let _ = parse_list_page(&s);
        }
    }

    #[test]
    fn error_parser_never_panics(body in xmlish(), status in any::<u16>(), code in any::<String>()) {
        let _ = parse_error_body(&body);
        let resp = Response { status, headers: vec![("x-ms-error-code".into(), code)], body };
        let e = from_response("op", "target", &resp, &["SECRETSECRET".to_string()]);
        prop_assert!(!e.message().contains("SECRETSECRET"));
    }

    #[test]
    fn connection_string_parser_never_panics_nor_echoes_keys(s in any::<String>(), key in "[A-Za-z0-9+/]{40}") {
        let _ = ConnectionString::parse(&s);
        let with_key = format!("{s};AccountKey={key};DefaultEndpointsProtocol=ftp");
        if let Err(e) = ConnectionString::parse(&with_key) {
            prop_assert!(!e.message().contains(&key));
        }
    }

    #[test]
    fn metadata_parser_never_panics(
        name in any::<String>(),
        etag in proptest::option::of(any::<String>()),
        date in proptest::option::of(any::<String>()),
        meta in prop::collection::vec((any::<String>(), any::<String>()), 0..4),
    ) {
        let blob = ListedBlob { name, etag, last_modified: date, metadata: meta };
        let _ = checkpoint_from_blob(&blob, "n/e/c/checkpoint/", G);
        let _ = ownership_from_blob(&blob, "n/e/c/ownership/", G);
    }

    #[test]
    fn other_parsers_never_panic(s in any::<String>(), retry in any::<u32>(), r in any::<f64>(), now in any::<f64>()) {
        let _ = AccountUrl::parse(&s, "blobAccountUrl");
        let _ = parse_http_date(&s);
        let _ = decode_component(&s);
        let _ = validate_segment(&s, "", "partitionId");
        let resp = Response { status: 503, headers: vec![("retry-after".into(), s.clone()), ("x-ms-retry-after-ms".into(), s)], body: String::new() };
        let d = retry_delay(&RetryOptions::default(), retry, Some(&resp), now, r);
        prop_assert!((0.0..=60_000.0).contains(&d), "{}", d);
    }

    /// Whatever a server asks for and whatever the options, a wait is a number a timer takes.
    #[test]
    fn every_delay_fits_a_timer(
        header in prop_oneof!["[0-9]{0,40}", any::<String>(), Just("99999999999999999999".to_string())],
        ms_header in prop_oneof!["[0-9]{0,40}", any::<String>()],
        max_delay in prop_oneof![Just(f64::INFINITY), Just(f64::NAN), any::<f64>(), 0.0..3e9f64],
        base in any::<f64>(),
        retry in any::<u32>(),
        r in any::<f64>(),
        now in any::<f64>(),
    ) {
        let opts = RetryOptions { max_retry_delay_ms: max_delay, retry_delay_ms: base, ..RetryOptions::default() };
        for headers in [
            vec![("retry-after".to_string(), header.clone())],
            vec![("x-ms-retry-after-ms".to_string(), ms_header.clone())],
            vec![],
        ] {
            let resp = Response { status: 503, headers, body: String::new() };
            let d = retry_delay(&opts, retry, Some(&resp), now, r);
            prop_assert!((0.0..=MAX_TIMER_MS).contains(&d), "{}", d);
        }
    }

    /// Connection strings from outside: whatever reaches the blob endpoint from AccountName
    /// and EndpointSuffix is a plain host name, and no key is echoed.
    #[test]
    fn connection_string_hosts_stay_host_names(name in any::<String>(), suffix in any::<String>()) {
        let cs = format!("AccountName={name};AccountKey=a2V5;EndpointSuffix={suffix}");
        if let Ok(c) = ConnectionString::parse(&cs) {
            let host = c.blob_endpoint.strip_prefix("https://").unwrap();
            prop_assert!(host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'), "{}", host);
            prop_assert!(!host.ends_with('.'));
        }
    }

    /// Host normalisation never panics, and a host it calls loopback is one a dotted-quad,
    /// `localhost` or IPv6 reading agrees is loopback.
    #[test]
    fn loopback_check_is_total_and_never_too_generous(
        host in prop_oneof![
            any::<String>(),
            "[0-9a-fA-Fx.]{0,24}",
            "\\[[0-9a-f:.]{0,40}\\]",
            "(localhost|LocalHost|127\\.0\\.0\\.1|::1)[.:]?[0-9]{0,5}",
        ]
    ) {
        if is_loopback_host(&host) {
            let h = host.to_ascii_lowercase();
            prop_assert!(
                h.starts_with("localhost")
                    || h.starts_with('[')
                    || h.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b'x' || b == b':'),
                "{}", host
            );
        }
    }

    /// A letters-only or base64 secret echoed anywhere in a service error never reaches any
    /// property of the error (the known-secret scrub does not depend on how a secret looks).
    #[test]
    fn known_secrets_never_survive_an_error(
        secret in prop_oneof!["[a-zA-Z]{8,64}", "[A-Za-z0-9+/]{20,88}={0,2}"],
        before in "[ -~]{0,20}",
        after in "[ -~]{0,20}",
        status in 400u16..600,
    ) {
        let echo = format!("{before}{secret}{after}");
        let resp = Response {
            status,
            headers: vec![("x-ms-error-code".into(), echo.clone()), ("x-ms-request-id".into(), echo.clone())],
            body: format!("<Error><Code>{echo}</Code><Message>{echo}</Message></Error>"),
        };
        let e = from_response("op", "t", &resp, std::slice::from_ref(&secret));
        for text in [e.message(), e.code().unwrap_or("").to_string(), e.request_id().unwrap_or("").to_string()] {
            prop_assert!(!text.contains(&secret), "{}", text);
        }
    }
}

#[test]
fn every_truncation_of_a_real_page_is_an_error_not_a_panic() {
    for end in 0..PAGE.len() {
        if PAGE.is_char_boundary(end) {
            assert!(
                parse_list_page(&PAGE[..end]).is_err(),
                "prefix of {end} bytes parsed"
            );
        }
    }
    let page = parse_list_page(PAGE).unwrap();
    assert_eq!(page.blobs.len(), 2);
}

#[test]
fn entity_expansion_is_refused_quickly() {
    let mut doc = String::from("<!DOCTYPE x [<!ENTITY a0 \"lol\">");
    for i in 1..10 {
        doc.push_str(&format!(
            "<!ENTITY a{i} \"{}\">",
            format!("&a{};", i - 1).repeat(10)
        ));
    }
    doc.push_str(
        "]><EnumerationResults><Blobs><Blob><Name>&a9;</Name></Blob></Blobs></EnumerationResults>",
    );
    let started = std::time::Instant::now();
    assert!(parse_list_page(&doc).is_err());
    assert!(started.elapsed().as_secs() < 1);
}

#[test]
fn huge_documents_parse_in_bounded_time() {
    // 100,000 blobs, as a listing far larger than any page the service sends.
    let mut doc = String::from("<EnumerationResults><Blobs>");
    for i in 0..100_000 {
        doc.push_str(&format!("<Blob><Name>n/e/c/checkpoint/{i}</Name><Metadata><sequencenumber>{i}</sequencenumber><offset>1</offset></Metadata></Blob>"));
    }
    doc.push_str("</Blobs></EnumerationResults>");
    let page = parse_list_page(&doc).unwrap();
    assert_eq!(page.blobs.len(), 100_000);
}
