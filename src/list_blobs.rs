//! The List Blobs response (`EnumerationResults` XML): names, ETags, Last-Modified, metadata,
//! the prefixes of a listing with a delimiter, and the continuation marker.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One blob of a listing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListedBlob {
    /// The blob name.
    pub name: String,
    /// The ETag as listed (the service lists it without quotes).
    pub etag: Option<String>,
    /// The `Last-Modified` property, an HTTP date.
    pub last_modified: Option<String>,
    /// Metadata, names as listed.
    pub metadata: Vec<(String, String)>,
}

impl ListedBlob {
    /// A metadata value by case-insensitive name (the service treats names case-insensitively).
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    /// The blobs on this page.
    pub blobs: Vec<ListedBlob>,
    /// The `<BlobPrefix><Name>` entries of a listing with a delimiter: each a "folder" that has
    /// blobs beneath, ending with the delimiter.
    pub prefixes: Vec<String>,
    /// The marker for the next page; `None` when this is the last.
    pub next_marker: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    None,
    Name,
    Etag,
    LastModified,
    Meta,
    NextMarker,
    PrefixName,
}

/// Parses one List Blobs page. Anything that is not well-formed gives `Err` with a short reason
/// (no input is echoed); unknown elements are skipped.
pub fn parse_list_page(xml: &str) -> Result<ListPage, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut page = ListPage::default();
    let mut current: Option<ListedBlob> = None;
    let mut field = Field::None;
    let mut text = String::new();
    let mut meta_name = String::new();
    let mut saw_root = false;
    loop {
        let event = reader
            .read_event()
            // Where, not quick-xml's own words: its messages bring `core::fmt`'s char and I/O
            // error tables into the wasm (several KB) for a page no sane server sends.
            .map_err(|_| format!("malformed XML near byte {}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let depth = stack.len();
                let parent = stack.last().map(String::as_str);
                field = Field::None;
                match (depth, parent, name.as_str()) {
                    (0, None, "EnumerationResults") => saw_root = true,
                    (2, Some("Blobs"), "Blob") => current = Some(ListedBlob::default()),
                    (3, Some("Blob"), "Name") => field = Field::Name,
                    (3, Some("BlobPrefix"), "Name")
                        if stack.get(1).map(String::as_str) == Some("Blobs") =>
                    {
                        field = Field::PrefixName
                    }
                    (4, Some("Properties"), "Etag") => field = Field::Etag,
                    (4, Some("Properties"), "Last-Modified") => field = Field::LastModified,
                    (4, Some("Metadata"), _)
                        if stack.get(2).map(String::as_str) == Some("Blob") =>
                    {
                        field = Field::Meta;
                        meta_name = name.clone();
                    }
                    (1, Some("EnumerationResults"), "NextMarker") => field = Field::NextMarker,
                    _ => {}
                }
                text.clear();
                stack.push(name);
            }
            Event::Text(t) if field != Field::None => {
                text.push_str(&t.unescape().map_err(|_| {
                    format!("malformed XML text near byte {}", reader.buffer_position())
                })?);
            }
            Event::CData(t) if field != Field::None => {
                text.push_str(&String::from_utf8_lossy(&t));
            }
            Event::Empty(e) => {
                // `<ownerid/>` is an empty metadata value (a released partition).
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.len() == 4 && stack.last().map(String::as_str) == Some("Metadata") {
                    if let Some(b) = current.as_mut() {
                        b.metadata.push((name, String::new()));
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err("malformed XML: unbalanced end tag".into());
                };
                if let Some(b) = current.as_mut() {
                    let value = std::mem::take(&mut text);
                    match field {
                        Field::Name => b.name = value,
                        Field::Etag => b.etag = Some(value),
                        Field::LastModified => b.last_modified = Some(value),
                        Field::Meta => b.metadata.push((std::mem::take(&mut meta_name), value)),
                        _ => {}
                    }
                    if name == "Blob" && stack.len() == 2 {
                        page.blobs.extend(current.take());
                    }
                } else if field == Field::NextMarker {
                    let value = std::mem::take(&mut text);
                    page.next_marker = Some(value).filter(|m| !m.is_empty());
                } else if field == Field::PrefixName {
                    page.prefixes.push(std::mem::take(&mut text));
                }
                field = Field::None;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root || !stack.is_empty() {
        return Err("not a complete EnumerationResults document".into());
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c">
  <Prefix>ns/eh/$default/ownership/</Prefix><MaxResults>5000</MaxResults>
  <Blobs>
    <Blob><Name>ns/eh/$default/ownership/0</Name>
      <Properties><Last-Modified>Tue, 24 Nov 2026 05:44:55 GMT</Last-Modified><Etag>0x8DD1</Etag><Content-Length>0</Content-Length></Properties>
      <Metadata><ownerid>worker &amp; 1</ownerid></Metadata></Blob>
    <Blob><Name>ns/eh/$default/ownership/1</Name>
      <Properties><Last-Modified>Tue, 24 Nov 2026 05:44:56 GMT</Last-Modified><Etag>"0x8DD2"</Etag></Properties>
      <Metadata><OwnerId/></Metadata></Blob>
  </Blobs>
  <NextMarker>2!ABC</NextMarker>
</EnumerationResults>"#;

    #[test]
    fn parses_a_page() {
        let p = parse_list_page(PAGE).unwrap();
        assert_eq!(p.blobs.len(), 2);
        assert_eq!(p.blobs[0].name, "ns/eh/$default/ownership/0");
        assert_eq!(p.blobs[0].etag.as_deref(), Some("0x8DD1"));
        assert_eq!(
            p.blobs[0].last_modified.as_deref(),
            Some("Tue, 24 Nov 2026 05:44:55 GMT")
        );
        assert_eq!(p.blobs[0].meta("OWNERID"), Some("worker & 1"));
        assert_eq!(p.blobs[1].meta("ownerid"), Some(""));
        assert_eq!(p.next_marker.as_deref(), Some("2!ABC"));
    }

    #[test]
    fn parses_the_prefixes_of_a_delimited_listing() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://h/a" ContainerName="c"><Prefix>ns/</Prefix><Delimiter>/</Delimiter>
  <Blobs>
    <BlobPrefix><Name>ns/Eh/</Name></BlobPrefix>
    <Blob><Name>ns/readme.txt</Name><Properties><Etag>0x1</Etag></Properties></Blob>
    <BlobPrefix><Name>ns/e&amp;h/</Name></BlobPrefix>
  </Blobs>
  <NextMarker/>
</EnumerationResults>"#;
        let p = parse_list_page(xml).unwrap();
        assert_eq!(p.prefixes, ["ns/Eh/", "ns/e&h/"]);
        assert_eq!(p.blobs.len(), 1);
        assert_eq!(p.blobs[0].name, "ns/readme.txt");
        assert_eq!(p.next_marker, None);
        // A <BlobPrefix> anywhere but directly under <Blobs> is not one.
        let odd = "<EnumerationResults><Blobs><Blob><BlobPrefix><Name>x/</Name></BlobPrefix></Blob></Blobs></EnumerationResults>";
        assert!(parse_list_page(odd).unwrap().prefixes.is_empty());
    }

    #[test]
    fn last_page_has_no_marker() {
        let xml = "<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>";
        assert_eq!(parse_list_page(xml).unwrap(), ListPage::default());
    }

    #[test]
    fn rejects_truncated_and_foreign_documents() {
        for bad in [
            &PAGE[..PAGE.len() / 2],
            "",
            "<Error><Code>X</Code></Error>",
            "<a><b></a>",
            "&bogus;",
        ] {
            assert!(parse_list_page(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_entities_do_not_expand() {
        let xml = r#"<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><EnumerationResults><Blobs><Blob><Name>&a;</Name></Blob></Blobs></EnumerationResults>"#;
        assert!(parse_list_page(xml).is_err());
    }

    #[test]
    fn malformed_xml_says_where() {
        let e = parse_list_page("<EnumerationResults><Blobs></Nope>").unwrap_err();
        assert!(e.starts_with("malformed XML near byte "), "{e}");
        let e =
            parse_list_page("<EnumerationResults><Blobs><Blob><Name>&bogus;</Name>").unwrap_err();
        assert!(e.starts_with("malformed XML text near byte "), "{e}");
    }
}
