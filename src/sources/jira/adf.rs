//! Atlassian Document Format, the rich text of Jira Cloud's v3 API: read as plain text (for
//! comments and descriptions), and written from plain text (for what onduty sends; a plain
//! string is refused with "Comment body is not valid!").

use serde_json::{Value, json};

/// Deepest nesting read (serde_json already refuses answers nested past 128).
const MAX_DEPTH: usize = 48;

/// The text of a document (or of a plain string, as v2 and some fields send).
pub fn to_text(doc: &Value) -> String {
    let mut out = String::new();
    match doc {
        Value::String(s) => out.push_str(s),
        other => walk(other, 0, &mut out),
    }
    out.trim_end().to_string()
}

fn walk(node: &Value, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        return;
    }
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    let attr = |name: &str| {
        node.get("attrs")
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
    };
    match kind {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        "hardBreak" => out.push('\n'),
        "mention" => out.push_str(attr("text").unwrap_or("@someone")),
        "emoji" => out.push_str(attr("text").or(attr("shortName")).unwrap_or("")),
        "inlineCard" | "blockCard" => out.push_str(attr("url").unwrap_or("")),
        "listItem" => out.push_str("- "),
        _ => {}
    }
    if let Some(children) = node.get("content").and_then(Value::as_array) {
        for child in children {
            walk(child, depth + 1, out);
        }
    }
    if matches!(
        kind,
        "paragraph" | "heading" | "codeBlock" | "blockquote" | "rule" | "panel"
    ) {
        // The document's own blocks are set apart by a blank line, nested ones by a break.
        let want = if depth <= 1 { "\n\n" } else { "\n" };
        while !out.is_empty() && !out.ends_with(want) {
            out.push('\n');
        }
    }
}

/// A document holding `text`: a paragraph per blank-line-separated block, a hard break per
/// line break within one.
pub fn from_text(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut content = Vec::new();
            for (i, line) in p.lines().enumerate() {
                if i > 0 {
                    content.push(json!({"type": "hardBreak"}));
                }
                if !line.is_empty() {
                    content.push(json!({"type": "text", "text": line}));
                }
            }
            json!({"type": "paragraph", "content": content})
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_goes_to_a_document_and_back() {
        let text = "Failover started\nby ana\n\n(sent from onduty, ref od-1)";
        let doc = from_text(text);
        assert_eq!(doc["type"], "doc");
        assert_eq!(doc["content"].as_array().unwrap().len(), 2);
        assert_eq!(to_text(&doc), text);
    }

    #[test]
    fn mentions_lists_and_cards_read_as_words_and_deep_nesting_stops() {
        let doc = json!({"type":"doc","version":1,"content":[
            {"type":"paragraph","content":[
                {"type":"mention","attrs":{"id":"1","text":"@ana"}},
                {"type":"text","text":" see "},
                {"type":"inlineCard","attrs":{"url":"https://x/1"}}]},
            {"type":"bulletList","content":[{"type":"listItem","content":[
                {"type":"paragraph","content":[{"type":"text","text":"one"}]}]}]}]});
        assert_eq!(to_text(&doc), "@ana see https://x/1\n\n- one");
        let mut deep = json!({"type":"text","text":"bottom"});
        for _ in 0..200 {
            deep = json!({"type":"paragraph","content":[deep]});
        }
        assert!(!to_text(&deep).contains("bottom"));
    }
}
