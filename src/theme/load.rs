//! Parsing theme files: roles with styles, an optional parent, errors naming file, key, value.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use super::Role;

/// A theme file as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// The theme whose roles fill the gaps.
    #[serde(default)]
    pub parent: Option<String>,
    /// One line of description.
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "read by people; deny_unknown_fields must accept it"
    )]
    pub description: Option<String>,
    /// Role name → style.
    #[serde(default)]
    pub roles: BTreeMap<String, StyleSpec>,
}

/// A style as written: colours by name, `#rrggbb` or 0-255, and modifiers.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    /// Foreground colour.
    #[serde(default)]
    pub fg: Option<String>,
    /// Background colour.
    #[serde(default)]
    pub bg: Option<String>,
    /// Bold.
    #[serde(default)]
    pub bold: bool,
    /// Dim.
    #[serde(default)]
    pub dim: bool,
    /// Italic.
    #[serde(default)]
    pub italic: bool,
    /// Underlined.
    #[serde(default)]
    pub underline: bool,
    /// Reversed video.
    #[serde(default)]
    pub reversed: bool,
    /// The foreground on 16- and 8-colour terminals (else the nearest of `fg`).
    #[serde(default)]
    pub fg16: Option<String>,
    /// The background on 16- and 8-colour terminals (else the nearest of `bg`).
    #[serde(default)]
    pub bg16: Option<String>,
}

/// A role's style as a theme declares it, with what it falls back to on 16 and 8 colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Declared {
    /// The style.
    pub style: Style,
    /// `fg16`/`bg16`, when the theme gives them.
    pub fallback: Option<Style>,
}

/// Parses a theme file. `origin` names it in errors.
pub fn parse(origin: &str, text: &str) -> Result<BTreeMap<Role, Declared>, String> {
    let file: ThemeFile =
        toml::from_str(text).map_err(|e| format!("theme '{origin}': {}", e.message().trim()))?;
    parse_roles(origin, &file).map(|roles| roles.into_iter().collect())
}

/// The parent a theme file names, if any.
pub fn parent_of(text: &str) -> Option<String> {
    toml::from_str::<ThemeFile>(text)
        .ok()
        .and_then(|f| f.parent)
}

fn parse_roles(origin: &str, file: &ThemeFile) -> Result<Vec<(Role, Declared)>, String> {
    file.roles
        .iter()
        .map(|(name, spec)| {
            let role = Role::from_name(name)
                .ok_or_else(|| format!("theme '{origin}': key 'roles.{name}': unknown role"))?;
            let not_a_colour = |(field, value): (&str, String)| format!("theme '{origin}': key 'roles.{name}.{field}' = '{value}': not a colour (use a name, #rrggbb or 0-255)");
            let style = to_style(spec).map_err(not_a_colour)?;
            let fallback = fallback_style(spec).map_err(not_a_colour)?;
            Ok((role, Declared { style, fallback }))
        })
        .collect()
}

fn to_style(spec: &StyleSpec) -> Result<Style, (&'static str, String)> {
    let mut style = Style::default();
    if let Some(fg) = &spec.fg {
        style = style.fg(color(fg).ok_or(("fg", fg.clone()))?);
    }
    if let Some(bg) = &spec.bg {
        style = style.bg(color(bg).ok_or(("bg", bg.clone()))?);
    }
    for (on, m) in [
        (spec.bold, Modifier::BOLD),
        (spec.dim, Modifier::DIM),
        (spec.italic, Modifier::ITALIC),
        (spec.underline, Modifier::UNDERLINED),
        (spec.reversed, Modifier::REVERSED),
    ] {
        if on {
            style = style.add_modifier(m);
        }
    }
    Ok(style)
}

fn fallback_style(spec: &StyleSpec) -> Result<Option<Style>, (&'static str, String)> {
    if spec.fg16.is_none() && spec.bg16.is_none() {
        return Ok(None);
    }
    let mut style = Style::default();
    if let Some(fg) = &spec.fg16 {
        style.fg = Some(color(fg).ok_or(("fg16", fg.clone()))?);
    }
    if let Some(bg) = &spec.bg16 {
        style.bg = Some(color(bg).ok_or(("bg16", bg.clone()))?);
    }
    Ok(Some(style))
}

fn color(s: &str) -> Option<Color> {
    if let Some(hex) = s.strip_prefix('#') {
        let v = u32::from_str_radix(hex, 16)
            .ok()
            .filter(|_| hex.len() == 6)?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(n) = s.parse::<u8>() {
        return Some(Color::Indexed(n));
    }
    let c = match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_modifiers() {
        let roles = parse("t", "[roles]\n\"text.normal\" = { fg = \"#ff8000\", bold = true }\n\"link\" = { fg = \"33\", underline = true }").unwrap();
        assert_eq!(
            roles[&Role::Text].style,
            Style::default()
                .fg(Color::Rgb(255, 128, 0))
                .add_modifier(Modifier::BOLD)
        );
        assert_eq!(roles[&Role::Link].style.fg, Some(Color::Indexed(33)));
        assert_eq!(roles[&Role::Link].fallback, None);
        let roles = parse(
            "t",
            "[roles]\n\"header\" = { bg = \"#1f2430\", bg16 = \"blue\" }",
        )
        .unwrap();
        assert_eq!(
            roles[&Role::Header].fallback,
            Some(Style::default().bg(Color::Blue))
        );
        let e = parse("t", "[roles]\n\"header\" = { bg16 = \"navy\" }").unwrap_err();
        assert!(
            e.contains("roles.header.bg16") && e.contains("'navy'"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_theme_key_and_value() {
        let e = parse("mine", "[roles]\n\"text.normal\" = { fg = \"redish\" }").unwrap_err();
        assert!(
            e.contains("mine") && e.contains("roles.text.normal.fg") && e.contains("'redish'"),
            "{e}"
        );
        let e = parse("mine", "[roles]\n\"text.nope\" = { fg = \"red\" }").unwrap_err();
        assert!(e.contains("unknown role"), "{e}");
    }
}
