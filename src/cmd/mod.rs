//! One module per subcommand, each an args struct (in `cli`) plus `run`.

pub mod aging;

use crate::cli::Command;
use crate::error::CliError;

pub fn run(command: &Command) -> Result<(), CliError> {
    match command {
        Command::Aging(args) => aging::run(args),
    }
}
