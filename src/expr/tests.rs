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
fn stacked_layers_as_values() {
    // scapy's `message=DHCP6_Solicit()/DHCP6OptClientId()`: a packet with its payload.
    let src = r#"DHCP6OptRelayMsg(message=DHCP6_Solicit(trid=1)/DHCP6OptClientId()/"x")"#;
    let e = p(src);
    let arg = &e.layers[0].args[0];
    let ValueExpr::Stack(layers) = &arg.value else {
        panic!("{:?}", arg.value)
    };
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["DHCP6_Solicit", "DHCP6OptClientId", "Raw"]);
    assert_eq!(
        arg.value_span,
        at(src, r#"DHCP6_Solicit(trid=1)/DHCP6OptClientId()/"x""#)
    );
    assert_eq!(
        arg.value.to_string(),
        r#"DHCP6_Solicit(trid=1)/DHCP6OptClientId()/"x""#
    );
    check_names(&e).unwrap();
    // A stack's layers are checked too.
    let d = name_err("DHCP6OptRelayMsg(message=DHCP6_Solicit()/DHCP6OptNope())");
    assert!(d.message.contains("DHCP6OptNope"), "{}", d.message);
    // Inside a list, each element may be a stack.
    let e = p(
        "DHCP6OptIA_NA(ianaopts=[DHCP6OptStatusCode()/DHCP6OptIAAddress(), DHCP6OptIAAddress()])",
    );
    let ValueExpr::List(items) = &e.layers[0].args[0].value else {
        panic!("list")
    };
    assert!(matches!(items[0].0, ValueExpr::Stack(ref l) if l.len() == 2));
    assert!(matches!(items[1].0, ValueExpr::Layer(_)));
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
            "IP(id=1.5e3)",
            "floating-point numbers are not supported",
            "1.5e3",
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
fn decimals_are_read_as_written_for_fixed_point_fields() {
    let v = |src: &str| match p(&format!("NTP(delay={src})")).layers[0].args[0].value {
        ValueExpr::Decimal(ref d) => d.clone(),
        ref o => panic!("{o:?}"),
    };
    assert_eq!(v("1.5"), "1.5");
    assert_eq!(v("-0.25"), "-0.25");
    assert_eq!(v("- 2.0"), "-2.0");
    assert_eq!(v("3913056000.5013"), "3913056000.5013");
    assert_eq!(v("1_000.000_1"), "1000.0001");
    assert_eq!(v("7."), "7.");
    for bad in ["NTP(delay=1._5)", "NTP(delay=1__0.5)", "NTP(delay=1.5_)"] {
        assert_eq!(
            err(bad).message,
            "floating-point numbers are not supported",
            "{bad}"
        );
    }
    // Only fixed-point fields take one.
    let d = crate::craft::compile("IP(id=1.5)").unwrap_err();
    assert!(
        d.message.starts_with("IP.id expects an integer"),
        "{}",
        d.message
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
                2 if i < s.len() => s[i] = char::from_u32(rng.below(0x3000) as u32).unwrap_or('x'),
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
