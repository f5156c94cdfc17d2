use crate::cli::ReplayArgs;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn run(_args: &ReplayArgs) -> Result<ExitCode> {
    bail!("pkt replay is not built yet")
}
