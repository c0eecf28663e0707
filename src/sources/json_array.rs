//! The elements of a JSON array read from a stream, each handed over as a slice of its own:
//! a large answer (Alertmanager's alert list has no pagination) is decoded element after
//! element from borrowed bytes, never held whole and never read a byte at a time.
//!
//! Only the array's frame is checked here (`[`, elements, commas, `]`, nothing after it);
//! each element is checked by whoever decodes its slice.

use std::io::{ErrorKind, Read};

use serde::de::Error as _;

/// How much is read from the stream at a time.
const READ_SIZE: usize = 64 << 10;
/// The largest element held: a real alert is a few KB (its fields are capped further when it
/// is mapped); one past this is a hostile or broken answer, refused before it is held whole,
/// so a huge answer costs this much memory, not its own size (or twice it, decoded).
pub const MAX_ELEMENT: usize = 8 << 20;

/// Where the scan is in the array's frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// Before the `[`.
    Before,
    /// After the `[`: an element or `]`.
    First,
    /// After a comma: an element.
    Next,
    /// Inside an element (depth of brackets open in it).
    Element(u32),
    /// After an element: a comma or `]`.
    AfterElement,
    /// After the `]`: only whitespace.
    Done,
}

/// The scanner's state, kept across reads.
struct Scan {
    frame: Frame,
    is_in_string: bool,
    /// The previous byte in a string was a backslash (the string's next byte is escaped).
    is_escaped: bool,
    /// The start of the current element when it began in an earlier read.
    pending: Vec<u8>,
    /// Bytes read before this read, for error positions.
    offset: usize,
}

/// Calls `each` with the bytes of every element of the JSON array `reader` holds, in order.
/// An element that does not start with `{` or `[`, a missing comma, a cut stream or anything
/// after the `]` is an error; so is whatever `each` returns.
pub fn for_each_element<R: Read>(
    mut reader: R,
    mut each: impl FnMut(&[u8]) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    let mut buf = vec![0u8; READ_SIZE];
    let mut scan = Scan {
        frame: Frame::Before,
        is_in_string: false,
        is_escaped: false,
        pending: Vec::new(),
        offset: 0,
    };
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(serde_json::Error::io(e)),
        };
        scan.chunk(&buf[..n], &mut each)?;
        scan.offset += n;
    }
    match scan.frame {
        Frame::Done => Ok(()),
        _ => Err(serde_json::Error::custom(format!(
            "EOF while parsing a list at byte {}",
            scan.offset
        ))),
    }
}

impl Scan {
    fn chunk(
        &mut self,
        bytes: &[u8],
        each: &mut impl FnMut(&[u8]) -> Result<(), serde_json::Error>,
    ) -> Result<(), serde_json::Error> {
        // Where the current element starts in `bytes` (0 when it began in an earlier read).
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match self.frame {
                Frame::Element(depth) => {
                    if self.is_in_string {
                        i = self.skip_string(bytes, i);
                        continue;
                    }
                    match b {
                        b'"' => self.is_in_string = true,
                        b'{' | b'[' => self.frame = Frame::Element(depth.saturating_add(1)),
                        b'}' | b']' if depth == 1 => {
                            self.frame = Frame::AfterElement;
                            if self.pending.is_empty() {
                                each(&bytes[start..=i])?;
                            } else {
                                self.pending.extend_from_slice(&bytes[..=i]);
                                let element = std::mem::take(&mut self.pending);
                                each(&element)?;
                                self.pending = element;
                                self.pending.clear();
                            }
                        }
                        b'}' | b']' => self.frame = Frame::Element(depth - 1),
                        _ => {}
                    }
                }
                // JSON's whitespace: not form feed, which `is_ascii_whitespace` allows.
                _ if matches!(b, b' ' | b'\t' | b'\n' | b'\r') => {}
                Frame::Before if b == b'[' => self.frame = Frame::First,
                Frame::First if b == b']' => self.frame = Frame::Done,
                Frame::First | Frame::Next if b == b'{' || b == b'[' => {
                    self.frame = Frame::Element(1);
                    start = i;
                }
                Frame::AfterElement if b == b',' => self.frame = Frame::Next,
                Frame::AfterElement if b == b']' => self.frame = Frame::Done,
                frame => {
                    return Err(serde_json::Error::custom(format!(
                        "unexpected {:?} at byte {} ({})",
                        char::from(b),
                        self.offset + i,
                        expected(frame)
                    )));
                }
            }
            i += 1;
        }
        if let Frame::Element(_) = self.frame {
            self.pending.extend_from_slice(&bytes[start..]);
            if self.pending.len() > MAX_ELEMENT {
                return Err(serde_json::Error::custom(format!(
                    "an element of the list is larger than {} MB (at byte {})",
                    MAX_ELEMENT >> 20,
                    self.offset + bytes.len()
                )));
            }
        }
        Ok(())
    }

    /// Moves past string bytes from `i`; returns where scanning goes on.
    fn skip_string(&mut self, bytes: &[u8], i: usize) -> usize {
        if self.is_escaped {
            self.is_escaped = false;
            return i + 1;
        }
        match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
            None => bytes.len(),
            Some(at) => {
                if bytes[i + at] == b'"' {
                    self.is_in_string = false;
                } else {
                    self.is_escaped = true;
                }
                i + at + 1
            }
        }
    }
}

/// What the frame wanted next, for an error.
fn expected(frame: Frame) -> &'static str {
    match frame {
        Frame::Before => "expected a list",
        Frame::First => "expected an element or the end of the list",
        Frame::Next => "expected an element after the comma",
        Frame::AfterElement => "expected a comma or the end of the list",
        Frame::Done => "expected nothing after the list",
        Frame::Element(_) => "inside an element",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements of `json` read `step` bytes at a time.
    fn elements(json: &str, step: usize) -> Result<Vec<String>, String> {
        let reader = std::io::BufReader::with_capacity(step, json.as_bytes());
        let mut out = Vec::new();
        for_each_element(SmallReads(reader, step), |e| {
            out.push(String::from_utf8(e.to_vec()).unwrap());
            Ok(())
        })
        .map(|()| out)
        .map_err(|e| e.to_string())
    }

    /// A reader that gives at most `.1` bytes a read, as a slow network would.
    struct SmallReads<R>(R, usize);

    impl<R: Read> Read for SmallReads<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read(&mut buf[..n])
        }
    }

    /// `[{"a":"xxx…` without end, counting what was read of it.
    struct EndlessElement(usize);

    impl Read for EndlessElement {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let head = br#"[{"a":""#;
            for (i, b) in buf.iter_mut().enumerate() {
                *b = head.get(self.0 + i).copied().unwrap_or(b'x');
            }
            self.0 += buf.len();
            Ok(buf.len())
        }
    }

    #[test]
    fn an_element_past_the_cap_is_refused_before_it_is_held_whole() {
        let mut stream = EndlessElement(0);
        let e = for_each_element(&mut stream, |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("larger than 8 MB"), "{e}");
        assert!(
            stream.0 <= MAX_ELEMENT + 2 * READ_SIZE,
            "read {} bytes of it",
            stream.0
        );
    }

    #[test]
    fn every_element_is_handed_over_whole_however_the_stream_is_cut() {
        let json = r#" [ {"a": "x}]\"{", "b": [1, {"c": "\\"}]}, [2, 3] ,{"d":{}} ] "#;
        for step in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(
                elements(json, step).unwrap(),
                [
                    r#"{"a": "x}]\"{", "b": [1, {"c": "\\"}]}"#,
                    "[2, 3]",
                    r#"{"d":{}}"#
                ],
                "read {step} bytes at a time"
            );
        }
    }

    #[test]
    fn an_empty_list_has_no_elements() {
        assert_eq!(elements("[]", 1).unwrap(), Vec::<String>::new());
        assert_eq!(elements(" [ \n ] \n", 2).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_broken_frame_is_an_error_that_says_where() {
        for (json, says) in [
            ("", "EOF"),
            (r#"[{"a": 1}"#, "EOF"),
            (r#"[{"a": "1}"#, "EOF"),
            (r#"[{"a": 1} {"b": 2}]"#, "expected a comma"),
            (r#"[{"a": 1},]"#, "after the comma"),
            (r#"[1, 2]"#, "expected an element"),
            (r#"{"a": 1}"#, "expected a list"),
            (r#"[{"a": 1}] x"#, "nothing after the list"),
            (r#"[{"a": 1}]]"#, "nothing after the list"),
            ("[\u{c}{}]", "expected an element"),
        ] {
            let e = elements(json, 3).unwrap_err();
            assert!(e.contains(says), "{json:?}: {e}");
        }
    }

    #[test]
    fn the_callers_error_stops_the_scan() {
        let mut seen = 0;
        let e = for_each_element(r#"[{}, {}, {}]"#.as_bytes(), |_| {
            seen += 1;
            Err(serde_json::Error::custom("no"))
        })
        .unwrap_err();
        assert_eq!((seen, e.to_string()), (1, "no".to_owned()));
    }

    #[test]
    fn a_read_error_is_the_scans_error() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("answer cut short"))
            }
        }
        let e = for_each_element(Broken, |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("answer cut short"), "{e}");
    }

    /// Whole arrays whose elements are objects or arrays, decoded by serde_json at once.
    fn whole(json: &[u8]) -> Result<Vec<serde_json::Value>, ()> {
        let all: Vec<serde_json::Value> = serde_json::from_slice(json).map_err(drop)?;
        let framed = all.iter().all(|v| v.is_object() || v.is_array());
        if framed { Ok(all) } else { Err(()) }
    }

    /// The same array decoded element by element through the scan, `step` bytes a read.
    fn split(json: &[u8], step: usize) -> Result<Vec<serde_json::Value>, ()> {
        let mut out = Vec::new();
        for_each_element(SmallReads(json, step), |e| {
            out.push(serde_json::from_slice(e)?);
            Ok(())
        })
        .map_err(drop)?;
        Ok(out)
    }

    proptest::proptest! {
        /// On any text made of JSON's pieces, the scan and serde_json accept the same arrays
        /// and agree on their elements, however the text arrives.
        #[test]
        fn the_scan_agrees_with_a_whole_decode(
            open in proptest::sample::select(vec!["[", " [\n", "\u{c}[", "{", ""]),
            elements in proptest::collection::vec((
                proptest::sample::select(vec![
                    "{}", "[]", "{\"a\": [1, {}]}", "{\"b\": \"}]\\\"[{\"}", "[\"\\\\\", 2]",
                    "{\"c\": \"\\u0041\"}", "1", "{", "}", "\"a\"", "{\"a\" 1}", "[}",
                ]),
                proptest::sample::select(vec![",", " , ", ",\n", "\u{c},", "", ",,"]),
            ), 0..6),
            close in proptest::sample::select(vec!["]", "] ", "]]", "", "] x", "]\u{c}"]),
            step in 1usize..9,
        ) {
            let mut json = open.to_owned();
            for (i, (element, comma)) in elements.iter().enumerate() {
                if i > 0 {
                    json.push_str(comma);
                }
                json.push_str(element);
            }
            json.push_str(close);
            proptest::prop_assert_eq!(
                whole(json.as_bytes()),
                split(json.as_bytes(), step),
                "{:?}",
                json
            );
        }
    }
}
