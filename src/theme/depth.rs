//! How many colours the terminal shows, and bringing a theme's styles within them: 24-bit
//! colours to the nearest of the 256, and everything to the 16 or 8 of older terminals (the
//! Linux console, GNU screen), where a theme's declared `fg16`/`bg16` go first.

use ratatui::style::{Color, Modifier, Style};

/// The colours a terminal can show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorDepth {
    /// The 8 colours of the Linux console and vt terminals (bold brightens the foreground).
    Ansi8,
    /// The 16 colours of xterm, screen and tmux without a `-256color` TERM.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit colour.
    #[default]
    TrueColor,
}

impl ColorDepth {
    /// Parses a `--colors` value: `truecolor` (or `24bit`), `256`, `16`, `8`.
    pub fn parse(s: &str) -> Option<ColorDepth> {
        match s.trim().to_ascii_lowercase().as_str() {
            "truecolor" | "24bit" | "24-bit" => Some(ColorDepth::TrueColor),
            "256" => Some(ColorDepth::Ansi256),
            "16" => Some(ColorDepth::Ansi16),
            "8" => Some(ColorDepth::Ansi8),
            _ => None,
        }
    }

    /// What `COLORTERM` and `TERM` say the terminal shows. Unknown terminals get 16: every
    /// colour terminal has those.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        if colorterm.is_some_and(|c| matches!(c, "truecolor" | "24bit")) {
            return ColorDepth::TrueColor;
        }
        let term = term.unwrap_or_default();
        if term.contains("256color") || term.contains("direct") {
            ColorDepth::Ansi256
        } else if term == "linux" || term.starts_with("vt") || term == "ansi" {
            ColorDepth::Ansi8
        } else {
            ColorDepth::Ansi16
        }
    }

    /// [`ColorDepth::detect`] on this process's environment.
    pub fn from_env() -> ColorDepth {
        ColorDepth::detect(
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    }

    /// Its name, as `--colors` takes it.
    pub fn name(self) -> &'static str {
        match self {
            ColorDepth::Ansi8 => "8",
            ColorDepth::Ansi16 => "16",
            ColorDepth::Ansi256 => "256",
            ColorDepth::TrueColor => "truecolor",
        }
    }
}

/// `style` brought within `depth`; `fallback` is what the theme declared for 16 and 8 colours.
pub fn degrade(style: Style, fallback: Option<Style>, depth: ColorDepth) -> Style {
    let mut style = style;
    if depth <= ColorDepth::Ansi16
        && let Some(f) = fallback
    {
        style.fg = f.fg.or(style.fg);
        style.bg = f.bg.or(style.bg);
    }
    let mut out = style;
    out.fg = style.fg.map(|c| to_depth(c, depth));
    out.bg = style.bg.map(|c| to_depth(c, depth));
    if depth == ColorDepth::Ansi8 {
        // The console shows a bright foreground as bold; a bright background cannot be shown.
        if let Some(fg) = style.fg.map(|c| to_depth(c, ColorDepth::Ansi16))
            && let Some(base) = base_of_bright(fg)
        {
            out.fg = Some(base);
            out = out.add_modifier(Modifier::BOLD);
        }
        if let Some(bg) = style.bg.map(|c| to_depth(c, ColorDepth::Ansi16)) {
            out.bg = Some(base_of_bright(bg).unwrap_or(bg));
        }
    }
    out
}

fn to_depth(c: Color, depth: ColorDepth) -> Color {
    match (depth, c) {
        (ColorDepth::TrueColor, c) => c,
        (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256(r, g, b)),
        (ColorDepth::Ansi256, c) => c,
        (_, Color::Rgb(r, g, b)) => nearest_16(r, g, b),
        (_, Color::Indexed(n)) if n < 16 => ANSI16[n as usize].0,
        (_, Color::Indexed(n)) => {
            let (r, g, b) = rgb_of_256(n);
            nearest_16(r, g, b)
        }
        (_, c) => c,
    }
}

fn base_of_bright(c: Color) -> Option<Color> {
    Some(match c {
        Color::DarkGray => Color::Black,
        Color::LightRed => Color::Red,
        Color::LightGreen => Color::Green,
        Color::LightYellow => Color::Yellow,
        Color::LightBlue => Color::Blue,
        Color::LightMagenta => Color::Magenta,
        Color::LightCyan => Color::Cyan,
        Color::White => Color::Gray,
        _ => return None,
    })
}

/// The 16 colours with xterm's default values.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| distance(*rgb, (r, g, b)))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// The levels of the 6x6x6 cube in the 256-colour palette.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn rgb_of_256(n: u8) -> (u8, u8, u8) {
    match n {
        0..=15 => ANSI16[n as usize].1,
        16..=231 => {
            let i = n - 16;
            (
                CUBE[(i / 36) as usize],
                CUBE[(i / 6 % 6) as usize],
                CUBE[(i % 6) as usize],
            )
        }
        _ => {
            let v = 8 + (n - 232) * 10;
            (v, v, v)
        }
    }
}

fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    // The cube and the grey ramp only: the first 16 differ between terminals.
    (16..=255u8)
        .min_by_key(|&n| distance(rgb_of_256(n), (r, g, b)))
        .unwrap_or(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_names_the_depth() {
        use ColorDepth::*;
        let d = |ct: Option<&str>, t: &str| ColorDepth::detect(ct, Some(t));
        assert_eq!(d(Some("truecolor"), "xterm-256color"), TrueColor);
        assert_eq!(d(None, "xterm-256color"), Ansi256);
        assert_eq!(d(None, "tmux-256color"), Ansi256);
        assert_eq!(d(None, "xterm"), Ansi16);
        assert_eq!(d(None, "screen"), Ansi16);
        assert_eq!(d(None, "linux"), Ansi8);
        assert_eq!(d(None, "vt220"), Ansi8);
        assert_eq!(ColorDepth::detect(None, None), Ansi16);
        assert_eq!(ColorDepth::parse("24bit"), Some(TrueColor));
        assert_eq!(ColorDepth::parse("12"), None);
    }

    #[test]
    fn rgb_goes_to_the_nearest_of_256_and_of_16() {
        let s = Style::default().fg(Color::Rgb(0x1f, 0x24, 0x30));
        assert_eq!(
            degrade(s, None, ColorDepth::Ansi256).fg,
            Some(Color::Indexed(235))
        );
        assert_eq!(degrade(s, None, ColorDepth::Ansi16).fg, Some(Color::Black));
        let orange = Style::default().fg(Color::Rgb(0xe6, 0x9f, 0x00));
        assert_eq!(
            degrade(orange, None, ColorDepth::Ansi16).fg,
            Some(Color::Yellow)
        );
        let idx = Style::default().bg(Color::Indexed(196));
        assert_eq!(
            degrade(idx, None, ColorDepth::Ansi16).bg,
            Some(Color::LightRed)
        );
        assert_eq!(degrade(orange, None, ColorDepth::TrueColor), orange);
    }

    #[test]
    fn the_declared_fallback_wins_at_16_and_8_only() {
        let s = Style::default().bg(Color::Rgb(0x30, 0x38, 0x48));
        let f = Some(Style::default().bg(Color::Blue));
        assert_eq!(degrade(s, f, ColorDepth::Ansi16).bg, Some(Color::Blue));
        assert_eq!(degrade(s, f, ColorDepth::Ansi8).bg, Some(Color::Blue));
        assert_eq!(
            degrade(s, f, ColorDepth::Ansi256).bg,
            Some(Color::Indexed(237))
        );
    }

    #[test]
    fn eight_colours_show_bright_as_bold_and_never_a_bright_background() {
        let s = Style::default().fg(Color::LightRed).bg(Color::LightBlue);
        let d = degrade(s, None, ColorDepth::Ansi8);
        assert_eq!(d.fg, Some(Color::Red));
        assert_eq!(d.bg, Some(Color::Blue));
        assert!(d.add_modifier.contains(Modifier::BOLD));
        let muted = degrade(
            Style::default().fg(Color::DarkGray),
            None,
            ColorDepth::Ansi8,
        );
        assert_eq!(muted.fg, Some(Color::Black));
        assert!(
            muted.add_modifier.contains(Modifier::BOLD),
            "bold black is grey"
        );
    }
}
