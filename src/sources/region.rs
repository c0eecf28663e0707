//! A SaaS account's region: which of its back end's two API hosts serves it (PagerDuty's and
//! Opsgenie's US and EU hosts), unless the source's `url` names one.

use serde::Deserialize;

/// Which API host serves the account (ignored when `url` is set).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// The US host.
    #[default]
    Us,
    /// The EU host.
    Eu,
}

impl Region {
    /// The API base: `url` when the source sets one, else this region's of `us` and `eu`.
    pub fn base(self, url: Option<&str>, us: &str, eu: &str) -> String {
        match (url, self) {
            (Some(url), _) => url.to_string(),
            (None, Region::Us) => us.to_string(),
            (None, Region::Eu) => eu.to_string(),
        }
    }
}
