//! Hostile responses, on the host: the list-XML parser, the error parser, the connection-string
//! parser, the metadata parser and the other parsers of outside text never panic, whatever
//! arrives (arbitrary bytes, truncated documents, huge numbers, invalid UTF-8, entity tricks).
#![cfg(not(target_arch = "wasm32"))]

use eventhubs_checkpointstore_blob_wasm::account_url::AccountUrl;
use eventhubs_checkpointstore_blob_wasm::blob_name::validate_segment;
use eventhubs_checkpointstore_blob_wasm::connection_string::ConnectionString;
use eventhubs_checkpointstore_blob_wasm::http::{decode_component, Response};
use eventhubs_checkpointstore_blob_wasm::list_blobs::{parse_list_page, ListedBlob};
use eventhubs_checkpointstore_blob_wasm::metadata::{
    checkpoint_from_blob, ownership_from_blob, Group,
};
use eventhubs_checkpointstore_blob_wasm::rest_error::{from_response, parse_error_body};
use eventhubs_checkpointstore_blob_wasm::retry::{retry_delay, RetryOptions};
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
        let _ = validate_segment(&s, "partitionId");
        let resp = Response { status: 503, headers: vec![("retry-after".into(), s.clone()), ("x-ms-retry-after-ms".into(), s)], body: String::new() };
        let d = retry_delay(&RetryOptions::default(), retry, Some(&resp), now, r);
        prop_assert!(d.is_nan() || d <= 60_000.0);
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
