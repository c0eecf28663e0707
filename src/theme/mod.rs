//! Themes: styles for roles, embedded from `themes/*.toml` and overridable by files in
//! `<config>/onduty/themes/`. The only module that knows about colours.

mod builtin;
mod load;
mod role;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use ratatui::style::{Modifier, Style};

pub use load::parse as parse_theme;
pub use role::Role;

/// A resolved theme: every role has a style.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Its name.
    pub name: String,
    styles: HashMap<Role, Style>,
    /// Roles that had no style in the theme or its parents, nor through fallbacks.
    pub unresolved: Vec<Role>,
}

impl Theme {
    /// The style of `role`.
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    /// The style of `role` drawn over the selection.
    pub fn selected(&self, role: Role) -> Style {
        self.style(role).patch(self.style(Role::Selection))
    }

    fn resolve(name: &str, own: &BTreeMap<Role, Style>) -> Theme {
        let mut styles = HashMap::new();
        let mut unresolved = Vec::new();
        for &role in Role::ALL {
            let mut r = Some(role);
            let mut found = None;
            while let Some(cur) = r {
                if let Some(s) = own.get(&cur) {
                    found = Some(*s);
                    break;
                }
                r = cur.fallback();
            }
            match found {
                Some(s) => {
                    styles.insert(role, s);
                }
                None => unresolved.push(role),
            }
        }
        styles
            .entry(Role::Selection)
            .or_insert_with(|| Style::default().add_modifier(Modifier::REVERSED));
        Theme {
            name: name.into(),
            styles,
            unresolved,
        }
    }
}

/// Every theme onduty knows: the embedded ones, overridden or extended by the user's files.
#[derive(Clone, Debug, Default)]
pub struct ThemeCatalog {
    sources: BTreeMap<String, String>,
    /// Problems met while loading user themes, for the banner.
    pub errors: Vec<String>,
}

impl ThemeCatalog {
    /// The embedded themes only.
    pub fn embedded() -> ThemeCatalog {
        let sources = builtin::BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        ThemeCatalog {
            sources,
            errors: Vec::new(),
        }
    }

    /// The embedded themes, then every `*.toml` in `dir` (a missing dir is fine).
    pub fn load(dir: &Path) -> ThemeCatalog {
        let mut catalog = ThemeCatalog::embedded();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return catalog;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    catalog.sources.insert(name.to_string(), text);
                }
                Err(e) => catalog
                    .errors
                    .push(format!("theme '{}': {e}", path.display())),
            }
        }
        catalog
    }

    /// The names of every theme.
    pub fn names(&self) -> Vec<&str> {
        self.sources.keys().map(String::as_str).collect()
    }

    /// Builds theme `name`, with its parents' roles under its own.
    pub fn get(&self, name: &str) -> Result<Arc<Theme>, String> {
        let mut chain = Vec::new();
        let mut cur = Some(name.to_string());
        while let Some(n) = cur {
            if chain.contains(&n) {
                return Err(format!("theme '{name}': parent loop through '{n}'"));
            }
            let text = self
                .sources
                .get(&n)
                .ok_or_else(|| format!("no theme '{n}' (known: {})", self.names().join(", ")))?;
            cur = load::parent_of(text);
            chain.push(n);
        }
        let mut roles = BTreeMap::new();
        for n in chain.iter().rev() {
            let text = self.sources.get(n).map(String::as_str).unwrap_or_default();
            roles.extend(load::parse(n, text)?);
        }
        Ok(Arc::new(Theme::resolve(name, &roles)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_theme_resolves_every_role() {
        let catalog = ThemeCatalog::embedded();
        for name in catalog.names() {
            let theme = catalog.get(name).unwrap();
            assert!(
                theme.unresolved.is_empty(),
                "theme {name} leaves {:?} unresolved",
                theme.unresolved
            );
        }
    }

    #[test]
    fn mono_uses_no_colour() {
        let theme = ThemeCatalog::embedded().get("mono").unwrap();
        for &role in Role::ALL {
            let s = theme.style(role);
            assert!(
                s.fg.is_none() && s.bg.is_none(),
                "{role:?} has a colour in mono"
            );
        }
    }

    #[test]
    fn colorblind_severities_avoid_red_and_green() {
        use ratatui::style::Color;
        let theme = ThemeCatalog::embedded().get("colorblind").unwrap();
        for role in [
            Role::SeverityCritical,
            Role::SeverityError,
            Role::SeverityWarning,
            Role::SeverityInfo,
        ] {
            let fg = theme.style(role).fg;
            assert!(
                !matches!(
                    fg,
                    Some(Color::Red | Color::Green | Color::LightRed | Color::LightGreen)
                ),
                "{role:?}: {fg:?}"
            );
        }
    }

    #[test]
    fn user_theme_with_parent_overrides_one_role() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "parent = \"default\"\n[roles]\n\"severity.critical\" = { fg = \"magenta\" }",
        )
        .unwrap();
        let catalog = ThemeCatalog::load(dir.path());
        let mine = catalog.get("mine").unwrap();
        let default = catalog.get("default").unwrap();
        assert_eq!(
            mine.style(Role::SeverityCritical).fg,
            Some(ratatui::style::Color::Magenta)
        );
        assert_eq!(mine.style(Role::Text), default.style(Role::Text));
    }

    #[test]
    fn parent_loops_and_unknown_names_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "parent = \"b\"").unwrap();
        std::fs::write(dir.path().join("b.toml"), "parent = \"a\"").unwrap();
        let catalog = ThemeCatalog::load(dir.path());
        assert!(catalog.get("a").unwrap_err().contains("loop"));
        assert!(catalog.get("nope").unwrap_err().contains("no theme 'nope'"));
    }
}
