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
mod tests {
    use super::*;

    fn p(src: &str) -> Expr {
        match parse(src) {
            Ok(e) => e,
            Err(d) => panic!("{src}: {}", d.render(src)),
        }
    }

    fn err(src: &str) -> Diagnostic {
        match parse(src) {
            Ok(e) => panic!("{src} parsed: {e:?}"),
            Err(d) => d,
        }
    }

    fn name_err(src: &str) -> Diagnostic {
        match check_names(&p(src)) {
            Ok(()) => panic!("{src}: names passed"),
            Err(d) => d,
        }
    }

    /// The span of the first occurrence of `needle` in `src`.
    fn at(src: &str, needle: &str) -> Span {
        let i = src.find(needle).expect("needle");
        i..i + needle.len()
    }

    fn int(v: i128, span: Span) -> (ValueExpr, Span) {
        (ValueExpr::Int(v), span)
    }

    fn s(v: &str) -> ValueExpr {
        ValueExpr::Str(v.to_string())
    }

    /// Renders `d` under the one-line `src` and checks the layout: the message, the source line,
    /// and a caret line with `^` from the span's start through its end.
    fn assert_caret(src: &str, d: &Diagnostic) -> String {
        let out = d.render(src);
        assert!(out.contains(&d.message), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let (i, src_line) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains("| ") && l.ends_with(src) && !src.is_empty())
            .or_else(|| {
                lines
                    .iter()
                    .enumerate()
                    .find(|(_, l)| l.trim_end() == "1 |")
            })
            .unwrap_or_else(|| panic!("no source line in\n{out}"));
        // The gutter is `1 | `: the text starts two columns after the bar.
        let col0 = src_line.find('|').expect("gutter") + 2;
        let caret_line = lines[i + 1..]
            .iter()
            .find(|l| l.contains('^'))
            .unwrap_or_else(|| panic!("no caret line in\n{out}"));
        let first = caret_line.find('^').expect("caret");
        assert_eq!(first - col0, d.span.start, "caret column in\n{out}");
        let carets = caret_line[first..]
            .chars()
            .take_while(|&c| c == '^')
            .count();
        assert_eq!(carets, d.span.len().max(1), "caret width in\n{out}");
        if let Some(h) = &d.help {
            assert!(out.contains(&format!("help: {h}")), "{out}");
        }
        out
    }

    #[test]
    fn ether_arp() {
        let src = r#"Ether(dst="ff:ff:ff:ff:ff:ff")/ARP(pdst="192.0.2.1")"#;
        let e = p(src);
        assert_eq!(
            e,
            Expr {
                layers: vec![
                    LayerExpr {
                        name: "Ether".into(),
                        name_span: 0..5,
                        span: 0..30,
                        args: vec![Arg {
                            name: "dst".into(),
                            name_span: 6..9,
                            value: s("ff:ff:ff:ff:ff:ff"),
                            value_span: 10..29,
                        }],
                        raw: None,
                    },
                    LayerExpr {
                        name: "ARP".into(),
                        name_span: 31..34,
                        span: 31..52,
                        args: vec![Arg {
                            name: "pdst".into(),
                            name_span: 35..39,
                            value: s("192.0.2.1"),
                            value_span: 40..51,
                        }],
                        raw: None,
                    },
                ]
            }
        );
        assert_eq!(&src[e.layers[1].span.clone()], r#"ARP(pdst="192.0.2.1")"#);
        check_names(&e).unwrap();
    }

    #[test]
    fn ip_tcp_options() {
        let src = r#"IP(dst="192.0.2.10",ttl=3)/TCP(dport=80,flags="S",options=[("MSS",1460),("SAckOK",b"")])"#;
        let e = p(src);
        assert_eq!(e.layers.len(), 2);
        let ip = &e.layers[0];
        assert_eq!(ip.name, "IP");
        assert_eq!(ip.args[0].value, s("192.0.2.10"));
        assert_eq!(ip.args[1].name, "ttl");
        assert_eq!(ip.args[1].value, ValueExpr::Int(3));
        assert_eq!(&src[ip.args[1].value_span.clone()], "3");
        let tcp = &e.layers[1];
        assert_eq!(tcp.args[0].value, ValueExpr::Int(80));
        assert_eq!(tcp.args[1].value, s("S"));
        let opts = &tcp.args[2];
        assert_eq!(opts.name, "options");
        let mss = at(src, r#"("MSS",1460)"#);
        let sack = at(src, r#"("SAckOK",b"")"#);
        assert_eq!(
            opts.value,
            ValueExpr::List(vec![
                (
                    ValueExpr::Tuple(vec![
                        (s("MSS"), at(src, r#""MSS""#)),
                        int(1460, at(src, "1460")),
                    ]),
                    mss
                ),
                (
                    ValueExpr::Tuple(vec![
                        (s("SAckOK"), at(src, r#""SAckOK""#)),
                        (ValueExpr::Bytes(vec![]), at(src, r#"b"""#)),
                    ]),
                    sack
                ),
            ])
        );
        assert_eq!(
            &src[opts.value_span.clone()],
            r#"[("MSS",1460),("SAckOK",b"")]"#
        );
        check_names(&e).unwrap();
    }

    #[test]
    fn more_tcp_options() {
        let src = r#"TCP(options=[("MSS",1460),("SAckOK",b""),("NOP",None),("Timestamp",(1,2))])"#;
        let e = p(src);
        let ValueExpr::List(items) = &e.layers[0].args[0].value else {
            panic!("list")
        };
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[2].0,
            ValueExpr::Tuple(vec![
                (s("NOP"), at(src, r#""NOP""#)),
                (ValueExpr::None, at(src, "None")),
            ])
        );
        assert_eq!(
            items[3].0,
            ValueExpr::Tuple(vec![
                (s("Timestamp"), at(src, r#""Timestamp""#)),
                (
                    ValueExpr::Tuple(vec![int(1, 68..69), int(2, 70..71)]),
                    at(src, "(1,2)")
                ),
            ])
        );
        assert_eq!(&src[70..71], "2");
        check_names(&e).unwrap();
    }

    #[test]
    fn ipv6_echo() {
        let src = r#"IPv6(dst="2001:db8::1")/ICMPv6EchoRequest(id=7,seq=1)"#;
        let e = p(src);
        assert_eq!(e.layers[0].name, "IPv6");
        assert_eq!(e.layers[0].args[0].value, s("2001:db8::1"));
        let echo = &e.layers[1];
        assert_eq!(echo.name, "ICMPv6EchoRequest");
        assert_eq!(echo.name_span, at(src, "ICMPv6EchoRequest"));
        assert_eq!(
            echo.args
                .iter()
                .map(|a| (a.name.as_str(), a.value.clone()))
                .collect::<Vec<_>>(),
            vec![("id", ValueExpr::Int(7)), ("seq", ValueExpr::Int(1))]
        );
        check_names(&e).unwrap();
    }

    #[test]
    fn raw_payload_literals() {
        let src = r#"IP(dst="192.0.2.1")/UDP(dport=53)/"payload""#;
        let e = p(src);
        assert_eq!(e.layers.len(), 3);
        let raw = &e.layers[2];
        let span = at(src, r#""payload""#);
        assert_eq!(
            raw,
            &LayerExpr {
                name: "Raw".into(),
                name_span: span.clone(),
                span: span.clone(),
                args: vec![],
                raw: Some((s("payload"), span)),
            }
        );
        check_names(&e).unwrap();

        let src = r#"IP() / b"\x00\x01" "#;
        let e = p(src);
        assert_eq!(
            e.layers[1].raw,
            Some((ValueExpr::Bytes(vec![0, 1]), at(src, r#"b"\x00\x01""#)))
        );
        // A bare literal as the first layer too, as scapy's __rtruediv__ allows.
        assert_eq!(p("'x'/IP").layers.len(), 2);
    }

    #[test]
    fn ranges_and_lists() {
        let src = "IP(ttl=(1,30))/TCP(dport=[22,80,443])";
        let e = p(src);
        assert_eq!(
            e.layers[0].args[0].value,
            ValueExpr::Tuple(vec![int(1, 8..9), int(30, 10..12)])
        );
        assert_eq!(e.layers[0].args[0].value_span, at(src, "(1,30)"));
        assert_eq!(
            e.layers[1].args[0].value,
            ValueExpr::List(vec![
                int(22, at(src, "22")),
                int(80, at(src, "80")),
                int(443, at(src, "443"))
            ])
        );
        check_names(&e).unwrap();
    }

    #[test]
    fn tuples_like_python() {
        let v = |src: &str| p(&format!("IP(ttl={src})")).layers[0].args[0].value.clone();
        assert_eq!(v("()"), ValueExpr::Tuple(vec![]));
        assert_eq!(v("(5)"), ValueExpr::Int(5));
        assert_eq!(v("(5,)"), ValueExpr::Tuple(vec![int(5, 8..9)]));
        assert_eq!(v("[]"), ValueExpr::List(vec![]));
        assert_eq!(v("[1,]"), ValueExpr::List(vec![int(1, 8..9)]));
        assert_eq!(v("True"), ValueExpr::Bool(true));
        assert_eq!(v("False"), ValueExpr::Bool(false));
        assert_eq!(v("None"), ValueExpr::None);
        // `(x)` keeps the parentheses in its span.
        assert_eq!(p("IP(ttl=(5))").layers[0].args[0].value_span, 7..10);
    }

    #[test]
    fn option_layers_as_values() {
        let src = "IP(options=[IPOption_NOP()])";
        let e = p(src);
        let nop = LayerExpr {
            name: "IPOption_NOP".into(),
            name_span: at(src, "IPOption_NOP"),
            span: at(src, "IPOption_NOP()"),
            args: vec![],
            raw: None,
        };
        assert_eq!(
            e.layers[0].args[0].value,
            ValueExpr::List(vec![(
                ValueExpr::Layer(Box::new(nop)),
                at(src, "IPOption_NOP()")
            )])
        );
        check_names(&e).unwrap();
        for ok in [
            "IP(options=[IPOption_NOP(), IPOption_Router_Alert(alert=0), IPOption_EOL, IPOption(option=7, value=b'ab')])",
            r#"IPv6()/IPv6ExtHdrHopByHop(options=[RouterAlert(), PadN(optdata=b"\0\0"), Pad1(), Jumbo(jumboplen=70000), HAO(hoa="2001:db8::1"), HBHOptUnknown(otype=9)])"#,
            "Raw(load=b'abc')",
            "Ether/IP/TCP",
        ] {
            check_names(&p(ok)).unwrap_or_else(|d| panic!("{}", d.render(ok)));
        }
        let e = p(r#"IPv6ExtHdrHopByHop(options=[RouterAlert(), PadN(optdata=b"\0\0")])"#);
        let ValueExpr::List(items) = &e.layers[0].args[0].value else {
            panic!("list")
        };
        let ValueExpr::Layer(padn) = &items[1].0 else {
            panic!("layer")
        };
        assert_eq!(padn.args[0].value, ValueExpr::Bytes(vec![0, 0]));
    }

    #[test]
    fn integers() {
        let v = |src: &str| match p(&format!("IP(id={src})")).layers[0].args[0].value {
            ValueExpr::Int(v) => v,
            ref o => panic!("{o:?}"),
        };
        assert_eq!(v("0"), 0);
        assert_eq!(v("00"), 0);
        assert_eq!(v("0x1F"), 31);
        assert_eq!(v("0XfF"), 255);
        assert_eq!(v("0o17"), 15);
        assert_eq!(v("0b1010"), 10);
        assert_eq!(v("-1"), -1);
        assert_eq!(v("- 0x10"), -16);
        assert_eq!(v("1_000_000"), 1_000_000);
        assert_eq!(v("0x_ff_ff"), 0xffff);
        assert_eq!(v("0xffffffffffffffff"), u64::MAX as i128);
        assert_eq!(v(&i128::MAX.to_string()), i128::MAX);
        assert_eq!(v(&i128::MIN.to_string()), i128::MIN);
        let src = "IP(id=-x)";
        assert_eq!(err(src).message, "expected an integer after '-'");
        assert_eq!(err(src).span, at(src, "x"));
        for (bad, msg, what) in [
            ("IP(id=1__0)", "invalid underscore in integer literal", "_0"),
            ("IP(id=10_)", "invalid underscore in integer literal", "_)"),
            ("IP(id=0x)", "hexadecimal literal has no digits", "0x"),
            (
                "IP(id=0x1g)",
                "invalid digit 'g' in hexadecimal literal",
                "g",
            ),
            ("IP(id=0o8)", "invalid digit '8' in octal literal", "8"),
            ("IP(id=0b102)", "invalid digit '2' in binary literal", "2"),
            ("IP(id=12ab)", "invalid digit 'a' in decimal literal", "a"),
            (
                "IP(id=017)",
                "leading zeros in decimal integer literals are not permitted",
                "017",
            ),
            (
                "IP(id=340282366920938463463374607431768211456)",
                "integer literal too large",
                "340282366920938463463374607431768211456",
            ),
            (
                "IP(id=170141183460469231731687303715884105728)",
                "integer out of range",
                "170141183460469231731687303715884105728",
            ),
            (
                "IP(id=1.5)",
                "floating-point numbers are not supported",
                "1.5",
            ),
            (
                "IP(dst=10.0.0.1)",
                "an IPv4 address must be quoted",
                "10.0.0.1",
            ),
        ] {
            let d = err(bad);
            assert_eq!(d.message, msg, "{bad}");
            // The span starts at the needle and covers a prefix of it.
            assert_eq!(d.span.start, at(bad, what).start, "{bad}");
            assert!(
                what.starts_with(&bad[d.span.clone()]),
                "{bad}: {:?}",
                d.span
            );
            assert_caret(bad, &d);
        }
        assert_eq!(
            err("IP(dst=10.0.0.1)").help.as_deref(),
            Some("write it as a string: \"10.0.0.1\"")
        );
    }

    #[test]
    fn escapes() {
        let v = |src: &str| {
            p(&format!("Raw(load={src})")).layers[0].args[0]
                .value
                .clone()
        };
        assert_eq!(v(r#""a\nb\tc\\d\'e\"f\x41\0g""#), s("a\nb\tc\\d'e\"fA\0g"));
        assert_eq!(v(r#"'\a\b\f\v\r'"#), s("\x07\x08\x0c\x0b\r"));
        assert_eq!(v(r#"'\101\7\777'"#), s("A\x07\u{1ff}"));
        assert_eq!(v(r#"'\xe9\u00e9\U0001F600'"#), s("éé\u{1F600}"));
        assert_eq!(v(r#""it's""#), s("it's"));
        assert_eq!(v(r#"'say "hi"'"#), s("say \"hi\""));
        assert_eq!(v("'caf\u{e9} ✓'"), s("café ✓"));
        assert_eq!(v("'a\\\nb'"), s("ab"));
        assert_eq!(v(r#"u"x""#), s("x"));
        assert_eq!(v(r#"r"\d\x""#), s("\\d\\x"));
        assert_eq!(v(r#"r'\''"#), s("\\'"));
        assert_eq!(
            v(r#"b"\x00\xff\n\\\0\377A""#),
            ValueExpr::Bytes(vec![0, 0xff, b'\n', b'\\', 0, 0xff, b'A'])
        );
        assert_eq!(v(r#"B'\x7F'"#), ValueExpr::Bytes(vec![0x7f]));
        assert_eq!(v(r#"rb"\x00""#), ValueExpr::Bytes(b"\\x00".to_vec()));
        assert_eq!(v(r#"Br'a'"#), ValueExpr::Bytes(b"a".to_vec()));
        for (bad, msg, what) in [
            (r#"Raw(load="\q")"#, "invalid escape sequence '\\q'", r"\q"),
            (
                r#"Raw(load=b"\u0041")"#,
                "invalid escape sequence '\\u' in bytes",
                r"\u",
            ),
            (r#"Raw(load="\x4")"#, "truncated \\xNN escape", r"\x4"),
            (r#"Raw(load="\u12")"#, "truncated \\uXXXX escape", r"\u12"),
            (
                r#"Raw(load="\ud800")"#,
                "escape is not a Unicode scalar value",
                r"\ud800",
            ),
            (
                r#"Raw(load=b"\777")"#,
                "octal escape out of range for bytes",
                r"\777",
            ),
            (
                r#"Raw(load="\N{DASH}")"#,
                "named Unicode escapes (\\N{…}) are not supported",
                r"\N",
            ),
            (
                r#"Raw(load=b"é")"#,
                "bytes can only contain ASCII literal characters",
                "é",
            ),
            (r#"Raw(load=f"x")"#, "f-strings are not supported", "f"),
        ] {
            let d = err(bad);
            assert_eq!(d.message, msg, "{bad}");
            assert_eq!(d.span, at(bad, what), "{bad}");
        }
    }

    #[test]
    fn display_writes_python_back() {
        for (src, want) in [
            ("Ether/IP( ttl = 3 , )/ 'x'", "Ether()/IP(ttl=3)/\"x\""),
            (
                r#"IP(options=[IPOption_NOP()],id=-0x10)/TCP(options=[("MSS",1460),("NOP",None),("x",(1,))])"#,
                r#"IP(options=[IPOption_NOP()], id=-16)/TCP(options=[("MSS", 1460), ("NOP", None), ("x", (1,))])"#,
            ),
            (
                r#"Raw(load=b"\x00\"\\a")/"q\"\n\x01é""#,
                r#"Raw(load=b"\x00\"\\a")/"q\"\n\x01\xe9""#,
            ),
        ] {
            let e = p(src);
            assert_eq!(e.to_string(), want);
            let again = p(&e.to_string());
            assert_eq!(again.to_string(), want);
        }
    }

    #[test]
    fn error_missing_comma() {
        let src = r#"IP(dst="1.2.3.4" ttl=3)"#;
        let d = err(src);
        assert_eq!(d.message, "expected ',' or ')'");
        assert_eq!(d.span, at(src, "ttl"));
        assert_eq!(d.help.as_deref(), Some("separate arguments with ','"));
        let out = assert_caret(src, &d);
        assert!(out.contains("                  ^^^"), "{out}");
    }

    #[test]
    fn error_unterminated_string() {
        for (src, start) in [
            (r#"IP(dst="1.2.3.4)"#, r#""1.2"#),
            (r#"IP()/b'abc"#, "b'abc"),
            ("IP(dst='x\n')", "'x"),
            (r#"IP(dst="x\"#, r#""x\"#),
        ] {
            let d = err(src);
            assert_eq!(d.message, "unterminated string", "{src:?}");
            assert_eq!(d.span.start, src.find(start).unwrap(), "{src:?}");
            if !src.contains('\n') {
                assert_caret(src, &d);
            }
        }
        let src = r#"IP(dst="1.2.3.4)"#;
        assert_eq!(err(src).span, 7..8);
        assert_eq!(err(r#"IP()/b'abc"#).span, 5..7);
    }

    #[test]
    fn error_field_name() {
        let src = "IP(=3)";
        let d = err(src);
        assert_eq!(d.message, "expected a field name");
        assert_eq!(d.span, 3..4);
        assert_caret(src, &d);
        let d = err("IP(ttl=3,,)");
        assert_eq!(
            (d.message.as_str(), d.span),
            ("expected a field name", 9..10)
        );
        let d = err("Raw('abc')");
        assert_eq!(
            d.help.as_deref(),
            Some("arguments are given by name: Raw(load=…)")
        );
        let d = err("IP(ttl 3)");
        assert_eq!((d.message.as_str(), d.span), ("expected '='", 7..8));
        let d = err("IP(ttl=3, ttl=4)");
        assert_eq!(
            (d.message.as_str(), d.span),
            ("field 'ttl' given twice", 10..13)
        );
        let d = err("IP(None=3)");
        assert_eq!(d.message, "expected a field name");
    }

    #[test]
    fn error_layer_name() {
        let src = "IP()//TCP()";
        let d = err(src);
        assert_eq!(d.message, "expected a layer name");
        assert_eq!(d.span, 5..6);
        assert_caret(src, &d);
        for (src, span) in [
            ("", 0..0),
            ("   ", 3..3),
            ("IP()/", 5..5),
            ("/IP()", 0..1),
            ("IP()/3", 5..6),
            ("IP()/None", 5..9),
            ("IP()/[1]", 5..6),
        ] {
            let d = err(src);
            assert_eq!(
                (d.message.as_str(), d.span.clone()),
                ("expected a layer name", span),
                "{src:?}"
            );
            assert_caret(src, &d);
        }
    }

    #[test]
    fn error_other_positions() {
        for (src, msg, span) in [
            ("IP(ttl=3", "expected ',' or ')'", 8..8),
            ("IP() TCP()", "expected '/' or the end", 5..8),
            ("IP(ttl=)", "expected a value", 7..8),
            ("IP(ttl=[1 2])", "expected ',' or ']'", 10..11),
            ("IP(ttl=(1 2))", "expected ',' or ')'", 10..11),
            ("IP(ttl=[1,2)", "expected ',' or ']'", 11..12),
            ("IP(dst=ff:ff)", "expected ',' or ')'", 9..10),
            ("IP(dst=2001:db8::1)", "expected ',' or ')'", 11..12),
            ("IP(ttl=3;)", "expected ',' or ')'", 8..9),
            ("IP(ttl=3)é", "expected '/' or the end", 9..11),
            ("IP(✓=3)", "expected a field name", 3..6),
        ] {
            let d = err(src);
            assert_eq!((d.message.as_str(), d.span.clone()), (msg, span), "{src:?}");
            if src.is_ascii() {
                assert_caret(src, &d);
            }
        }
        assert!(err("IP(dst=ff:ff)").help.unwrap().contains("quote"));
        let d = err("IP(ttl=3");
        assert_eq!(d.help.as_deref(), Some("the '(' after IP is never closed"));
    }

    #[test]
    fn error_nesting_is_bounded() {
        let deep = format!("IP(x={})", "[".repeat(100_000));
        assert_eq!(err(&deep).message, "nesting too deep");
        let deep = format!("IP(x={})", "(".repeat(100_000));
        assert_eq!(err(&deep).message, "nesting too deep");
        let deep = format!(
            "IP(x={}1{})",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        p(&deep);
        let deep = "IP(x=A(x=".repeat(10_000);
        assert_eq!(err(&deep).message, "nesting too deep");
    }

    #[test]
    fn unknown_layer() {
        let src = "IPP(dst='x')/TCP()";
        let d = name_err(src);
        assert_eq!(d.message, "unknown layer 'IPP'");
        assert_eq!(d.span, 0..3);
        let help = d.help.clone().unwrap();
        assert!(
            help.starts_with("did you mean IP, IPv6? layers: Ether, "),
            "{help}"
        );
        assert!(help.contains("ICMPv6EchoRequest"), "{help}");
        assert_caret(src, &d);

        let src = "Ether()/IP()/TPC(dport=80)";
        let d = name_err(src);
        assert_eq!(
            (d.message.as_str(), d.span),
            ("unknown layer 'TPC'", 13..16)
        );
        assert!(d.help.unwrap().starts_with("did you mean TCP"));
        let d = name_err("Ethernet()");
        assert!(d.help.unwrap().starts_with("did you mean Ether"));
        let d = name_err("ip()/tcp()");
        assert!(d.help.unwrap().starts_with("did you mean IP"));
        let d = name_err("IPv6()/ICMPv6EchoReq()");
        assert!(
            d.help
                .unwrap()
                .starts_with("did you mean ICMPv6EchoRequest")
        );
        let d = name_err("Zzzzzzzz()");
        assert!(d.help.unwrap().starts_with("layers: Ether"));

        // Nested, and an option class at the top.
        let src = "IP(options=[IPOption_NOPE()])";
        let d = name_err(src);
        assert_eq!(
            (d.message.as_str(), d.span.clone()),
            ("unknown layer 'IPOption_NOPE'", 12..25)
        );
        assert!(
            d.help
                .clone()
                .unwrap()
                .starts_with("did you mean IPOption_NOP"),
            "{:?}",
            d.help
        );
        assert!(d.help.clone().unwrap().contains("PadN"));
        assert_caret(src, &d);
        let d = name_err("IPOption_NOP()");
        assert_eq!(d.message, "IPOption_NOP is an option, not a layer");
        assert_eq!(
            d.help.as_deref(),
            Some("use it as a value: IP(options=[IPOption_NOP()])")
        );
        let d = name_err("PadN()");
        assert_eq!(
            d.help.as_deref(),
            Some("use it as a value: IPv6ExtHdrHopByHop(options=[PadN()])")
        );
        let d = name_err("IP(dst=foo)");
        assert_eq!(d.message, "unknown layer 'foo'");
        assert!(
            d.help
                .unwrap()
                .contains("a string value needs quotes: \"foo\"")
        );
    }

    #[test]
    fn unknown_field() {
        let src = "IP(dst='192.0.2.1', tll=3)";
        let d = name_err(src);
        assert_eq!(d.message, "IP has no field 'tll'");
        assert_eq!(d.span, at(src, "tll"));
        assert_eq!(
            d.help.as_deref(),
            Some(
                "did you mean ttl? fields of IP: version, ihl, tos, len, id, flags, frag, ttl, \
                 proto, chksum, src, dst, options"
            )
        );
        let out = assert_caret(src, &d);
        assert!(out.contains("IP has no field 'tll'"));
        let d = name_err("IP()/TCP(options=[('MSS',1)], dprt=1)");
        assert_eq!(d.message, "TCP has no field 'dprt'");
        assert!(d.help.unwrap().starts_with("did you mean dport"));
        let d = name_err("IP(options=[IPOption_Router_Alert(alret=1)])");
        assert_eq!(d.message, "IPOption_Router_Alert has no field 'alret'");
        // Source order: the first problem wins.
        let d = name_err("IP(tll=1)/TPC()");
        assert_eq!(d.message, "IP has no field 'tll'");
    }

    #[test]
    fn same_field_twice_in_a_table_is_fine() {
        // Tables may hold conditional variants of one name; only the set of names matters.
        for p in layers::all().iter().chain(option_protos()) {
            let args: Vec<String> = p.fields.iter().map(|f| format!("{}=1", f.name)).collect();
            let mut seen = Vec::new();
            let args: Vec<&String> = args
                .iter()
                .filter(|a| {
                    let new = !seen.contains(a);
                    seen.push(*a);
                    new
                })
                .collect();
            let src = format!(
                "IP(options=[{}({})])",
                p.name,
                args.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            check_names(&p_ok(&src)).unwrap_or_else(|d| panic!("{}", d.render(&src)));
        }
        fn p_ok(src: &str) -> Expr {
            parse(src).unwrap_or_else(|d| panic!("{}", d.render(src)))
        }
    }

    #[test]
    fn render_shape() {
        let src = r#"IP(dst="1.2.3.4" ttl=3)"#;
        let out = err(src).render(src);
        let want = "error: expected ',' or ')'\n  |\n1 | IP(dst=\"1.2.3.4\" ttl=3)\n  |                  ^^^\n  |\n  = help: separate arguments with ','";
        assert_eq!(out.trim_end(), want, "\n{out}");
        assert!(err(src).render_styled(src).contains("\x1b["));
        // Spans past the text, or inside a character, are clamped.
        let d = Diagnostic::new(3..100, "x");
        assert!(d.render("é").contains("é"));
        let d = Diagnostic::new(1..1, "x");
        assert!(d.render("é").contains("é"));
        #[allow(clippy::reversed_empty_ranges)]
        let d = Diagnostic::new(5..2, "x");
        d.render("abc");
    }

    #[test]
    fn distance() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("", ""), 0);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("", "ab"), 2);
        assert_eq!(d("tpc", "tcp"), 1);
        assert_eq!(d("tll", "ttl"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
    }

    /// xorshift64*, so the fuzz loop is reproducible without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Parses, checks and renders `src`, asserting the invariants that hold for any input.
    fn exercise(src: &str) {
        let check_span = |d: &Diagnostic| {
            assert!(
                d.span.start <= d.span.end && d.span.end <= src.len(),
                "{src:?} {d:?}"
            );
            assert!(src.is_char_boundary(d.span.start), "{src:?} {d:?}");
            assert!(src.is_char_boundary(d.span.end), "{src:?} {d:?}");
            let out = d.render(src);
            assert!(out.contains(&d.message), "{src:?}: {out}");
        };
        match parse(src) {
            Ok(e) => {
                if let Err(d) = check_names(&e) {
                    check_span(&d);
                }
                let text = e.to_string();
                let again = parse(&text).unwrap_or_else(|d| panic!("{src:?} → {text:?}: {d:?}"));
                assert_eq!(again.to_string(), text, "{src:?}");
            }
            Err(d) => check_span(&d),
        }
    }

    #[test]
    fn never_panics() {
        let seeds = [
            r#"Ether(dst="ff:ff:ff:ff:ff:ff")/ARP(pdst="192.0.2.1")"#,
            r#"IP(dst="192.0.2.10",ttl=3)/TCP(dport=80,flags="S",options=[("MSS",1460),("SAckOK",b"")])"#,
            r#"IPv6(dst="2001:db8::1")/ICMPv6EchoRequest(id=7,seq=1)"#,
            r#"IP(dst="192.0.2.1")/UDP(dport=53)/"payload""#,
            "IP(ttl=(1,30))/TCP(dport=[22,80,443])",
            "IP(options=[IPOption_NOP(), IPOption_Router_Alert()])",
            r#"IPv6ExtHdrHopByHop(options=[RouterAlert(), PadN(optdata=b"\0\0")])/b'\xff\x00'"#,
            r#"IP(id=-0x1_f, tos=0o7, frag=0b1)/Raw(load="\u00e9\n\t\\'")"#,
        ];
        let pieces = [
            "IP",
            "TCP",
            "(",
            ")",
            "[",
            "]",
            ",",
            "=",
            "/",
            "-",
            "\"",
            "'",
            "b'",
            "b\"",
            "r'",
            "\\",
            "\\x",
            "\\u",
            "\\U0010ffff",
            "\\777",
            "0x",
            "0o",
            "0b",
            "_",
            "1",
            "9",
            "99999999999999999999999999999999999999999",
            ".",
            ":",
            " ",
            "\n",
            "\t",
            "é",
            "✓",
            "😀",
            "\u{301}",
            "\u{202e}",
            "\0",
            "None",
            "True",
            "ttl",
            "dst",
            "options",
            "IPOption_NOP()",
            "PadN",
            "f'",
            "#",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let n = rng.below(12);
            let s: String = (0..n).map(|_| pieces[rng.below(pieces.len())]).collect();
            exercise(&s);
        }
        for _ in 0..6000 {
            let mut s: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
            for _ in 0..=rng.below(4) {
                let i = rng.below(s.len() + 1);
                match rng.below(4) {
                    0 if i < s.len() => {
                        s.remove(i);
                    }
                    1 => {
                        let piece = pieces[rng.below(pieces.len())];
                        for (k, c) in piece.chars().enumerate() {
                            s.insert(i + k, c);
                        }
                    }
                    2 if i < s.len() => {
                        s[i] = char::from_u32(rng.below(0x3000) as u32).unwrap_or('x')
                    }
                    _ => s.truncate(i),
                }
            }
            exercise(&s.into_iter().collect::<String>());
        }
        // Every prefix of every seed, cut at each character.
        for seed in seeds {
            for (i, _) in seed.char_indices() {
                exercise(&seed[..i]);
            }
        }
    }
}
