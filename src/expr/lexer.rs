//! The expression lexer: Python-like tokens (names, integers, string and bytes literals with
//! their escapes, punctuation), each with its span for diagnostics.

use super::*;

/// Nesting deeper than this (lists in tuples in layers …) is refused rather than recursed into.
pub(super) const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Name(String),
    /// An integer literal's magnitude (the sign is a separate `Minus`).
    Int(u128),
    /// A decimal literal's text (`1.5`, `3913056000.25`), underscores removed.
    Decimal(String),
    Str(String),
    Bytes(Vec<u8>),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Eq,
    Slash,
    Minus,
    /// Any other character: the parser says what it expected instead.
    Other(char),
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Span,
}

pub(super) struct Lexer<'a> {
    pub(super) src: &'a str,
    /// Always on a `char` boundary.
    pub(super) pos: usize,
}

/// A string or bytes literal being decoded.
enum Buf {
    Str(String),
    Bytes(Vec<u8>),
}

impl Buf {
    /// Appends a literal character (bytes literals only ever pass ASCII here).
    fn push_char(&mut self, c: char) {
        match self {
            Buf::Str(s) => s.push(c),
            Buf::Bytes(b) => {
                let mut tmp = [0; 4];
                b.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
    /// Appends the character or byte an escape stands for (`v` checked by the caller: at most
    /// 0xff for bytes, a valid scalar value for strings).
    fn push_code(&mut self, v: u32) {
        match self {
            Buf::Str(s) => s.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER)),
            Buf::Bytes(b) => b.push(v as u8),
        }
    }
    fn is_bytes(&self) -> bool {
        matches!(self, Buf::Bytes(_))
    }
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Advances over characters while `f` holds; returns where the run started.
    fn eat_while(&mut self, f: impl Fn(char) -> bool) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        start
    }

    fn slice(&self, span: &Span) -> &str {
        self.src.get(span.clone()).unwrap_or("")
    }

    pub(super) fn next_token(&mut self) -> Result<Token, Diagnostic> {
        self.eat_while(char::is_whitespace);
        let start = self.pos;
        let Some(c) = self.bump() else {
            return Ok(Token {
                tok: Tok::Eof,
                span: start..start,
            });
        };
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '=' => Tok::Eq,
            '/' => Tok::Slash,
            '-' => Tok::Minus,
            '"' | '\'' => {
                self.pos = start;
                return self.string(start, false, false);
            }
            '0'..='9' => {
                self.pos = start;
                return self.int(start);
            }
            c if is_name_start(c) => {
                self.eat_while(is_name_char);
                let word = self.slice(&(start..self.pos));
                if matches!(self.peek(), Some('"' | '\''))
                    && let Some((bytes, raw, fmt)) = string_prefix(word)
                {
                    if fmt {
                        return Err(Diagnostic::new(
                            start..self.pos,
                            "f-strings are not supported",
                        )
                        .with_help("write the text itself: \"…\""));
                    }
                    return self.string(start, bytes, raw);
                }
                Tok::Name(word.to_string())
            }
            c => Tok::Other(c),
        };
        Ok(Token {
            tok,
            span: start..self.pos,
        })
    }

    /// An integer literal (at `start`, a digit): Python's forms, underscores between digits.
    fn int(&mut self, start: usize) -> Result<Token, Diagnostic> {
        self.eat_while(is_name_char);
        let end = self.pos;
        if self.peek() == Some('.') {
            self.eat_while(|c| c == '.' || is_name_char(c));
            let span = start..self.pos;
            let text = self.slice(&span);
            let digits =
                |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'_');
            if let Some((int, frac)) = text.split_once('.')
                && digits(int)
                && (frac.is_empty() || digits(frac))
                && !int.starts_with('_')
                && !text.contains("__")
                && !text.contains("_.")
                && !text.contains("._")
                && !text.ends_with('_')
            {
                return Ok(Token {
                    tok: Tok::Decimal(text.replace('_', "")),
                    span,
                });
            }
            let quad = text.split('.').count() == 4
                && text
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            return Err(if quad {
                Diagnostic::new(span, "an IPv4 address must be quoted")
                    .with_help(format!("write it as a string: \"{text}\""))
            } else {
                Diagnostic::new(span, "floating-point numbers are not supported")
            });
        }
        let word = self.slice(&(start..end));
        let (radix, skip, kind) = match word.get(..2) {
            Some("0x" | "0X") => (16, 2, "hexadecimal"),
            Some("0o" | "0O") => (8, 2, "octal"),
            Some("0b" | "0B") => (2, 2, "binary"),
            _ => (10, 0, "decimal"),
        };
        let mut value: u128 = 0;
        let mut digits = 0;
        let mut overflow = false;
        let mut prev_underscore = false;
        for (i, c) in word.char_indices().skip(skip) {
            let at = start + i..start + i + c.len_utf8();
            if c == '_' {
                // One underscore between digits, or right after the base prefix.
                if prev_underscore || (digits == 0 && skip == 0) {
                    return Err(Diagnostic::new(at, "invalid underscore in integer literal")
                        .with_help("underscores go singly between digits: 1_000"));
                }
                prev_underscore = true;
                continue;
            }
            let Some(d) = c.to_digit(radix) else {
                return Err(Diagnostic::new(
                    at,
                    format!("invalid digit '{c}' in {kind} literal"),
                ));
            };
            prev_underscore = false;
            digits += 1;
            match value
                .checked_mul(radix as u128)
                .and_then(|v| v.checked_add(d as u128))
            {
                Some(v) => value = v,
                None => overflow = true,
            }
        }
        let span = start..end;
        if digits == 0 {
            return Err(Diagnostic::new(
                span,
                format!("{kind} literal has no digits"),
            ));
        }
        if prev_underscore {
            let at = end - 1..end;
            return Err(Diagnostic::new(at, "invalid underscore in integer literal")
                .with_help("underscores go singly between digits: 1_000"));
        }
        if overflow {
            return Err(Diagnostic::new(span, "integer literal too large"));
        }
        if radix == 10 && value != 0 && word.starts_with('0') {
            return Err(Diagnostic::new(
                span,
                "leading zeros in decimal integer literals are not permitted",
            )
            .with_help(format!(
                "use an 0o prefix for octal integers (0o{}), or drop the zeros",
                word.trim_start_matches(['0', '_'])
            )));
        }
        Ok(Token {
            tok: Tok::Int(value),
            span,
        })
    }

    /// A string or bytes literal whose prefix (if any) starts at `start`; the lexer is at the
    /// opening quote.
    fn string(&mut self, start: usize, bytes: bool, raw: bool) -> Result<Token, Diagnostic> {
        let Some(quote) = self.bump() else {
            return Err(Diagnostic::new(start..self.pos, "unterminated string"));
        };
        let opening = start..self.pos;
        let unterminated = || {
            Diagnostic::new(opening.clone(), "unterminated string")
                .with_help(format!("close it with {quote}"))
        };
        let mut buf = if bytes {
            Buf::Bytes(Vec::new())
        } else {
            Buf::Str(String::new())
        };
        loop {
            let at = self.pos;
            let c = self.bump().ok_or_else(unterminated)?;
            match c {
                c if c == quote => break,
                '\n' | '\r' => return Err(unterminated()),
                '\\' if raw => {
                    // Raw: the backslash stays, and hides the next character (even a quote).
                    let d = self.bump().ok_or_else(unterminated)?;
                    self.check_ascii(&buf, d, self.pos - d.len_utf8())?;
                    buf.push_char('\\');
                    buf.push_char(d);
                }
                '\\' => self.escape(at, &mut buf, &unterminated)?,
                c => {
                    self.check_ascii(&buf, c, at)?;
                    buf.push_char(c);
                }
            }
        }
        let tok = match buf {
            Buf::Str(s) => Tok::Str(s),
            Buf::Bytes(b) => Tok::Bytes(b),
        };
        Ok(Token {
            tok,
            span: start..self.pos,
        })
    }

    fn check_ascii(&self, buf: &Buf, c: char, at: usize) -> Result<(), Diagnostic> {
        if buf.is_bytes() && !c.is_ascii() {
            return Err(Diagnostic::new(
                at..at + c.len_utf8(),
                "bytes can only contain ASCII literal characters",
            )
            .with_help("write other bytes as \\xNN escapes"));
        }
        Ok(())
    }

    /// One escape sequence; `at` is its backslash, already consumed.
    fn escape(
        &mut self,
        at: usize,
        buf: &mut Buf,
        unterminated: &dyn Fn() -> Diagnostic,
    ) -> Result<(), Diagnostic> {
        let d = self.bump().ok_or_else(unterminated)?;
        let simple = match d {
            '\n' => return Ok(()),
            '\r' => {
                if self.peek() == Some('\n') {
                    self.bump();
                }
                return Ok(());
            }
            '\\' | '\'' | '"' => Some(d as u32),
            'a' => Some(7),
            'b' => Some(8),
            'f' => Some(12),
            'n' => Some(10),
            'r' => Some(13),
            't' => Some(9),
            'v' => Some(11),
            _ => None,
        };
        if let Some(v) = simple {
            buf.push_code(v);
            return Ok(());
        }
        match d {
            '0'..='7' => {
                let mut v = d as u32 - '0' as u32;
                for _ in 0..2 {
                    match self.peek().and_then(|c| c.to_digit(8)) {
                        Some(o) => {
                            self.bump();
                            v = v * 8 + o;
                        }
                        None => break,
                    }
                }
                if buf.is_bytes() && v > 0o377 {
                    return Err(Diagnostic::new(
                        at..self.pos,
                        "octal escape out of range for bytes",
                    )
                    .with_help("a byte is at most \\377 (\\xff)"));
                }
                buf.push_code(v);
            }
            'x' => {
                let v = self.hex_digits(at, 2, "truncated \\xNN escape")?;
                buf.push_code(v);
            }
            'u' | 'U' if !buf.is_bytes() => {
                let (n, what) = if d == 'u' {
                    (4, "truncated \\uXXXX escape")
                } else {
                    (8, "truncated \\UXXXXXXXX escape")
                };
                let v = self.hex_digits(at, n, what)?;
                if char::from_u32(v).is_none() {
                    return Err(Diagnostic::new(
                        at..self.pos,
                        "escape is not a Unicode scalar value",
                    ));
                }
                buf.push_code(v);
            }
            'N' if !buf.is_bytes() => {
                return Err(Diagnostic::new(
                    at..self.pos,
                    "named Unicode escapes (\\N{…}) are not supported",
                )
                .with_help("write the character itself, or \\uXXXX"));
            }
            d => {
                let what = if buf.is_bytes() { " in bytes" } else { "" };
                return Err(Diagnostic::new(
                    at..self.pos,
                    format!("invalid escape sequence '\\{d}'{what}"),
                )
                .with_help("write '\\\\' for a backslash"));
            }
        }
        Ok(())
    }

    /// Exactly `n` hex digits (the escape at `at` is being read).
    fn hex_digits(&mut self, at: usize, n: usize, what: &str) -> Result<u32, Diagnostic> {
        let mut v = 0u32;
        for _ in 0..n {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(h) => {
                    self.bump();
                    v = v * 16 + h;
                }
                None => return Err(Diagnostic::new(at..self.pos, what)),
            }
        }
        Ok(v)
    }
}

/// Whether `word` is a Python string prefix: `(bytes, raw, f-string)`.
fn string_prefix(word: &str) -> Option<(bool, bool, bool)> {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "b" => Some((true, false, false)),
        "r" => Some((false, true, false)),
        "u" => Some((false, false, false)),
        "br" | "rb" => Some((true, true, false)),
        "f" | "fr" | "rf" => Some((false, false, true)),
        _ => None,
    }
}
