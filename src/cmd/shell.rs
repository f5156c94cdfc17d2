//! `pkt completions SHELL` and `pkt man`: generated from the clap definitions (clap_complete,
//! clap_mangen), so they always match the options.

use crate::cli::{Cli, CompletionsArgs};
use anyhow::Result;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

pub fn completions(args: &CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "pkt", &mut out);
    std::io::stdout().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The man page: pkt(1) with every subcommand's options and examples in it.
pub fn man() -> Result<ExitCode> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name().to_string();
        // Each subcommand as a section of its own: its synopsis, options and examples.
        let full: &'static str = Box::leak(format!("pkt {name}").into_boxed_str());
        let sub = sub.clone().name(full);
        let man = clap_mangen::Man::new(sub);
        writeln!(out, ".SH \"PKT {}\"", name.to_uppercase())?;
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        man.render_options_section(&mut out)?;
        man.render_extra_section(&mut out)?;
    }
    std::io::stdout().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}
