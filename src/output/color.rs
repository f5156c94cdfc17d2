//! Colour for terminals (`--color`, `NO_COLOR`): the text views as they are, with ANSI styles
//! added around their parts — layer names, the error mark, `show`'s layer titles and field
//! names. Applied to finished text, so the views themselves stay plain.

use anstyle::{AnsiColor, Style};

const LAYER: Style = AnsiColor::Cyan.on_default();
const ERROR: Style = AnsiColor::Red.on_default().bold();
const TITLE: Style = AnsiColor::Blue.on_default().bold();
const FIELD: Style = AnsiColor::Green.on_default();
const DIM: Style = Style::new().dimmed();

fn paint(style: Style, text: &str, out: &mut String) {
    out.push_str(&style.render().to_string());
    out.push_str(text);
    out.push_str(&style.render_reset().to_string());
}

/// The time (or number) prefix of a summary line, dimmed.
pub fn prefix(text: &str, out: &mut String) {
    paint(DIM, text, out);
}

/// A summary line (`Ether / IP / TCP 192.0.2.1:1 > 192.0.2.2:80 S [!] …`): each layer's name
/// in colour, the error mark and what follows it in red.
pub fn summary(line: &str, out: &mut String) {
    let (body, err) = match line.find(" [!] ") {
        Some(i) => (&line[..i], Some(&line[i..])),
        None => (line, None),
    };
    for (i, seg) in body.split(" / ").enumerate() {
        if i > 0 {
            out.push_str(" / ");
        }
        let (name, rest) = seg.split_at(seg.find(' ').unwrap_or(seg.len()));
        paint(LAYER, name, out);
        out.push_str(rest);
    }
    if let Some(e) = err {
        paint(ERROR, e, out);
    }
}

/// The `show` tree: layer titles and field names in colour, problems in red.
pub fn show(text: &str, out: &mut String) {
    for line in text.split_inclusive('\n') {
        let (l, nl) = match line.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (line, ""),
        };
        let indent = l.len() - l.trim_start().len();
        let (pad, t) = l.split_at(indent);
        out.push_str(pad);
        if t.starts_with("###[") {
            paint(TITLE, t, out);
        } else if t.starts_with("!!!") {
            paint(ERROR, t, out);
        } else if let Some(eq) = t.find(" = ") {
            paint(FIELD, &t[..eq], out);
            out.push_str(&t[eq..]);
        } else {
            out.push_str(t);
        }
        out.push_str(nl);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut esc = false;
        for c in s.chars() {
            match (esc, c) {
                (false, '\x1b') => esc = true,
                (true, 'm') => esc = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn colour_only_adds_styles() {
        let line = "Ether / IP / TCP 192.0.2.1:1 > 192.0.2.2:80 S [!] TCP at 34: bad checksum";
        let mut out = String::new();
        summary(line, &mut out);
        assert_eq!(strip(&out), line);
        assert!(out.contains("\x1b[36mTCP\x1b[0m 192.0.2.1:1"), "{out:?}");
        assert!(out.contains("\x1b[1m\x1b[31m [!] TCP at 34"), "{out:?}");
        let tree = "###[ IP ]###\n  version   = 4\n  ttl       = 64\n!!! IP at byte 0: x\n";
        let mut out = String::new();
        show(tree, &mut out);
        assert_eq!(strip(&out), tree);
        assert!(out.contains("\x1b[32mversion  \x1b[0m = 4"), "{out:?}");
    }
}
