//! A page of a JSON answer read without building the whole document: the list (and the next
//! link) found by a JSON pointer through shallow maps of raw values, then each item parsed,
//! mapped to an alert and dropped in turn. A 7 MB answer never becomes a 100 MB tree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use serde_json::value::RawValue;

use super::config::Settings;
use super::map;
use crate::model::{Alert, SourceId};
use crate::sources::Error;

/// The raw JSON at `pointer` (RFC 6901) in `doc`, parsing only the objects and arrays on
/// the way, each as a shallow map of raw values; none when nothing is there.
pub fn at<'a>(doc: &'a RawValue, pointer: &str) -> Option<&'a RawValue> {
    let mut cur = doc;
    if pointer.is_empty() {
        return Some(cur);
    }
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let text = cur.get().trim_start();
        cur = if text.starts_with('{') {
            let mut map: HashMap<String, &'a RawValue> = serde_json::from_str(cur.get()).ok()?;
            map.remove(&token)?
        } else if text.starts_with('[') {
            let list: Vec<&'a RawValue> = serde_json::from_str(cur.get()).ok()?;
            list.get(token.parse::<usize>().ok()?).copied()?
        } else {
            return None;
        };
    }
    Some(cur)
}

/// What one page gave.
pub struct Page {
    /// Its alerts.
    pub alerts: Vec<Alert>,
    /// Its items that are no alerts (each said in the log).
    pub invalid: usize,
    /// How many items it listed.
    pub listed: usize,
    /// The next page's link, when the paging follows links and there is one.
    pub next: Option<String>,
}

/// Reads a page whose items are the whole answer (`items = ""`) as it streams in
/// (`sources::stream`): only the item being mapped is held, never the body.
pub fn streamed(
    reader: &mut dyn std::io::Read,
    s: &Settings,
    source: &SourceId,
    now: DateTime<Utc>,
) -> Result<Page, Error> {
    let mut out = Page {
        alerts: Vec::new(),
        invalid: 0,
        listed: 0,
        next: None,
    };
    let mut strings = crate::model::Interner::default();
    crate::sources::json_array::for_each_element(reader, |bytes| {
        out.listed += 1;
        let mapped = serde_json::from_slice::<Value>(bytes)
            .map_err(|e| e.to_string())
            .and_then(|item| map::alert(&item, s, source, now, &mut strings));
        match mapped {
            Ok(a) => out.alerts.push(a),
            Err(why) => {
                out.invalid += 1;
                tracing::warn!(source = %source, item = out.listed - 1, why, "an item that is no alert");
            }
        }
        Ok(())
    })
    .map_err(|e| Error::Decode(format!("the answer is no list of items: {e}")))?;
    Ok(out)
}

/// Reads one page's `body`.
pub fn page(
    body: &[u8],
    s: &Settings,
    source: &SourceId,
    now: DateTime<Utc>,
) -> Result<Page, Error> {
    let doc: &RawValue = serde_json::from_slice(body)
        .map_err(|e| Error::Decode(format!("the answer is not JSON: {e}")))?;
    let no_list = || Error::Decode(format!("no list at items = \"{}\" in the answer", s.items));
    let list: Vec<&RawValue> = serde_json::from_str(at(doc, &s.items).ok_or_else(no_list)?.get())
        .map_err(|_| no_list())?;
    let mut out = Page {
        alerts: Vec::with_capacity(list.len()),
        invalid: 0,
        listed: list.len(),
        next: None,
    };
    let mut strings = crate::model::Interner::default();
    for (i, raw) in list.iter().enumerate() {
        let mapped = serde_json::from_str::<Value>(raw.get())
            .map_err(|e| e.to_string())
            .and_then(|item| map::alert(&item, s, source, now, &mut strings));
        match mapped {
            Ok(a) => out.alerts.push(a),
            Err(why) => {
                out.invalid += 1;
                tracing::warn!(source = %source, item = i, why, "an item that is no alert");
            }
        }
    }
    if let Some(p) = s.paging.as_ref().and_then(|p| p.next.as_deref()) {
        out.next = at(doc, p)
            .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
            .and_then(|v| map::text(&v, "").map(|t| t.into_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_walks_objects_and_arrays_with_escaped_names() {
        let doc: &RawValue =
            serde_json::from_str(r#"{"a":{"b/c":[10,{"d~e":"x"}]},"n":null}"#).unwrap();
        assert_eq!(at(doc, "/a/b~1c/0").map(RawValue::get), Some("10"));
        assert_eq!(at(doc, "/a/b~1c/1/d~0e").map(RawValue::get), Some("\"x\""));
        assert_eq!(at(doc, "").map(RawValue::get), Some(doc.get()));
        for none in ["/a/x", "/a/b~1c/7", "/n/0", "/a/b~1c/zero"] {
            assert!(at(doc, none).is_none(), "{none}");
        }
    }
}
