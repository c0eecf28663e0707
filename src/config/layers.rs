//! Layering of TOML documents: the embedded default, then the user file, then environment and
//! command-line overrides. Tables merge key by key; anything else (arrays included) replaces.

use toml::{Table, Value};

/// The embedded default config, commented as `onduty init` writes it.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// The default config with its settings uncommented: the lowest layer. Lines starting with
/// "# " hold settings; lines starting with "##" are prose and stay comments.
pub fn uncommented_default() -> String {
    DEFAULT_TOML
        .lines()
        .map(|l| {
            if l.starts_with("##") {
                l
            } else {
                l.strip_prefix("# ").unwrap_or(l)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Merges `over` into `base`: tables key by key, other values replaced.
pub fn merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_merge_and_arrays_replace() {
        let mut base: Table =
            toml::from_str("a = 1\n[t]\nx = 1\ny = 2\n[[s]]\nn = 'demo'").unwrap();
        let over: Table = toml::from_str("[t]\ny = 3\n[[s]]\nn = 'prod'").unwrap();
        merge(&mut base, over);
        assert_eq!(base["a"].as_integer(), Some(1));
        assert_eq!(base["t"]["x"].as_integer(), Some(1));
        assert_eq!(base["t"]["y"].as_integer(), Some(3));
        assert_eq!(base["s"].as_array().map(|a| a.len()), Some(1));
        assert_eq!(base["s"][0]["n"].as_str(), Some("prod"));
    }
}
