//! `pkt`: parse the command line, run the subcommand, turn failures into one line on stderr and
//! an exit status. A closed stdout (`pkt read big.pcap | head`) is a quiet success.

mod cli;
mod cmd;

use clap::Parser;
use std::io::ErrorKind;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // As ping: 1 means "no answer", so an error is 2 for the commands that wait for answers.
    let error_code = match cli.command {
        cli::Command::Sr(_)
        | cli::Command::Sr1(_)
        | cli::Command::Ping(_)
        | cli::Command::Traceroute(_) => 2,
        _ => 1,
    };
    let result = match cli.command {
        cli::Command::Read(args) => cmd::read::run(&args),
        cli::Command::Craft(args) => cmd::craft::run(&args),
        cli::Command::Ls(args) => cmd::ls::run(&args),
        cli::Command::Write(args) => cmd::write::run(&args),
        cli::Command::Send(args) => cmd::send::run(&args),
        cli::Command::Sr(args) => cmd::sr::run(&args),
        cli::Command::Sr1(args) => cmd::sr::run1(&args),
        cli::Command::Sniff(args) => cmd::sniff::run(&args),
        cli::Command::Replay(args) => cmd::replay::run(&args),
        cli::Command::Ifaces(args) => cmd::ifaces::run(&args),
        cli::Command::Ping(args) => cmd::ping::run(&args),
        cli::Command::Traceroute(args) => cmd::traceroute::run(&args),
        cli::Command::Completions(args) => cmd::shell::completions(&args),
        cli::Command::Man => cmd::shell::man(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("pkt: {e:#}");
            ExitCode::from(error_code)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::BrokenPipe)
    })
}
