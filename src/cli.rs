//! The command line: one struct per subcommand.

// The path is spelled out so that tests/options.rs, which compiles this file to walk its
// definitions, finds the module too.
#[path = "cli/values.rs"]
pub mod values;

use clap::{Args, Parser, Subcommand};
use std::time::Duration;
use values::{MAX_SECS, float, int, secs};

#[derive(Parser, Debug)]
#[command(
    name = "pkt",
    version = version(),
    about = "Packet crafting and sniffing: scapy's model, tcpdump's speed, one binary.",
    after_help = "Commands by task:\n  \
        inspect   read, ls, ifaces\n  \
        build     craft, write\n  \
        send      send, sr, sr1, replay\n  \
        capture   sniff\n  \
        measure   ping, traceroute\n  \
        shell     completions, man\n\n\
        `pkt COMMAND --help` shows a command's options and examples."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// pkt's version and the libpcap it runs on.
fn version() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        format!(
            "{} ({})",
            env!("CARGO_PKG_VERSION"),
            pkt::io::live::libpcap_version()
        )
    })
}

/// Each subcommand's arguments are declared only when it runs (`defer`): building all of them
/// cost every run of `pkt` about 60 page faults; help, completions and man pages build them all.
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Read pcap/pcapng files and print their packets (like `tcpdump -r`).
    #[command(after_help = "Examples:\n  \
        pkt read captures/mixed.pcap\n  \
        pkt read captures/mixed.pcap tcp port 80 --show\n  \
        pkt read big.pcap --json | jq 'select(.layers[].layer==\"TCP\")'\n  \
        pkt read a.pcap b.pcap -c 100 -w first100.pcap")]
    Read(ReadArgs),
    /// Build packets from a scapy expression and print them (any view), as raw bytes, or into a pcap.
    #[command(after_help = "Examples:\n  \
        pkt craft 'IP(dst=\"192.0.2.1\")/TCP(dport=80,flags=\"S\")'\n  \
        pkt craft 'Ether()/IP(dst=\"192.0.2.0/30\")/ICMP()' --json\n  \
        pkt craft 'IPv6(dst=\"2001:db8::1\")/UDP(dport=[53,123])/\"q\"' -w out.pcap\n  \
        pkt craft 'IP()/UDP()/\"x\"' --raw | xxd")]
    Craft(CraftArgs),
    /// List the layers, or one layer's fields with their kind and default (scapy's ls()).
    #[command(after_help = "Examples:\n  pkt ls\n  pkt ls TCP")]
    Ls(LsArgs),
    /// Write NDJSON records (the read --json contract, edited or not) back into a pcap.
    #[command(after_help = "Examples:\n  \
        pkt read in.pcap --json | pkt write -o same.pcap\n  \
        pkt read in.pcap --json | jq -c '.layers[1].ttl = 1' | pkt write -o ttl1.pcap\n  \
        pkt write -o fixed.pcap --fix records.ndjson")]
    Write(WriteArgs),
    /// Send packets built from a scapy expression (layer 3 from IP/IPv6, layer 2 from Ether).
    #[command(after_help = "Examples:\n  \
        sudo pkt send 'IP(dst=\"192.0.2.2\")/ICMP()' -c 3 --interval 0.5\n  \
        sudo pkt send 'IP(dst=\"192.0.2.2\")/UDP(dport=(1000,1009))/\"x\"' -v\n  \
        sudo pkt send 'Ether()/ARP(pdst=\"192.0.2.1\")' -i eth0")]
    Send(SendArgs),
    /// Send packets and match their answers (scapy's sr()): a table of request, answer and RTT.
    #[command(after_help = "Examples:\n  \
        sudo pkt sr 'IP(dst=\"192.0.2.2\")/ICMP(seq=(1,3))'\n  \
        sudo pkt sr 'IP(dst=\"192.0.2.0/30\")/TCP(dport=[22,80,443],flags=\"S\")' --ports\n  \
        sudo pkt sr 'IP(dst=\"192.0.2.2\",ttl=(1,8))/UDP(dport=33434)' --json | jq .answer.layers[0].src\n\n\
        Exit status: 0 if anything answered, 1 if nothing did, 2 on error.")]
    Sr(SrArgs),
    /// Send packets and print the first answer (scapy's sr1()), in any view.
    #[command(after_help = "Examples:\n  \
        sudo pkt sr1 'IP(dst=\"192.0.2.2\")/ICMP()' --show\n  \
        sudo pkt sr1 'IPv6(dst=\"2001:db8::2\")/ICMPv6EchoRequest()' --json\n\n\
        Exit status: 0 if answered, 1 if not, 2 on error.")]
    Sr1(Sr1Args),
    /// Capture live packets (tcpdump): the views of read, -w to a file (rotated with -C/-W).
    #[command(after_help = "Examples:\n  \
        sudo pkt sniff -i eth0 tcp port 80 -c 10\n  \
        sudo pkt sniff -i any --json icmp | jq .iface\n  \
        sudo pkt sniff -i eth0 -w out.pcap -C 100 -W 5\n\n\
        At the end, on stderr: packets captured, received by filter, dropped by kernel.")]
    Sniff(SniffArgs),
    /// Send the packets of captures again on an interface (tcpreplay), with their timing.
    #[command(after_help = "Examples:\n  \
        sudo pkt replay in.pcap -i eth0\n  \
        sudo pkt replay in.pcap -i eth0 --topspeed --loop 10\n  \
        sudo pkt replay in.pcap -i eth0 --multiplier 2 -f 'tcp port 80' --json")]
    Replay(ReplayArgs),
    /// The network interfaces: name, index, MAC, addresses, state, MTU.
    #[command(after_help = "Examples:\n  pkt ifaces\n  pkt ifaces --json | jq -r '.[].name'")]
    Ifaces(IfacesArgs),
    /// ping, iputils-compatible: ICMP echo (v4/v6), or TCP SYN / UDP probes to a port.
    #[command(after_help = "Examples:\n  \
        sudo pkt ping 192.0.2.2 -c 3\n  \
        sudo pkt ping -6 2001:db8::2 -i 0.2 -c 10 -q\n  \
        sudo pkt ping 192.0.2.2 --tcp 443 -c 3\n  \
        sudo pkt ping 192.0.2.2 -c 5 --json | jq -c 'select(.type==\"reply\") | .rtt'\n\n\
        Exit status: 0 if any reply, 1 if none (or fewer than -c before a -w deadline), 2 on error.")]
    Ping(PingArgs),
    /// traceroute: every TTL probed at once (UDP, ICMP or TCP; Paris flows), or an mtr-style
    /// report over rounds that tells rate-limiting routers from lossy links.
    #[command(after_help = "Examples:\n  \
        sudo pkt traceroute 192.0.2.2\n  \
        sudo pkt traceroute -T -p 443 2001:db8::2\n  \
        sudo pkt traceroute 192.0.2.2 --report --rounds 10\n  \
        sudo pkt traceroute 192.0.2.2 --json | jq -c 'select(.type==\"hop\")'\n\n\
        Exit status: 0 if the destination answered, 1 if not, 2 on error.")]
    Traceroute(TracerouteArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:\n  \
        pkt completions bash > ~/.local/share/bash-completion/completions/pkt\n  \
        pkt completions zsh > \"${fpath[1]}/_pkt\"\n  \
        pkt completions fish > ~/.config/fish/completions/pkt.fish")]
    Completions(CompletionsArgs),
    /// Print the man page (roff), every subcommand included.
    #[command(after_help = "Examples:\n  \
        pkt man | man -l -\n  \
        pkt man > /usr/local/share/man/man1/pkt.1")]
    Man,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

// The host ping and traceroute probe, and its address family. The flattened structs have plain
// comments: a doc comment would become the `about` of each deferred subcommand that flattens it.
#[derive(Args, Debug)]
pub struct HostArgs {
    /// The host: an address, or a name for the system resolver.
    #[arg(value_name = "HOST")]
    pub host: String,
    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "v6")]
    pub v4: bool,
    /// IPv6 only.
    #[arg(short = '6')]
    pub v6: bool,
}

impl HostArgs {
    /// The host's address: itself, or the resolver's first of the family asked for.
    pub fn resolve(&self) -> anyhow::Result<std::net::IpAddr> {
        crate::cmd::ping::resolve(&self.host, self.v4, self.v6)
    }
}

#[derive(Args, Debug)]
pub struct TracerouteArgs {
    #[command(flatten)]
    pub target: HostArgs,
    /// UDP probes (the default), to port 33434 (or -p).
    #[arg(short = 'U', long = "udp", conflicts_with_all = ["icmp", "tcp"])]
    pub udp: bool,
    /// ICMP echo probes.
    #[arg(short = 'I', long = "icmp", conflicts_with = "tcp")]
    pub icmp: bool,
    /// TCP SYN probes, to port 80 (or -p).
    #[arg(short = 'T', long = "tcp")]
    pub tcp: bool,
    /// Destination port (UDP, TCP).
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,
    /// The first TTL.
    #[arg(
        short = 'f',
        long = "first",
        value_name = "FIRST_TTL",
        default_value_t = 1,
        value_parser = int(1u8, 255, "")
    )]
    pub first_ttl: u8,
    /// The last TTL.
    #[arg(
        short = 'm',
        long = "max-hops",
        value_name = "MAX_TTL",
        default_value_t = 30,
        value_parser = int(1u8, 255, "")
    )]
    pub max_ttl: u8,
    /// Probes per hop (1 to 10).
    #[arg(short = 'q', long = "queries", value_name = "N", default_value_t = 3,
          value_parser = int(1u8, 10, ""))]
    pub queries: u8,
    /// Wait for an answer: MAX[,HERE[,NEAR]] as traceroute takes it (MAX in seconds, up to a
    /// day; HERE and NEAR, up to 1000, are factors of RTTs already seen at this hop and beyond).
    #[arg(
        short = 'w',
        long = "wait",
        value_name = "MAX,HERE,NEAR",
        default_value = "5,3,10",
        value_parser = values::wait
    )]
    pub wait: values::Wait,
    /// Time between probes: seconds up to 10; above 10, milliseconds (up to 10000).
    #[arg(
        short = 'z',
        long = "sendwait",
        value_name = "S",
        default_value = "0",
        value_parser = values::sendwait
    )]
    pub sendwait: Duration,
    /// Probes in flight at once.
    #[arg(
        short = 'N',
        long = "sim-queries",
        value_name = "N",
        default_value_t = 16,
        value_parser = int(1usize, 2550, "")
    )]
    pub window: usize,
    /// Source address.
    #[arg(short = 's', long = "source", value_name = "SRC")]
    pub source: Option<String>,
    /// Interface to send and listen on.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub iface: Option<String>,
    /// Keep the flow constant so load balancers keep one path (the default).
    #[arg(long, conflicts_with = "ecmp")]
    pub paris: bool,
    /// Vary the flow per probe and show every address seen per hop.
    #[arg(long)]
    pub ecmp: bool,
    /// mtr-style report over rounds: per hop loss, sent, last/avg/best/worst/stdev.
    #[arg(long)]
    pub report: bool,
    /// Rounds for --report.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = int(1u32, 1_000_000, ""))]
    pub rounds: u32,
    /// Seconds between the starts of rounds.
    #[arg(long, value_name = "S", default_value = "1", value_parser = secs(0.0, MAX_SECS))]
    pub interval: Duration,
    /// Numeric output (pkt never looks names up; accepted for traceroute's sake).
    #[arg(short = 'n')]
    pub numeric: bool,
    /// JSON: per-probe events, then per-hop statistics.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct PingArgs {
    #[command(flatten)]
    pub target: HostArgs,
    /// Stop after COUNT probes.
    #[arg(short = 'c', value_name = "COUNT", value_parser = int(1u64, u64::MAX, ""))]
    pub count: Option<u64>,
    /// Seconds between probes (default 1; below 0.002 only with -f).
    #[arg(short = 'i', value_name = "INTERVAL", value_parser = secs(0.0, MAX_SECS))]
    pub interval: Option<Duration>,
    /// Seconds to wait for answers after the last probe (default 10).
    #[arg(short = 'W', value_name = "TIMEOUT", value_parser = secs(0.001, MAX_SECS))]
    pub timeout: Option<Duration>,
    /// Stop after DEADLINE seconds whatever happens.
    #[arg(short = 'w', value_name = "DEADLINE", value_parser = secs(0.001, MAX_SECS))]
    pub deadline: Option<Duration>,
    /// Data bytes per probe (default 56: 64 bytes of ICMP; at most 65507).
    #[arg(short = 's', value_name = "SIZE", default_value_t = 56,
          value_parser = int(0usize, 65_507, ""))]
    pub size: usize,
    /// IP time to live (hop limit).
    #[arg(short = 't', value_name = "TTL", value_parser = int(1u8, 255, ""))]
    pub ttl: Option<u8>,
    /// Source interface or address.
    #[arg(short = 'I', value_name = "IFACE|ADDR")]
    pub source: Option<String>,
    /// Only the header and the statistics.
    #[arg(short = 'q')]
    pub quiet: bool,
    /// Print the time (seconds since the epoch) before each line.
    #[arg(short = 'D')]
    pub timestamps: bool,
    /// Flood: the next probe as soon as the last is answered (at least every 10 ms); a dot per
    /// probe, a backspace per reply.
    #[arg(short = 'f')]
    pub flood: bool,
    /// Up to 16 bytes of hex to fill the data with (e.g. -p ff00).
    #[arg(short = 'p', value_name = "PATTERN")]
    pub pattern: Option<String>,
    /// Say when a probe is still unanswered as the next goes out.
    #[arg(short = 'O')]
    pub outstanding: bool,
    /// Numeric output only (pkt never looks names up for replies; accepted for iputils' sake).
    #[arg(short = 'n')]
    pub numeric: bool,
    /// TCP ping: SYN to this port; SYN-ACK (open) or RST (closed) is the reply.
    #[arg(long, value_name = "PORT", conflicts_with = "udp")]
    pub tcp: Option<u16>,
    /// UDP ping: a datagram to this port; a UDP answer or ICMP port-unreachable is the reply.
    #[arg(long, value_name = "PORT")]
    pub udp: Option<u16>,
    /// One JSON record per probe and a final statistics record.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SniffArgs {
    /// A BPF filter, tcpdump-style, as trailing words (or -f).
    #[arg(value_name = "FILTER")]
    pub words: Vec<String>,
    /// Interface to capture on (default: the first up, non-loopback one, as tcpdump picks it;
    /// `any` for all, with SLL2 headers that name each packet's interface).
    #[arg(short = 'i', long = "iface", value_name = "IFACE")]
    pub iface: Option<String>,
    /// BPF filter (instead of trailing words).
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filter: Option<String>,
    /// Stop after this many packets.
    #[arg(short = 'c', long = "count", value_name = "N", value_parser = int(1u64, u64::MAX, ""))]
    pub count: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "S", value_parser = secs(0.001, MAX_SECS))]
    pub timeout: Option<Duration>,
    /// Bytes captured per packet (up to 262144; 0 for 262144).
    #[arg(short = 's', long, value_name = "BYTES", default_value_t = 262_144,
          value_parser = values::snaplen)]
    pub snaplen: i32,
    /// Do not put the interface in promiscuous mode.
    #[arg(short = 'p', long = "no-promiscuous-mode")]
    pub no_promisc: bool,
    /// Deliver packets as they arrive (always on when printing; with -w the kernel may batch).
    #[arg(long)]
    pub immediate: bool,
    /// Kernel buffer size in KiB (tcpdump's -B).
    #[arg(short = 'B', long = "buffer-size", value_name = "KIB",
          value_parser = int(1i32, i32::MAX / 1024, ""))]
    pub buffer: Option<i32>,
    /// Write the packets to this file (pcap; pcapng with --pcapng or a .pcapng name).
    #[arg(short = 'w', long = "write", value_name = "FILE")]
    pub write: Option<String>,
    /// Write pcapng.
    #[arg(long, requires = "write")]
    pub pcapng: bool,
    /// Start a new file when this one passes SIZE millions of bytes (FILE, FILE1, FILE2, …).
    #[arg(short = 'C', value_name = "SIZE_MB", requires = "write",
          value_parser = float(0.001, 1e6, " millions of bytes"))]
    pub file_size: Option<f64>,
    /// Start a new file every SECONDS seconds (checked as packets arrive); FILE is then a
    /// strftime(3) pattern, expanded in local time as each file opens (`cap-%H%M%S.pcap`).
    #[arg(short = 'G', value_name = "SECONDS", requires = "write",
          value_parser = int(1u64, MAX_SECS as u64, " seconds"))]
    pub rotate_seconds: Option<u64>,
    /// With -C, keep at most N files, overwriting the oldest (FILE0 … FILE<N-1>); with -G
    /// alone, stop after N files.
    #[arg(short = 'W', value_name = "N", value_parser = int(1u32, u32::MAX, ""))]
    pub file_count: Option<u32>,
    /// As root: after opening the capture, become this user (and its groups) before writing
    /// any file, as tcpdump's -Z (default: the user who ran sudo, if any).
    #[arg(short = 'Z', long = "relinquish-privileges", value_name = "USER")]
    pub user: Option<String>,
    /// Print packets even with -w.
    #[arg(long)]
    pub print: bool,
    #[command(flatten)]
    pub views: ViewArgs,
}

impl SniffArgs {
    pub fn filter(&self) -> Result<Option<String>, String> {
        let words: Vec<&str> = self.words.iter().map(String::as_str).collect();
        one_filter(&self.filter, &words)
    }
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Capture files (pcap or pcapng), then an optional BPF filter as trailing words.
    #[arg(required = true, value_name = "FILE… [FILTER…]")]
    pub args: Vec<String>,
    /// Interface to send on.
    #[arg(short = 'i', long = "iface", value_name = "IFACE")]
    pub iface: String,
    /// BPF filter (instead of trailing words): replay only the packets it passes.
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filter: Option<String>,
    /// Replay this many times faster than captured (0.5: half as fast).
    #[arg(short = 'x', long, value_name = "X", conflicts_with_all = ["pps", "mbps", "topspeed"],
          value_parser = float(0.001, 1e6, ""))]
    pub multiplier: Option<f64>,
    /// A fixed rate in packets per second.
    #[arg(short = 'p', long, value_name = "N", conflicts_with_all = ["mbps", "topspeed"],
          value_parser = float(0.001, 1e9, " packets per second"))]
    pub pps: Option<f64>,
    /// A fixed rate in megabits per second.
    #[arg(short = 'M', long, value_name = "N", conflicts_with = "topspeed",
          value_parser = float(0.001, 1e6, " megabits per second"))]
    pub mbps: Option<f64>,
    /// As fast as possible.
    #[arg(short = 't', long)]
    pub topspeed: bool,
    /// Replay the files this many times (0: until interrupted).
    #[arg(short = 'l', long = "loop", value_name = "N", default_value_t = 1,
          value_parser = int(0u64, u64::MAX, " (0: until interrupted)"))]
    pub loops: u64,
    /// Send at most this many packets in all.
    #[arg(short = 'c', long = "count", value_name = "N", value_parser = int(1u64, u64::MAX, ""))]
    pub count: Option<u64>,
    /// The final report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct IfacesArgs {
    /// One JSON array of interface objects.
    #[arg(long)]
    pub json: bool,
}

// How packets leave: shared by send, sr and sr1.
#[derive(Args, Debug, Clone)]
pub struct SendOpts {
    /// Interface for layer-2 sends (default: the one the route to the destination uses).
    #[arg(short = 'i', long = "iface", value_name = "IFACE")]
    pub iface: Option<String>,
}

#[derive(Args, Debug)]
pub struct SendArgs {
    /// The packets, as scapy writes them; field sets send every packet of the set.
    #[arg(value_name = "EXPR")]
    pub expr: String,
    #[command(flatten)]
    pub net: SendOpts,
    /// Send the whole set this many times.
    #[arg(short = 'c', long = "count", value_name = "N", default_value_t = 1,
          value_parser = int(1u64, u64::MAX, ""))]
    pub count: u64,
    /// Seconds between packets.
    #[arg(long, value_name = "S", conflicts_with_all = ["rate", "flood"],
          value_parser = secs(0.0, MAX_SECS))]
    pub interval: Option<Duration>,
    /// Packets per second.
    #[arg(long, value_name = "PPS", conflicts_with = "flood",
          value_parser = float(0.001, 1e9, " packets per second"))]
    pub rate: Option<f64>,
    /// As fast as possible, in batches; IP packets are framed for the link here, as scapy's
    /// send() does, when the route's interface is Ethernet.
    #[arg(long)]
    pub flood: bool,
    /// Send the set again and again until interrupted.
    #[arg(long = "loop")]
    pub repeat: bool,
    /// Print each packet's summary as it is sent.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// The final report as JSON.
    #[arg(long)]
    pub json: bool,
}

// What sr and sr1 share: the packets, how they leave, timing and matching.
#[derive(Args, Debug, Clone)]
pub struct MatchOpts {
    /// The packets, as scapy writes them.
    #[arg(value_name = "EXPR")]
    pub expr: String,
    #[command(flatten)]
    pub net: SendOpts,
    /// Seconds to wait for answers after the last packet is sent.
    #[arg(long, value_name = "S", default_value = "2", value_parser = secs(0.0, MAX_SECS))]
    pub timeout: Duration,
    /// Resend the unanswered packets this many more times (up to 1000).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = int(0u32, 1000, ""))]
    pub retry: u32,
    /// Seconds between packets.
    #[arg(long, value_name = "S", default_value = "0", value_parser = secs(0.0, MAX_SECS))]
    pub inter: Duration,
}

#[derive(Args, Debug)]
pub struct SrArgs {
    #[command(flatten)]
    pub matching: MatchOpts,
    /// Keep every answer to a request, not only the first.
    #[arg(long)]
    pub multi: bool,
    /// Summarise TCP/UDP probes per host and port: open, closed or filtered.
    #[arg(long, conflicts_with = "json")]
    pub ports: bool,
    /// One JSON record per answered pair (request, answer, rtt) and per unanswered request.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct Sr1Args {
    #[command(flatten)]
    pub matching: MatchOpts,
    #[command(flatten)]
    pub views: ViewArgs,
}

#[derive(Args, Debug)]
pub struct WriteArgs {
    /// The pcap to write (`-`: standard output); -w as tcpdump and the other commands spell it.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT",
        visible_short_alias = 'w'
    )]
    pub output: String,
    /// NDJSON records to read (standard input by default).
    #[arg(value_name = "NDJSON")]
    pub input: Option<String>,
    /// Recompute every length and checksum, also those the original had wrong.
    #[arg(long)]
    pub fix: bool,
    /// Write nanosecond time stamps.
    #[arg(long)]
    pub nano: bool,
    /// Write pcapng (also when OUT ends in .pcapng): several link types in one file, times
    /// up to 2554.
    #[arg(long)]
    pub pcapng: bool,
    /// Say how many packets were written.
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct CraftArgs {
    /// The packet, as scapy writes it: layers joined by '/', e.g. 'IP(dst="192.0.2.1",ttl=3)/TCP(dport=80,flags="S")'.
    /// Lists, (min, max) ranges and networks make several packets.
    #[arg(value_name = "EXPR")]
    pub expr: String,
    /// Write the packets to this pcap file (link type from the first layer).
    #[arg(short = 'w', long = "write", value_name = "OUT")]
    pub write: Option<String>,
    /// Write the packets' bytes to stdout.
    #[arg(long, conflicts_with_all = ["show", "hex", "json", "write"])]
    pub raw: bool,
    /// Time stamp of the first packet (seconds since the epoch, e.g. 1700000000.5); the next
    /// ones follow 1001 µs apart. Default: now, for all.
    #[arg(long = "time", value_name = "EPOCH",
          value_parser = float(0.0, values::MAX_EPOCH, " seconds since the epoch"))]
    pub time: Option<f64>,
    /// Build the packets this many times (e.g. a pcap of a million SYNs for a replay test).
    #[arg(short = 'c', long = "count", value_name = "N", default_value_t = 1,
          value_parser = int(1u64, u64::MAX, ""))]
    pub count: u64,
    #[command(flatten)]
    pub views: ViewArgs,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// A layer's scapy name (TCP, IPv6ExtHdrRouting, IPOption_NOP, …).
    pub layer: Option<String>,
    /// Only the layer names, one a line.
    #[arg(long, conflicts_with = "layer")]
    pub names: bool,
}

// The views every command that prints packets offers.
#[derive(Args, Debug)]
pub struct ViewArgs {
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
    /// Colour summaries and --show: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour what goes to stdout.
    pub fn on(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

impl ViewArgs {
    /// The view and the style of summary lines.
    pub fn style(&self) -> pkt::output::render::Style {
        use pkt::output::render::{Style, TimeStyle};
        let view = if self.json {
            View::Json
        } else if self.show {
            View::Show
        } else if self.hex {
            View::Hex
        } else {
            View::Summary
        };
        let time = if self.epoch {
            TimeStyle::Epoch
        } else if self.no_time {
            TimeStyle::None
        } else {
            TimeStyle::TimeOfDay
        };
        Style {
            view,
            time,
            number: self.number,
            iface: false,
            color: view != View::Json && self.color.on(),
        }
    }
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
    #[arg(short = 'c', long = "count", value_name = "N", value_parser = int(1u64, u64::MAX, ""))]
    pub count: Option<u64>,
    /// Write the selected packets, unchanged, to this pcap file.
    #[arg(short = 'w', long = "write", value_name = "OUT")]
    pub write: Option<String>,
    #[command(flatten)]
    pub views: ViewArgs,
    /// Print packets even with -w.
    #[arg(long)]
    pub print: bool,
}

impl ReadArgs {
    pub fn files_and_filter(&self) -> Result<(Vec<String>, Option<String>), String> {
        files_and_filter(&self.args, &self.filter)
    }
}

/// Splits the positional words into files and a filter: files come first (every word that
/// names an existing path, or `-`); the first word that does not starts the filter.
pub fn files_and_filter(
    args: &[String],
    filter: &Option<String>,
) -> Result<(Vec<String>, Option<String>), String> {
    let mut files = Vec::new();
    let mut rest = args.iter().peekable();
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
    Ok((files, one_filter(filter, &words)?))
}

/// The filter given with -f or as trailing words (not both).
fn one_filter(filter: &Option<String>, words: &[&str]) -> Result<Option<String>, String> {
    match (filter, words.is_empty()) {
        (Some(_), false) => {
            Err("give the filter either with -f or as trailing words, not both".into())
        }
        (Some(f), true) => Ok(Some(f.clone())),
        (None, false) => Ok(Some(words.join(" "))),
        (None, true) => Ok(None),
    }
}
