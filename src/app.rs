//! The process edge: parse the command line, run, print any error once on stderr, and turn
//! the outcome into the documented exit code. Nothing below this module exits the process.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::error::CliError;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print(); // help and version go to stdout; a closed pipe is not an error
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match crate::cmd::run(&cli.command) {
        Ok(()) | Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(CliError::Findings { message }) => {
            let _ = writeln!(std::io::stderr().lock(), "cartera: {message}");
            ExitCode::from(crate::error::exit::FINDINGS)
        }
        Err(e) => {
            let mut stderr = std::io::stderr().lock();
            for line in e.to_string().lines() {
                let _ = writeln!(stderr, "error: {line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
