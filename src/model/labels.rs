//! Labels and annotations: a sorted list of (name, value) pairs whose strings are shared
//! through an `Interner`, so ten thousand alerts saying `severity="critical"` hold one copy.
//! Smaller and faster to build than a `BTreeMap<String, String>` for the handful of pairs an
//! alert carries.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Shares equal strings. One per snapshot: it lives while the snapshot is built and its
/// strings live as long as the alerts that use them.
#[derive(Debug, Default)]
pub struct Interner {
    // FxHash: interning hashes every label of every alert; SipHash's DoS resistance buys
    // nothing for a set that lives for one snapshot, and cost a fifth of decode time.
    set: FxHashSet<Arc<str>>,
}

impl Interner {
    /// The shared copy of `s`.
    pub fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(found) = self.set.get(s) {
            return found.clone();
        }
        let arc: Arc<str> = Arc::from(s);
        self.set.insert(arc.clone());
        arc
    }
}

/// Name/value pairs sorted by name, names unique.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Vec<(Arc<str>, Arc<str>)>);

impl Labels {
    /// Builds from pairs; a later duplicate name wins.
    pub fn from_pairs(mut pairs: Vec<(Arc<str>, Arc<str>)>) -> Labels {
        // Alertmanager sends labels sorted (Go marshals map keys in order) and stored
        // snapshots keep them so: taken as they are. The reverse below would otherwise hand
        // the stable sort its worst case, a fully reversed run, for every alert.
        if pairs.windows(2).all(|w| w[0].0 < w[1].0) {
            return Labels(pairs);
        }
        pairs.reverse();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        Labels(pairs)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_shared(name).map(|v| v.as_ref())
    }

    /// The shared value of `name`.
    pub fn get_shared(&self, name: &str) -> Option<&Arc<str>> {
        // An alert has a handful of labels: comparing lengths first beats a binary search
        // of string comparisons (this is the filter's hot path at 100k alerts).
        if self.0.len() <= 16 {
            return self
                .0
                .iter()
                .find(|(k, _)| k.len() == name.len() && k.as_ref() == name)
                .map(|(_, v)| v);
        }
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Whether `name` is present.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The pairs, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// The values, in name order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, v)| v.as_ref())
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Index<&str> for Labels {
    type Output = str;
    fn index(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k.as_ref(), v.as_ref())?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_shared() {
        let mut i = Interner::default();
        let l = Labels::from_pairs(vec![
            (i.intern("team"), i.intern("web")),
            (i.intern("alertname"), i.intern("X")),
            (i.intern("team"), i.intern("db")),
        ]);
        assert_eq!(
            l.iter().collect::<Vec<_>>(),
            [("alertname", "X"), ("team", "db")]
        );
        assert_eq!(l.get("team"), Some("db"));
        assert_eq!(&l["nope"], "");
        let a = i.intern("critical");
        let b = i.intern("critical");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"alertname":"X","team":"db"}"#
        );
    }

    #[test]
    fn sorted_input_is_kept_and_a_sorted_duplicate_still_resolves_to_the_last() {
        let pair = |k: &str, v: &str| (Arc::<str>::from(k), Arc::<str>::from(v));
        let sorted = vec![pair("a", "1"), pair("b", "2"), pair("c", "3")];
        let l = Labels::from_pairs(sorted);
        assert_eq!(
            l.iter().collect::<Vec<_>>(),
            [("a", "1"), ("b", "2"), ("c", "3")]
        );
        // In order, but not strictly: the duplicate is resolved as for any input.
        let l = Labels::from_pairs(vec![pair("a", "1"), pair("b", "2"), pair("b", "3")]);
        assert_eq!(l.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "3")]);
    }
}
