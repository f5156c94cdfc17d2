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
//!             | Name [ '(' args ')' ] ( '/' layer )+            (a packet and its payload)
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
    /// A decimal literal's text with its sign (`0.5`, `-1.25`): only fixed-point fields take
    /// one (scapy's `FixedPointField`, NTP's timestamps).
    Decimal(String),
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
    /// Layers stacked with `/` used as a value, bottom first: a packet with its payload
    /// (`message=DHCP6_Solicit()/DHCP6OptClientId()`).
    Stack(Vec<LayerExpr>),
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

mod lexer;
mod names;

use lexer::{Lexer, MAX_DEPTH, Tok, Token};
#[cfg(test)]
use names::edit_distance;
pub use names::{check_names, option_protos, value_proto_by_name};

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
            Tok::Decimal(d) => (ValueExpr::Decimal(d), t.span),
            Tok::Minus => {
                let n = self.next()?;
                let span = start..n.span.end;
                match n.tok {
                    Tok::Int(m) => (int_value(m, true, &span)?, span),
                    Tok::Decimal(d) => (ValueExpr::Decimal(format!("-{d}")), span),
                    _ => return Err(Diagnostic::new(n.span, "expected an integer after '-'")),
                }
            }
            Tok::Str(s) => (ValueExpr::Str(s), t.span),
            Tok::Bytes(b) => (ValueExpr::Bytes(b), t.span),
            Tok::Name(name) => match keyword(&name) {
                Some(k) => (k, t.span),
                None => {
                    let l = self.layer_rest(name, t.span, depth)?;
                    let span = l.span.clone();
                    if !self.at(&Tok::Slash)? {
                        return Ok((ValueExpr::Layer(Box::new(l)), span));
                    }
                    // `A()/B()`: a packet with its payload.
                    let mut stack = vec![l];
                    while self.at(&Tok::Slash)? {
                        self.next()?;
                        stack.push(self.layer(depth, true)?);
                    }
                    let end = stack.last().map_or(span.end, |l| l.span.end);
                    (ValueExpr::Stack(stack), span.start..end)
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
            ValueExpr::Decimal(d) => f.write_str(d),
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
            ValueExpr::Stack(layers) => {
                for (i, l) in layers.iter().enumerate() {
                    if i > 0 {
                        f.write_str("/")?;
                    }
                    write!(f, "{l}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
