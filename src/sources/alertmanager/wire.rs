//! Alertmanager API v2 wire types, named after the spec (`gettableAlert`, `postableSilence`).
//! Tolerant: every field has a default and unknown fields are ignored, because servers add
//! fields without a version bump and older servers omit newer ones.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// `gettableAlert`, borrowing its strings from the answer where they have no escapes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableAlert<'a> {
    #[serde(borrow)]
    pub labels: Pairs<'a>,
    #[serde(borrow)]
    pub annotations: Pairs<'a>,
    pub starts_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    // endsAt is not read: a firing alert's endsAt is only the server's resolve timeout.
    #[serde(borrow)]
    pub fingerprint: Str<'a>,
    #[serde(borrow)]
    pub receivers: Vec<Receiver<'a>>,
    pub status: AlertStatus,
    #[serde(rename = "generatorURL", borrow)]
    pub generator_url: Option<Str<'a>>,
}

/// `receiver`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Receiver<'a> {
    #[serde(borrow)]
    pub name: Str<'a>,
}

/// A string borrowed from the answer when it can be, owned when it had escapes.
#[derive(Debug, Default, Clone)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Str<'a>, E> {
                Ok(Str::default())
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// A JSON object of strings as (key, value) pairs, in answer order, without a map's nodes.
#[derive(Debug, Default)]
pub struct Pairs<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pairs<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Pairs<'a>, M::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((k, v)) = map.next_entry::<Str<'a>, Str<'a>>()? {
                    out.push((k.0, v.0));
                }
                Ok(Pairs(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Pairs<'a>, E> {
                Ok(Pairs::default())
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl Pairs<'_> {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// `alertStatus`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AlertStatus {
    pub state: String,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub muted_by: Vec<String>,
}

/// `gettableSilence`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableSilence {
    pub id: String,
    pub status: SilenceStatus,
    pub matchers: Vec<WireMatcher>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub comment: String,
}

/// `silenceStatus`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SilenceStatus {
    pub state: String,
}

/// `matcher`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMatcher {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// `postableSilence`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub matchers: Vec<WireMatcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

/// The answer to `POST /silences`.
#[derive(Debug, Deserialize)]
pub struct SilenceCreated {
    #[serde(rename = "silenceID")]
    pub silence_id: String,
}
