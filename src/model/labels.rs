//! Labels and annotations: a sorted list of (name, value) pairs whose strings are shared
//! through an `Interner`, so ten thousand alerts saying `severity="critical"` hold one copy.
//! Smaller and faster to build than a `BTreeMap<String, String>` for the handful of pairs an
//! alert carries.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Shares equal strings. One per snapshot: it lives while the snapshot is built and its
/// strings live as long as the alerts that use them.
#[derive(Debug, Default)]
pub struct Interner {
    // FxHash: interning hashes every label of every alert; SipHash's DoS resistance buys
    // nothing for a set that lives for one snapshot, and cost a fifth of decode time.
    set: FxHashSet<Arc<str>>,
    /// How the values of each name have fared, by the address of the name's shared copy
    /// and the list the name is in.
    values_of: FxHashMap<usize, ValueSharing>,
}

/// The list a name is in: a label and an annotation of the same name are judged apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValuesOf {
    /// A label's value.
    Label = 0,
    /// An annotation's value.
    Annotation = 1,
    /// A link's address, by the link's label.
    Link = 2,
}

/// How often the values of one name (`instance`, `summary`…) were already known.
#[derive(Debug, Default)]
struct ValueSharing {
    seen: u32,
    new: u32,
}

impl ValueSharing {
    /// Values seen before a name is judged.
    const SAMPLE: u32 = 1024;

    /// Whether the values of this name are one per alert (`instance`, a summary naming its
    /// host): over the first `SAMPLE`, at least seven in eight were new.
    fn is_unique(&self) -> bool {
        self.seen >= Self::SAMPLE && self.new >= Self::SAMPLE / 8 * 7
    }
}

impl Interner {
    /// The shared copy of `s`.
    pub fn intern(&mut self, s: &str) -> Arc<str> {
        shared_in(&mut self.set, s).0
    }

    /// A copy of `value`, the value of `name` (a copy this interner returned) in list `of`:
    /// shared like `intern`, until the values of that name prove to be one per alert. Those
    /// are copied from then on; kept in the set they would only grow it (at 100k alerts a set
    /// of 300k strings, 9 MB, for nothing shared).
    pub fn intern_value(&mut self, of: ValuesOf, name: &Arc<str>, value: &str) -> Arc<str> {
        // An `Arc`'s counts are words: its address has low bits to spare for the list.
        let key = Arc::as_ptr(name).cast::<u8>() as usize | of as usize;
        let sharing = self.values_of.entry(key).or_default();
        if sharing.is_unique() {
            return Arc::from(value);
        }
        let (arc, is_new) = shared_in(&mut self.set, value);
        if sharing.seen < ValueSharing::SAMPLE {
            sharing.seen += 1;
            sharing.new += u32::from(is_new);
        }
        arc
    }
}

/// The copy of `s` in `set`, added when missing, and whether it was.
fn shared_in(set: &mut FxHashSet<Arc<str>>, s: &str) -> (Arc<str>, bool) {
    if let Some(found) = set.get(s) {
        return (found.clone(), false);
    }
    let arc: Arc<str> = Arc::from(s);
    set.insert(arc.clone());
    (arc, true)
}

/// Name/value pairs sorted by name, names unique.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Box<[(Arc<str>, Arc<str>)]>);

impl Labels {
    /// Builds from pairs; a later duplicate name wins.
    pub fn from_pairs(mut pairs: Vec<(Arc<str>, Arc<str>)>) -> Labels {
        // Alertmanager sends labels sorted (Go marshals map keys in order) and stored
        // snapshots keep them so: taken as they are. The reverse below would otherwise hand
        // the stable sort its worst case, a fully reversed run, for every alert.
        if !pairs.windows(2).all(|w| w[0].0 < w[1].0) {
            pairs.reverse();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs.dedup_by(|a, b| a.0 == b.0);
        }
        // A boxed slice: no capacity word, and no slack kept for pairs never added.
        Labels(pairs.into_boxed_slice())
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

impl<'de> serde::Deserialize<'de> for Labels {
    /// From the map `Serialize` writes (a shared journal's frame).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
        let map = std::collections::BTreeMap::<String, String>::deserialize(d)?;
        Ok(Labels::from_pairs(
            map.into_iter()
                .map(|(k, v)| (Arc::from(k), Arc::from(v)))
                .collect(),
        ))
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

    #[test]
    fn values_one_per_alert_stop_being_kept_and_repeated_ones_stay_shared() {
        let mut i = Interner::default();
        let (instance, service) = (i.intern("instance"), i.intern("service"));
        for n in 0..5_000 {
            let host = i.intern_value(ValuesOf::Label, &instance, &format!("host-{n}"));
            assert_eq!(&*host, format!("host-{n}"));
            // 200 services, in an order that shows every one of them early.
            i.intern_value(ValuesOf::Label, &service, &format!("svc-{}", n % 200));
        }
        let kept = i.set.len();
        assert!(
            kept < 2 + 200 + 2 * ValueSharing::SAMPLE as usize,
            "hosts past the sample are not kept: {kept} strings"
        );
        let a = i.intern_value(ValuesOf::Label, &service, "svc-7");
        let b = i.intern_value(ValuesOf::Label, &service, "svc-7");
        assert!(Arc::ptr_eq(&a, &b), "services are still shared");
        // An annotation named like the unique label is judged on its own values.
        let x = i.intern_value(ValuesOf::Annotation, &instance, "same text");
        let y = i.intern_value(ValuesOf::Annotation, &instance, "same text");
        assert!(Arc::ptr_eq(&x, &y));
        assert!(i.set.len() <= kept + 1);
    }
}
