//! Themes: styles for roles, embedded from `themes/*.toml` and overridable by files in
//! `<config>/onduty/themes/`. The only module that knows about colours.

mod builtin;
mod depth;
mod load;
mod role;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use ratatui::style::{Modifier, Style};

pub use depth::ColorDepth;
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

    fn resolve(name: &str, own: &BTreeMap<Role, load::Declared>, depth: ColorDepth) -> Theme {
        let mut styles = HashMap::new();
        let mut unresolved = Vec::new();
        for &role in Role::ALL {
            let mut r = Some(role);
            let mut found = None;
            while let Some(cur) = r {
                if let Some(d) = own.get(&cur) {
                    found = Some(depth::degrade(d.style, d.fallback, depth));
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
    /// The file each user theme came from, named in its errors.
    files: BTreeMap<String, String>,
    /// The colours of the terminal the themes are built for.
    pub depth: ColorDepth,
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
            files: BTreeMap::new(),
            depth: ColorDepth::TrueColor,
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
                    let file = path.display().to_string();
                    catalog.files.insert(name.to_string(), file);
                }
                Err(e) => catalog
                    .errors
                    .push(format!("theme '{}': {e}", path.display())),
            }
        }
        catalog
    }

    /// The same themes, built for a terminal with `depth` colours.
    pub fn for_depth(self, depth: ColorDepth) -> ThemeCatalog {
        ThemeCatalog { depth, ..self }
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
            let origin = self.files.get(n).unwrap_or(n);
            roles.extend(load::parse(origin, text)?);
        }
        Ok(Arc::new(Theme::resolve(name, &roles, self.depth)))
    }

    /// What is wrong with the user's theme files and with the theme `selected` (asked for by
    /// `key`, e.g. "config 'PATH': key 'theme'"): what `onduty check` reports, and what
    /// would stop the dashboard.
    pub fn problems(&self, selected: &str, key: &str) -> Vec<String> {
        let mut problems = self.errors.clone();
        for name in self.files.keys().filter(|n| *n != selected) {
            if let Err(e) = self.get(name) {
                problems.push(e);
            }
        }
        if let Err(e) = self.get(selected) {
            problems.push(format!("{key} = '{selected}': {e}"));
        }
        problems
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
    fn on_16_and_8_colours_every_theme_keeps_within_them() {
        use ratatui::style::Color;
        for depth in [ColorDepth::Ansi16, ColorDepth::Ansi8] {
            let catalog = ThemeCatalog::embedded().for_depth(depth);
            for name in catalog.names() {
                let theme = catalog.get(name).unwrap();
                assert!(theme.unresolved.is_empty());
                for &role in Role::ALL {
                    let s = theme.style(role);
                    for c in [s.fg, s.bg].into_iter().flatten() {
                        assert!(
                            !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                            "{name} {role:?} at {depth:?}: {c:?}"
                        );
                    }
                    if depth == ColorDepth::Ansi8 {
                        assert!(
                            !matches!(
                                s.bg,
                                Some(Color::DarkGray | Color::LightBlue | Color::White)
                            ),
                            "{name} {role:?}: a bright background at 8 colours"
                        );
                    }
                }
                // The header and the selection still stand out from the text.
                assert_ne!(
                    theme.style(Role::Selection),
                    theme.style(Role::Text),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn declared_fallbacks_are_used_on_16_colours() {
        use ratatui::style::Color;
        let catalog = ThemeCatalog::embedded().for_depth(ColorDepth::Ansi16);
        let default = catalog.get("default").unwrap();
        assert_eq!(default.style(Role::Header).bg, Some(Color::Blue));
        assert_eq!(default.style(Role::Selection).bg, Some(Color::Blue));
        let light = catalog.get("light").unwrap();
        assert_eq!(light.style(Role::Selection).bg, Some(Color::Cyan));
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
        for depth in [ColorDepth::TrueColor, ColorDepth::Ansi16, ColorDepth::Ansi8] {
            let catalog = ThemeCatalog::embedded().for_depth(depth);
            let theme = catalog.get("colorblind").unwrap();
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
                    "{role:?} at {depth:?}: {fg:?}"
                );
            }
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
