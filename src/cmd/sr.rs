//! `pkt sr EXPR` and `pkt sr1 EXPR`: scapy's sr()/sr1() from a shell. The capture (with a
//! filter made from the requests) is open before the first packet leaves; the pure engine
//! (`pkt::engine`) sends, matches and times; this module prints: a table of request, answer and
//! RTT, then the unanswered (or NDJSON records, or a per-port scan view).

use super::net;
use crate::cli::{MatchOpts, Sr1Args, SrArgs};
use anyhow::Result;
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use pkt::dissect::{Packet, dissect_as_new};
use pkt::engine::{self, Event, Reply};
use pkt::io::SystemClock;
use pkt::layers::Layer;
use pkt::output::FrameMeta;
use pkt::output::json::write_record;
use pkt::output::render::write_views;
use pkt::output::time::Clock;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// What a run gave: per request, when it was last sent and its answers.
struct Outcome {
    requests: Vec<Packet>,
    sent_at: Vec<Duration>,
    answers: Vec<(usize, Duration, Reply)>,
    unanswered: Vec<usize>,
    summary: engine::Summary,
    reply_linktype: u32,
    request_linktype: u32,
}

fn exchange(m: &MatchOpts, multi: bool, json: bool) -> Result<Outcome> {
    let plan = net::prepare(&m.expr, &m.net)?;
    let filter = net::reply_filter(&plan.dsts);
    let mut network = net::open(&plan.iface, plan.layer2, Some(&filter), &plan.dsts)?;
    pkt::io::drop_root_if_sudo()?;
    // Ctrl-C ends the run: what answered so far is printed, the rest reported unanswered. A
    // second Ctrl-C exits at once.
    let cancel = super::stop_flag(true);
    network.cancel = Some(cancel.clone());
    let opts = engine::Options {
        timeout: Some(m.timeout),
        retry: m.retry,
        inter: m.inter,
        multi,
        cancel: Some(cancel),
    };
    let probes = plan.probes();
    let mut sent_at = vec![Duration::ZERO; probes.len()];
    let mut answers = Vec::new();
    let mut unanswered = Vec::new();
    let reply_linktype = pkt::engine::Network::linktype(&network);
    // Many probes on a terminal: a bar of what has been sent (and answered).
    let sends = probes.len() as u64 * (1 + u64::from(m.retry));
    let progress =
        super::progress::Progress::new(!json && probes.len() >= 1000, sends, false, "sr");
    let summary = engine::run(&mut network, &SystemClock, &probes, &opts, |ev| match ev {
        Event::Sent { id, time, .. } => {
            sent_at[id] = time;
            progress.inc(1);
        }
        Event::Answer { id, rtt, reply } => {
            answers.push((id, rtt, reply));
            progress.message(format!("{} answered", answers.len()));
        }
        Event::Unanswered { id } => unanswered.push(id),
        Event::Unmatched { .. } => {}
    })?;
    progress.finish();
    Ok(Outcome {
        requests: plan
            .frames
            .iter()
            .map(|f| dissect_as_new(plan.first, f))
            .collect(),
        sent_at,
        answers,
        unanswered,
        summary,
        reply_linktype,
        request_linktype: plan.linktype(),
    })
}

fn summary_of(p: &Packet) -> String {
    let mut s = String::new();
    pkt::output::summary::write(p, &mut s);
    s
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn meta(n: u64, t: Duration, data_len: usize, linktype: u32) -> FrameMeta {
    FrameMeta {
        n,
        ts_sec: t.as_secs() as i64,
        ts_nsec: t.subsec_nanos(),
        caplen: data_len,
        len: data_len,
        linktype,
        iface: None,
    }
}

fn frame_len(p: &Packet) -> usize {
    p.layers.iter().map(|l| l.end).max().unwrap_or(0)
}

pub fn run(args: &SrArgs) -> Result<ExitCode> {
    let o = exchange(&args.matching, args.multi, args.json)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let mut line = String::new();
        for (k, (id, rtt, reply)) in o.answers.iter().enumerate() {
            line.clear();
            line.push_str("{\"type\":\"answer\",\"rtt\":");
            line.push_str(&format!("{:.9}", rtt.as_secs_f64()));
            line.push_str(",\"request\":");
            let req = &o.requests[*id];
            let n = k as u64 + 1;
            write_record(
                &meta(n, o.sent_at[*id], frame_len(req), o.request_linktype),
                req,
                &mut line,
            );
            line.push_str(",\"answer\":");
            let m = FrameMeta {
                len: reply.data.len(),
                ..meta(n, reply.time, reply.data.len(), o.reply_linktype)
            };
            write_record(&m, &reply.packet, &mut line);
            line.push_str("}\n");
            out.write_all(line.as_bytes())?;
        }
        for id in &o.unanswered {
            line.clear();
            line.push_str("{\"type\":\"unanswered\",\"request\":");
            let req = &o.requests[*id];
            write_record(
                &meta(
                    *id as u64 + 1,
                    o.sent_at[*id],
                    frame_len(req),
                    o.request_linktype,
                ),
                req,
                &mut line,
            );
            line.push_str("}\n");
            out.write_all(line.as_bytes())?;
        }
    } else if args.ports {
        writeln!(out, "{}", ports_table(&o))?;
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY);
        t.set_header(["#", "request", "answer", "rtt"]);
        for (id, rtt, reply) in &o.answers {
            t.add_row([
                (id + 1).to_string(),
                summary_of(&o.requests[*id]),
                summary_of(&reply.packet),
                ms(*rtt),
            ]);
        }
        if !o.answers.is_empty() {
            writeln!(out, "{t}")?;
        }
        if !o.unanswered.is_empty() {
            writeln!(out, "Unanswered:")?;
            for id in &o.unanswered {
                writeln!(out, "  {:>3}  {}", id + 1, summary_of(&o.requests[*id]))?;
            }
        }
    }
    out.flush()?;
    let s = &o.summary;
    eprintln!(
        "Sent {} packets, received {} packets, got {} answers, remaining {} packets{}",
        s.sent,
        s.received,
        s.answers,
        s.unanswered,
        if s.cancelled { " (interrupted)" } else { "" }
    );
    Ok(if o.answers.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn run1(args: &Sr1Args) -> Result<ExitCode> {
    let o = exchange(&args.matching, false, args.views.json)?;
    let Some((_, _, reply)) = o.answers.iter().min_by_key(|(id, _, _)| *id) else {
        eprintln!("no answer");
        return Ok(ExitCode::from(1));
    };
    let style = args.views.style();
    let clock = Clock::local(reply.time.as_secs() as i64);
    let m = meta(1, reply.time, reply.data.len(), o.reply_linktype);
    let mut text = String::new();
    write_views(&style, &clock, &m, &reply.data, &reply.packet, &mut text);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The layer called `name`, if the packet has one.
fn layer<'a>(p: &'a [Layer], name: &str) -> Option<&'a Layer> {
    p.iter().find(|l| l.name() == name)
}

/// Per host and port: open (SYN-ACK, or a UDP reply), closed (RST, or ICMP port unreachable),
/// filtered (other ICMP unreachable, or no answer; `open|filtered` for UDP, as nmap says).
fn ports_table(o: &Outcome) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    t.set_header(["host", "port", "state", "reason"]);
    let answer_of = |id: usize| o.answers.iter().find(|(i, _, _)| *i == id);
    for (id, req) in o.requests.iter().enumerate() {
        let l = &req.layers;
        let host = ["IP", "IPv6"]
            .iter()
            .find_map(|n| layer(l, n))
            .and_then(|ip| ip.get("dst"))
            .map(|v| match v {
                pkt::layers::Value::Ip4(a) => std::net::Ipv4Addr::from(*a).to_string(),
                pkt::layers::Value::Ip6(a) => std::net::Ipv6Addr::from(*a).to_string(),
                _ => "?".into(),
            })
            .unwrap_or_default();
        let (proto, port) = match (layer(l, "TCP"), layer(l, "UDP")) {
            (Some(tcp), _) => ("tcp", tcp.int("dport").unwrap_or(0)),
            (_, Some(udp)) => ("udp", udp.int("dport").unwrap_or(0)),
            _ => continue,
        };
        let (state, reason) = match answer_of(id) {
            None if proto == "udp" => ("open|filtered", "no answer".to_string()),
            None => ("filtered", "no answer".to_string()),
            Some((_, _, reply)) => {
                let r = &reply.packet.layers;
                if let Some(tcp) = layer(r, "TCP") {
                    let f = tcp.int("flags").unwrap_or(0);
                    if f & 0x12 == 0x12 {
                        ("open", "syn-ack".into())
                    } else if f & 0x04 != 0 {
                        ("closed", "reset".into())
                    } else {
                        ("open", format!("flags {f:#x}"))
                    }
                } else if layer(r, "UDP").is_some() && layer(r, "UDPerror").is_none() {
                    ("open", "udp reply".into())
                } else if let Some(icmp) = layer(r, "ICMP")
                    .or_else(|| r.iter().find(|l| l.name().starts_with("ICMPv6Dest")))
                {
                    let (ty, code) = (icmp.int("type").unwrap_or(0), icmp.int("code").unwrap_or(0));
                    let port_unreach =
                        (icmp.name() == "ICMP" && ty == 3 && code == 3) || (ty == 1 && code == 4);
                    if port_unreach && proto == "udp" {
                        ("closed", "port unreachable".into())
                    } else {
                        ("filtered", format!("icmp unreachable {ty}/{code}"))
                    }
                } else {
                    ("filtered", summary_of(&reply.packet))
                }
            }
        };
        t.add_row([host, format!("{port}/{proto}"), state.to_string(), reason]);
    }
    t
}
