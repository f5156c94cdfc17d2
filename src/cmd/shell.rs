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
    if args.shell == clap_complete::Shell::Bash {
        out.extend_from_slice(BASH_EXPR.as_bytes());
    }
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

/// Bash only: layer names complete inside the expression of craft, send, sr and sr1
/// (`pkt craft 'IP()/TC<TAB>'`), from `pkt ls --names`; everything else is clap's.
const BASH_EXPR: &str = r#"
_pkt_expr() {
    local cur=${COMP_WORDS[COMP_CWORD]} sub=${COMP_WORDS[1]}
    case $sub in
        craft|send|sr|sr1)
            if [[ $COMP_CWORD -ge 2 && $cur != -* && $cur != *'('*([^/]) ]]; then
                local head="" tail=$cur quote=""
                if [[ $cur == */* ]]; then
                    head=${cur%/*}/
                    tail=${cur##*/}
                elif [[ ${cur:0:1} == "'" || ${cur:0:1} == '"' ]]; then
                    quote=${cur:0:1}
                    tail=${cur:1}
                fi
                local IFS=$'\n'
                COMPREPLY=($(compgen -W "$(pkt ls --names 2>/dev/null)" -P "$quote$head" -S "(" -- "$tail"))
                if [[ ${#COMPREPLY[@]} -gt 0 ]]; then
                    compopt -o nospace 2>/dev/null
                    return 0
                fi
            fi
            ;;
    esac
    _pkt "$@"
}
complete -F _pkt_expr -o bashdefault -o default pkt
"#;
