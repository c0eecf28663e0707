//! A small stateful Opsgenie (and JSM Operations, under `/jsm/ops/api/cloud-7`) on the
//! fault server, for what Prism's static answers cannot show: writes answered 202 with
//! request ids that stay pending (404) for a while, then succeed — taking effect — or fail
//! with Opsgenie's reason.

use std::sync::{Arc, Mutex};

use super::faults::{Fault, FaultServer, Seen};

/// A small Opsgenie: one alert `a1`, its notes, writes answered 202 with request ids whose
/// status is 404 for `pending` looks and then `outcome`; a write that succeeds takes effect.
#[derive(Default)]
pub struct Fake {
    pub acknowledged: bool,
    pub notes: Vec<String>,
    /// Looks at a request answered 404 before its outcome.
    pub pending: usize,
    /// `Ok` (done) or Opsgenie's reason; `None`: pending for ever.
    pub outcome: Option<Result<(), String>>,
    /// A write's effect, applied when its outcome is first told.
    pub effect: Option<Effect>,
    pub requests: usize,
    pub looks: usize,
}

#[derive(Clone)]
pub enum Effect {
    Ack,
    Note(String),
}

pub type Shared = Arc<Mutex<Fake>>;

pub fn answer(fake: &Shared, seen: &Seen) -> Fault {
    let mut f = fake.lock().unwrap();
    let path = seen.path().to_string();
    let path = path
        .strip_prefix("/jsm/ops/api/cloud-7")
        .map(str::to_string)
        .unwrap_or(path);
    let alerts = ["/v2/alerts", "/v1/alerts"]
        .into_iter()
        .find(|p| path.starts_with(p))
        .unwrap_or("/v2/alerts");
    let rest = path.strip_prefix(alerts).unwrap_or(&path).to_string();
    match (seen.method(), rest.as_str()) {
        ("GET", "/a1") => Fault::Body(format!(
            r#"{{"data":{{"id":"a1","status":"open","acknowledged":{},
            "responders":[{{"type":"escalation","id":"e1"}}]}}}}"#,
            f.acknowledged
        )),
        ("GET", "/a1/notes") => {
            let notes: Vec<String> = f
                .notes
                .iter()
                .map(|n| format!(r#"{{"note":"{n}","owner":"ana"}}"#))
                .collect();
            Fault::Body(format!(r#"{{"data":[{}]}}"#, notes.join(",")))
        }
        ("GET", "/a1/logs") => Fault::Body(r#"{"data":[]}"#.into()),
        ("POST", _) => {
            f.requests += 1;
            f.effect = if rest.ends_with("/notes") {
                let v: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
                Some(Effect::Note(v["note"].as_str().unwrap().to_string()))
            } else {
                Some(Effect::Ack)
            };
            Fault::Headed {
                status: 202,
                headers: "",
                body: format!(
                    r#"{{"result":"Request will be processed","took":0.1,"requestId":"r{}"}}"#,
                    f.requests
                ),
            }
        }
        ("GET", r) if r.starts_with("/requests/") => {
            f.looks += 1;
            if f.looks <= f.pending {
                return Fault::Status(404, r#"{"message":"Request not found"}"#);
            }
            match f.outcome.clone() {
                None => Fault::Status(404, r#"{"message":"Request not found"}"#),
                Some(Ok(())) => {
                    match f.effect.take() {
                        Some(Effect::Ack) => f.acknowledged = true,
                        Some(Effect::Note(n)) => f.notes.push(n),
                        None => {}
                    }
                    Fault::Body(r#"{"data":{"isSuccess":true,"status":"Processed"}}"#.into())
                }
                Some(Err(why)) => Fault::Body(format!(
                    r#"{{"data":{{"isSuccess":false,"status":"{why}"}}}}"#
                )),
            }
        }
        _ => Fault::Body(r#"{"data":[]}"#.into()),
    }
}

pub async fn fake(f: Fake) -> (FaultServer, Shared) {
    let shared = Arc::new(Mutex::new(f));
    let s = shared.clone();
    let server = FaultServer::start_full(move |_, seen| answer(&s, seen)).await;
    (server, shared)
}
