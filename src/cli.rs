//! The command line: one struct per subcommand.

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "pkt",
    version,
    about = "Packet crafting and sniffing: scapy's model, tcpdump's speed, one binary."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read pcap/pcapng files and print their packets (like `tcpdump -r`).
    #[command(after_help = "Examples:\n  \
        pkt read captures/mixed.pcap\n  \
        pkt read captures/mixed.pcap tcp port 80 --show\n  \
        pkt read big.pcap --json | jq 'select(.layers[].layer==\"TCP\")'\n  \
        pkt read a.pcap b.pcap -c 100 -w first100.pcap")]
    Read(ReadArgs),
}

pub use pkt::output::render::View;

#[derive(Args, Debug)]
pub struct ReadArgs {
    /// Capture files (pcap or pcapng; `-` for standard input), then an optional BPF filter
    /// given tcpdump-style as trailing words.
    #[arg(required = true, value_name = "FILE… [FILTER…]")]
    pub args: Vec<String>,
    /// BPF filter (instead of trailing words).
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filter: Option<String>,
    /// Stop after this many packets.
    #[arg(short = 'c', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// Write the selected packets, unchanged, to this pcap file.
    #[arg(short = 'w', long = "write", value_name = "OUT")]
    pub write: Option<String>,
    /// Print every field of every layer (scapy's show()).
    #[arg(long, conflicts_with_all = ["hex", "json"])]
    pub show: bool,
    /// Print the summary and a hexdump of each packet.
    #[arg(short = 'x', long, conflicts_with = "json")]
    pub hex: bool,
    /// Print NDJSON, one object per packet (the documented contract).
    #[arg(long)]
    pub json: bool,
    /// Timestamps as seconds since the epoch instead of the local time of day.
    #[arg(long = "tt")]
    pub epoch: bool,
    /// No timestamps in summaries.
    #[arg(short = 't', long = "no-time", conflicts_with = "epoch")]
    pub no_time: bool,
    /// Number the packets in summaries.
    #[arg(short = 'n', long = "number")]
    pub number: bool,
    /// Print packets even with -w.
    #[arg(long)]
    pub print: bool,
}

impl ReadArgs {
    pub fn view(&self) -> View {
        if self.json {
            View::Json
        } else if self.show {
            View::Show
        } else if self.hex {
            View::Hex
        } else {
            View::Summary
        }
    }

    /// Splits the positional words into files and a filter: files come first (every word that
    /// names an existing path, or `-`); the first word that does not starts the filter.
    pub fn files_and_filter(&self) -> Result<(Vec<String>, Option<String>), String> {
        let mut files = Vec::new();
        let mut rest = self.args.iter().peekable();
        while let Some(a) = rest.peek() {
            let is_file = a.as_str() == "-" || std::path::Path::new(a.as_str()).exists();
            let looks_like_file = a.contains('/')
                || a.ends_with(".pcap")
                || a.ends_with(".pcapng")
                || a.ends_with(".cap");
            if is_file {
                files.push((*a).clone());
                rest.next();
            } else if files.is_empty() || looks_like_file {
                return Err(format!("{a}: No such file or directory"));
            } else {
                break;
            }
        }
        let words: Vec<&str> = rest.map(String::as_str).collect();
        match (&self.filter, words.is_empty()) {
            (Some(_), false) => {
                Err("give the filter either with -f or as trailing words, not both".into())
            }
            (Some(f), true) => Ok((files, Some(f.clone()))),
            (None, false) => Ok((files, Some(words.join(" ")))),
            (None, true) => Ok((files, None)),
        }
    }
}
