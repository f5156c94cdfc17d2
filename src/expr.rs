//! Packet expressions: the text a scapy user types in Python, typed from a shell instead —
//! `IP(dst="192.0.2.1", ttl=3)/TCP(dport=80, flags="S")/"payload"` — parsed into a syntax
//! tree with byte spans, and the diagnostics for bad input.
//!
//! Two stages, both pure (no I/O, no building):
//! - [`parse`] checks the syntax only and yields an [`Expr`];
//! - [`check_names`] checks every layer name and argument name against the protocol tables of
//!   [`crate::layers`], with "did you mean" suggestions.
//!
//! The grammar is a small Python subset:
//!
//! ```text
//! expression := layer ( '/' layer )*
//! layer      := Name [ '(' [ arg ( ',' arg )* [','] ] ')' ] | string | bytes
//! arg        := Name '=' value
//! value      := ['-'] integer | string | bytes | None | True | False
//!             | '[' [ value ( ',' value )* [','] ] ']'          (list)
//!             | '(' ')' | '(' value ',' [ value ( ',' value )* [','] ] ')'   (tuple)
//!             | '(' value ')'                                   (just the value)
//!             | Name [ '(' args ')' ]                           (a layer used as a value)
//! ```
//!
//! Integers are Python's (`80`, `0x50`, `0o120`, `0b1010000`, `1_000`); strings and bytes take
//! Python's quotes, prefixes (`b`, `r`, `u`, combined as Python allows) and escapes (`\n \t \\
//! \' \" \a \b \f \v \r \xNN \ooo`, plus `\uXXXX \UXXXXXXXX` in strings). An escape Python
//! does not know is an error here (Python keeps the backslash with a warning). A bare `Name`
//! stands for `Name()`, and a bare string or bytes literal is a `Raw` layer with that `load`.
//!
//! Diagnostics are rendered with the `annotate-snippets` crate, the renderer rustc itself uses:
//! its plain output is the familiar rustc layout (source line, `^^^` under the span, `= help:`),
//! it measures columns itself (tabs, wide characters), it also renders in colour for terminals
//! ([`Diagnostic::render_styled`]), and it adds little to the build (`anstyle`, already pulled
//! in by clap, and `unicode-width`). `ariadne` draws heavier boxed reports and brings more
//! dependencies, for one-line inputs that gain nothing from them.

use std::fmt;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::layers::{self, Proto, ip, ipv6};

/// A byte range into the parsed text; always on `char` boundaries.
pub type Span = std::ops::Range<usize>;

/// A parsed packet expression: the layers joined by `/`, bottom first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub layers: Vec<LayerExpr>,
}

/// One layer: `Name`, `Name(field=value, …)`, or a bare literal standing for a `Raw` layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerExpr {
    /// The class name as written (`"Raw"` for a bare literal).
    pub name: String,
    /// Where the name is (for a bare literal: the literal).
    pub name_span: Span,
    /// The whole layer, name through its closing `)`.
    pub span: Span,
    /// The arguments in source order (none for a bare literal).
    pub args: Vec<Arg>,
    /// For a bare literal (`IP()/"payload"`): the value of `Raw`'s `load` and its span.
    pub raw: Option<(ValueExpr, Span)>,
}

/// One `field=value` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    pub name_span: Span,
    pub value: ValueExpr,
    pub value_span: Span,
}

/// An argument's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueExpr {
    /// An integer literal with its sign (`-1`, `0x800`).
    Int(i128),
    /// A string literal, escapes resolved.
    Str(String),
    /// A bytes literal (`b"\x00\x01"`), escapes resolved.
    Bytes(Vec<u8>),
    /// Python's `None` (scapy: compute this field).
    None,
    Bool(bool),
    /// `[a, b, …]`, each element with its span.
    List(Vec<(ValueExpr, Span)>),
    /// `(a, b, …)`, each element with its span; `(1,30)` is how scapy writes a range.
    Tuple(Vec<(ValueExpr, Span)>),
    /// A layer or option instance used as a value (`options=[IPOption_NOP()]`).
    Layer(Box<LayerExpr>),
}

/// A problem in the input: where, what, and optionally how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic without help (later stages report their own problems with it too).
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            message: message.into(),
            help: None,
        }
    }

    /// The same diagnostic with this help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic under `src` (the text that was parsed) as plain text, rustc style:
    ///
    /// ```text
    /// error: expected ',' or ')'
    ///   |
    /// 1 | IP(dst="1.2.3.4" ttl=3)
    ///   |                  ^^^
    ///   |
    ///   = help: separate arguments with ','
    /// ```
    ///
    /// A span outside `src` is clamped to it, so any text may be passed.
    pub fn render(&self, src: &str) -> String {
        self.render_with(src, Renderer::plain())
    }

    /// [`Diagnostic::render`] with terminal colours (ANSI escapes).
    pub fn render_styled(&self, src: &str) -> String {
        self.render_with(src, Renderer::styled())
    }

    fn render_with(&self, src: &str, renderer: Renderer) -> String {
        let span = clamp_span(&self.span, src);
        let snippet = Snippet::source(src)
            .line_start(1)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(span));
        let mut group = Level::ERROR
            .primary_title(self.message.as_str())
            .element(snippet);
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        renderer.render(&[group])
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// `span` moved inside `src` and onto `char` boundaries.
fn clamp_span(span: &Span, src: &str) -> Span {
    let mut start = span.start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, src.len());
    while !src.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Parses a packet expression (syntax only; see [`check_names`] for the names).
pub fn parse(src: &str) -> Result<Expr, Diagnostic> {
    let mut p = Parser {
        lx: Lexer { src, pos: 0 },
        peeked: None,
    };
    let mut layers = vec![p.layer(0, true)?];
    loop {
        let t = p.next()?;
        match t.tok {
            Tok::Slash => layers.push(p.layer(0, true)?),
            Tok::Eof => break,
            _ => {
                return Err(Diagnostic::new(t.span, "expected '/' or the end")
                    .with_help("layers are stacked with '/': IP()/TCP()"));
            }
        }
    }
    Ok(Expr { layers })
}

// ---------------------------------------------------------------------------------------------
// Lexer

/// Nesting deeper than this (lists in tuples in layers …) is refused rather than recursed into.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Name(String),
    /// An integer literal's magnitude (the sign is a separate `Minus`).
    Int(u128),
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
struct Token {
    tok: Tok,
    span: Span,
}

struct Lexer<'a> {
    src: &'a str,
    /// Always on a `char` boundary.
    pos: usize,
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

    fn next_token(&mut self) -> Result<Token, Diagnostic> {
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

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser<'a> {
    lx: Lexer<'a>,
    peeked: Option<Token>,
}

/// What a bare name means in value position.
fn keyword(name: &str) -> Option<ValueExpr> {
    match name {
        "None" => Some(ValueExpr::None),
        "True" => Some(ValueExpr::Bool(true)),
        "False" => Some(ValueExpr::Bool(false)),
        _ => None,
    }
}

const LAYER_HELP: &str =
    "a layer is a name like TCP or TCP(dport=80), or a string or bytes literal (a Raw payload)";
const VALUE_HELP: &str = "a value is an integer, a \"string\", b\"bytes\", None, True, False, \
     a [list], a (tuple,) or a layer such as IPOption_NOP()";

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Token, Diagnostic> {
        let t = match self.peeked.take() {
            Some(t) => t,
            None => self.lx.next_token()?,
        };
        Ok(self.peeked.insert(t))
    }

    fn next(&mut self) -> Result<Token, Diagnostic> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lx.next_token(),
        }
    }

    fn at(&mut self, tok: &Tok) -> Result<bool, Diagnostic> {
        Ok(&self.peek()?.tok == tok)
    }

    /// A hint for a token found where something else was expected.
    fn found_hint(t: &Token) -> Option<&'static str> {
        match t.tok {
            Tok::Other(':') | Tok::Other('.') => Some(
                "addresses and other text are strings: quote them, \
                 e.g. dst=\"ff:ff:ff:ff:ff:ff\" or dst=\"2001:db8::1\"",
            ),
            _ => None,
        }
    }

    /// A layer: at the top (`top`), or as a value inside `depth` levels of nesting.
    fn layer(&mut self, depth: usize, top: bool) -> Result<LayerExpr, Diagnostic> {
        let t = self.next()?;
        match t.tok {
            Tok::Name(name) if keyword(&name).is_none() => self.layer_rest(name, t.span, depth),
            Tok::Str(s) if top => Ok(raw_layer(ValueExpr::Str(s), t.span)),
            Tok::Bytes(b) if top => Ok(raw_layer(ValueExpr::Bytes(b), t.span)),
            _ => {
                let help = Self::found_hint(&t).unwrap_or(LAYER_HELP);
                Err(Diagnostic::new(t.span, "expected a layer name").with_help(help))
            }
        }
    }

    /// The optional argument list after a layer's name.
    fn layer_rest(
        &mut self,
        name: String,
        name_span: Span,
        depth: usize,
    ) -> Result<LayerExpr, Diagnostic> {
        let mut layer = LayerExpr {
            name,
            span: name_span.clone(),
            name_span,
            args: Vec::new(),
            raw: None,
        };
        if !self.at(&Tok::LParen)? {
            return Ok(layer);
        }
        self.next()?;
        loop {
            let t = self.next()?;
            let (name, name_span) = match t.tok {
                Tok::RParen => {
                    layer.span.end = t.span.end;
                    return Ok(layer);
                }
                Tok::Name(n) if keyword(&n).is_none() => (n, t.span),
                _ => {
                    let help = if matches!(t.tok, Tok::Eof) {
                        format!("the '(' after {} is never closed", layer.name)
                    } else if matches!(t.tok, Tok::Eq | Tok::Other(_) | Tok::Comma) {
                        "arguments are written field=value, e.g. ttl=64".to_string()
                    } else if layer.name == "Raw" {
                        "arguments are given by name: Raw(load=…)".to_string()
                    } else {
                        format!("arguments are given by name: {}(field=value)", layer.name)
                    };
                    return Err(Diagnostic::new(t.span, "expected a field name").with_help(help));
                }
            };
            if layer.args.iter().any(|a| a.name == name) {
                return Err(
                    Diagnostic::new(name_span, format!("field '{name}' given twice"))
                        .with_help(format!("give {name} once")),
                );
            }
            let t = self.next()?;
            if t.tok != Tok::Eq {
                return Err(Diagnostic::new(t.span, "expected '='")
                    .with_help(format!("arguments are written field=value: {name}=…")));
            }
            let (value, value_span) = self.value(depth + 1)?;
            layer.args.push(Arg {
                name,
                name_span,
                value,
                value_span,
            });
            let t = self.next()?;
            match t.tok {
                Tok::Comma => {}
                Tok::RParen => {
                    layer.span.end = t.span.end;
                    return Ok(layer);
                }
                _ => {
                    let help = match &t.tok {
                        Tok::Eof => format!("the '(' after {} is never closed", layer.name),
                        Tok::Name(_) => "separate arguments with ','".to_string(),
                        _ => Self::found_hint(&t)
                            .unwrap_or("close the arguments with ')'")
                            .to_string(),
                    };
                    return Err(Diagnostic::new(t.span, "expected ',' or ')'").with_help(help));
                }
            }
        }
    }

    /// A value, inside `depth` levels of nesting.
    fn value(&mut self, depth: usize) -> Result<(ValueExpr, Span), Diagnostic> {
        let t = self.next()?;
        if depth > MAX_DEPTH {
            return Err(Diagnostic::new(t.span, "nesting too deep"));
        }
        let start = t.span.start;
        let v = match t.tok {
            Tok::Int(m) => (int_value(m, false, &t.span)?, t.span),
            Tok::Minus => {
                let n = self.next()?;
                let Tok::Int(m) = n.tok else {
                    return Err(Diagnostic::new(n.span, "expected an integer after '-'"));
                };
                let span = start..n.span.end;
                (int_value(m, true, &span)?, span)
            }
            Tok::Str(s) => (ValueExpr::Str(s), t.span),
            Tok::Bytes(b) => (ValueExpr::Bytes(b), t.span),
            Tok::Name(name) => match keyword(&name) {
                Some(k) => (k, t.span),
                None => {
                    let l = self.layer_rest(name, t.span, depth)?;
                    let span = l.span.clone();
                    (ValueExpr::Layer(Box::new(l)), span)
                }
            },
            Tok::LBracket => {
                let (items, end, _) = self.sequence(depth, Tok::RBracket, "']'")?;
                (ValueExpr::List(items), start..end)
            }
            Tok::LParen => {
                let (mut items, end, comma) = self.sequence(depth, Tok::RParen, "')'")?;
                if items.len() == 1 && !comma {
                    // `(x)` is x, as in Python.
                    let (v, _) = items.remove(0);
                    (v, start..end)
                } else {
                    (ValueExpr::Tuple(items), start..end)
                }
            }
            _ => {
                let help = Self::found_hint(&t).unwrap_or(VALUE_HELP);
                return Err(Diagnostic::new(t.span, "expected a value").with_help(help));
            }
        };
        Ok(v)
    }

    /// The elements of a list or tuple up to `close` (the opener is consumed): the elements,
    /// the end of the closer, and whether a comma was seen.
    #[allow(clippy::type_complexity)]
    fn sequence(
        &mut self,
        depth: usize,
        close: Tok,
        close_text: &str,
    ) -> Result<(Vec<(ValueExpr, Span)>, usize, bool), Diagnostic> {
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            if self.at(&close)? {
                let t = self.next()?;
                return Ok((items, t.span.end, comma));
            }
            items.push(self.value(depth + 1)?);
            let t = self.next()?;
            if t.tok == close {
                return Ok((items, t.span.end, comma));
            }
            if t.tok != Tok::Comma {
                let help = Self::found_hint(&t).unwrap_or("separate the elements with ','");
                return Err(
                    Diagnostic::new(t.span, format!("expected ',' or {close_text}"))
                        .with_help(help),
                );
            }
            comma = true;
        }
    }
}

/// A bare literal as a layer: `Raw` with that `load`.
fn raw_layer(value: ValueExpr, span: Span) -> LayerExpr {
    LayerExpr {
        name: "Raw".to_string(),
        name_span: span.clone(),
        span: span.clone(),
        args: Vec::new(),
        raw: Some((value, span)),
    }
}

/// An integer from its magnitude and sign, if an `i128` holds it.
fn int_value(magnitude: u128, negative: bool, span: &Span) -> Result<ValueExpr, Diagnostic> {
    let v = if negative {
        0i128.checked_sub_unsigned(magnitude)
    } else {
        i128::try_from(magnitude).ok()
    };
    v.map(ValueExpr::Int)
        .ok_or_else(|| Diagnostic::new(span.clone(), "integer out of range"))
}

// ---------------------------------------------------------------------------------------------
// Names

/// The option classes, which are protocols but not layers of [`layers::all`]: they appear only
/// as values (`IP(options=[IPOption_NOP()])`, `IPv6ExtHdrHopByHop(options=[PadN()])`).
pub fn option_protos() -> &'static [&'static Proto] {
    static OPTIONS: &[&Proto] = &[
        &ip::OPT_EOL,
        &ip::OPT_NOP,
        &ip::OPT_ROUTER_ALERT,
        &ip::OPT_GENERIC,
        &ipv6::PAD1,
        &ipv6::PADN,
        &ipv6::ROUTER_ALERT,
        &ipv6::JUMBO,
        &ipv6::HAO,
        &ipv6::UNKNOWN_OPT,
    ];
    OPTIONS
}

/// The protocol a name stands for in value position: a layer or an option class.
pub fn value_proto_by_name(name: &str) -> Option<&'static Proto> {
    layers::by_name(name).or_else(|| option_protos().iter().copied().find(|p| p.name == name))
}

/// Checks every layer name (top-level and nested values) against [`layers::by_name`] (plus
/// [`option_protos`] in value position) and every argument name against that protocol's
/// fields. The first problem in source order is returned.
pub fn check_names(expr: &Expr) -> Result<(), Diagnostic> {
    for l in &expr.layers {
        check_layer(l, true)?;
    }
    Ok(())
}

fn check_layer(l: &LayerExpr, top: bool) -> Result<(), Diagnostic> {
    if l.raw.is_some() {
        return Ok(());
    }
    let proto = if top {
        layers::by_name(&l.name)
    } else {
        value_proto_by_name(&l.name)
    };
    let Some(proto) = proto else {
        return Err(unknown_layer(l, top));
    };
    for a in &l.args {
        if !proto.fields.iter().any(|f| f.name == a.name) {
            return Err(unknown_field(proto, a));
        }
        check_value(&a.value)?;
    }
    Ok(())
}

fn check_value(v: &ValueExpr) -> Result<(), Diagnostic> {
    match v {
        ValueExpr::Layer(l) => check_layer(l, false),
        ValueExpr::List(items) | ValueExpr::Tuple(items) => {
            items.iter().try_for_each(|(v, _)| check_value(v))
        }
        _ => Ok(()),
    }
}

fn unknown_layer(l: &LayerExpr, top: bool) -> Diagnostic {
    let span = l.name_span.clone();
    if top && let Some(opt) = option_protos().iter().find(|p| p.name == l.name) {
        let host = if opt.name.starts_with("IPOption") {
            "IP"
        } else {
            "IPv6ExtHdrHopByHop"
        };
        return Diagnostic::new(span, format!("{} is an option, not a layer", l.name))
            .with_help(format!("use it as a value: {host}(options=[{}()])", l.name));
    }
    let mut names: Vec<&str> = layers::all().iter().map(|p| p.name).collect();
    if !top {
        names.extend(option_protos().iter().map(|p| p.name));
    }
    let mut help = String::new();
    let close = closest(&l.name, &names);
    if !close.is_empty() {
        help.push_str(&format!("did you mean {}? ", close.join(", ")));
    }
    if !top && l.args.is_empty() && l.span == l.name_span {
        help.push_str(&format!(
            "a string value needs quotes: \"{}\"; ",
            l.name.escape_default()
        ));
    }
    help.push_str("layers: ");
    help.push_str(&names.join(", "));
    Diagnostic::new(span, format!("unknown layer '{}'", l.name)).with_help(help)
}

fn unknown_field(proto: &Proto, a: &Arg) -> Diagnostic {
    let mut fields: Vec<&str> = Vec::new();
    for f in proto.fields {
        if !fields.contains(&f.name) {
            fields.push(f.name);
        }
    }
    let mut help = String::new();
    let close = closest(&a.name, &fields);
    if !close.is_empty() {
        help.push_str(&format!("did you mean {}? ", close.join(", ")));
    }
    if fields.is_empty() {
        help.push_str(&format!("{} has no fields", proto.name));
    } else {
        help.push_str(&format!("fields of {}: {}", proto.name, fields.join(", ")));
    }
    Diagnostic::new(
        a.name_span.clone(),
        format!("{} has no field '{}'", proto.name, a.name),
    )
    .with_help(help)
}

/// The candidates close to `name`, closest first (at most five): by edit distance ignoring
/// case, or sharing a prefix with it.
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let lname: Vec<char> = name.to_lowercase().chars().collect();
    let limit = (lname.len() / 3).max(1);
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .iter()
        .filter_map(|&c| {
            let lc: Vec<char> = c.to_lowercase().chars().collect();
            let d = edit_distance(&lname, &lc);
            let common = lname.iter().zip(&lc).take_while(|(a, b)| a == b).count();
            // One name a prefix of the other (`ICMPv6EchoReq`, `Ethernet`): as good as one edit.
            // (A short name that merely starts the query, like `ICMP` for `ICMPv6EchoReq`, is not.)
            let prefix = common >= 2
                && (common == lname.len() || (common == lc.len() && 2 * lc.len() >= lname.len()));
            let d = if prefix { d.min(1) } else { d };
            (d <= limit || (common >= 2 && d <= 2)).then_some((d, common, c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().take(5).map(|(_, _, c)| c).collect()
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours (`TPC` is one edit from `TCP`).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (i, row) in d.chunks_mut(w).enumerate() {
        if let Some(first) = row.first_mut() {
            *first = i;
        }
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

// ---------------------------------------------------------------------------------------------
// Display: the expression written back in canonical Python form.

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.layers.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write!(f, "{l}")?;
        }
        Ok(())
    }
}

impl fmt::Display for LayerExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((v, _)) = &self.raw {
            return write!(f, "{v}");
        }
        write!(f, "{}(", self.name)?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}={}", a.name, a.value)?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for ValueExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueExpr::Int(v) => write!(f, "{v}"),
            ValueExpr::Str(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c if (c as u32) < 0x100 && (c.is_control() || (c as u32) > 0x7e) => {
                            write!(f, "\\x{:02x}", c as u32)?
                        }
                        c if c.is_control() => write!(f, "\\U{:08x}", c as u32)?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            ValueExpr::Bytes(b) => {
                f.write_str("b\"")?;
                for &x in b {
                    match x {
                        b'"' => f.write_str("\\\"")?,
                        b'\\' => f.write_str("\\\\")?,
                        0x20..=0x7e => write!(f, "{}", x as char)?,
                        _ => write!(f, "\\x{x:02x}")?,
                    }
                }
                f.write_str("\"")
            }
            ValueExpr::None => f.write_str("None"),
            ValueExpr::Bool(true) => f.write_str("True"),
            ValueExpr::Bool(false) => f.write_str("False"),
            ValueExpr::List(items) => {
                f.write_str("[")?;
                for (i, (v, _)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            ValueExpr::Tuple(items) => {
                f.write_str("(")?;
                for (i, (v, _)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                if items.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            ValueExpr::Layer(l) => write!(f, "{l}"),
        }
    }
}

#[cfg(test)]
mod tests;
