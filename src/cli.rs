//! The command line (clap derive). No logic beyond what clap validates; `cmd::*` resolves
//! these arguments into a context.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::error::{CliError, exit_status_help};
use crate::input::{Role, Source};
use crate::render::Format;

/// Accounts receivable from CSV exports: aging and more, correct to the cent.
#[derive(Parser, Debug)]
#[command(name = "cartera", version, after_help = exit_status_help())]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open balances per customer in buckets of days past due, as of a date.
    #[command(after_help = format!("{AGING_HELP}\n\n{}", exit_status_help()))]
    Aging(AgingArgs),
    /// Which payment paid which invoice, and what needs a person (the exceptions).
    #[command(after_help = format!("{RECONCILE_HELP}\n\n{}", exit_status_help()))]
    Reconcile(ReconcileArgs),
    /// Risk level of each customer by the credit policy: limits, payment history, provisions.
    #[command(after_help = format!("{RISK_HELP}\n\n{}", exit_status_help()))]
    Risk(RiskArgs),
}

const RISK_HELP: &str = "\
Examples:
  cartera risk ledger.csv --policy policy.toml
  cartera risk ledger.csv --customers customers.csv -o risk.csv
  cartera risk ledger.csv --fail-on alto             cron: exit 1 when any customer is \"alto\"

The levels, credit limits and provision rates come from the policy ([[risk.levels]],
[credit], provision_rate on each aging bucket); see policy.example.toml.";

const RECONCILE_HELP: &str = "\
Examples:
  cartera reconcile ledger.csv                       summary and exceptions
  cartera reconcile --invoices inv.csv --payments pay.csv \\
      --allocations alloc.csv --open-items open.csv --exceptions exc.csv
  cartera reconcile ledger.csv --format csv | cartera aging -
  cartera reconcile ledger.csv --fail-on-exceptions  cron: exit 1 when something needs a person

Payments may carry withholding and discount columns: the invoice is settled by
amount + withholding + discount. --format csv writes the open items as a ledger.";

const AGING_HELP: &str = "\
Examples:
  cartera aging ledger.csv                       a table, as of today
  cartera aging ledger.csv --as-of 2026-06-30    as the aging stood on that date
  cartera aging --detail ledger.csv              one row per open document
  cartera aging ledger.csv -o aging.csv          CSV, written atomically
  cat ledger.csv | cartera aging - --format csv  in a pipeline
  cartera aging --invoices inv.csv --payments pay.csv

The ledger is a CSV with a header: type (invoice, payment, credit_note), id, customer_id,
date (YYYY-MM-DD), amount, and optionally customer_name, due_date, currency, ref.";

/// The inputs of a command.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Ledger CSV files (`-` reads stdin, at most once).
    #[arg(value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// CSV of invoices; its `type` column may be omitted.
    #[arg(long, value_name = "FILE")]
    pub invoices: Vec<PathBuf>,
    /// CSV of payments (and credit notes, when their `type` says credit_note).
    #[arg(long, value_name = "FILE")]
    pub payments: Vec<PathBuf>,
}

impl InputArgs {
    /// The inputs in reading order, checked: at least one, and stdin at most once.
    pub fn sources(&self) -> Result<Vec<Source>, CliError> {
        let tag = |role: Role| {
            move |p: &PathBuf| Source {
                path: (p.as_os_str() != "-").then(|| p.clone()),
                role,
            }
        };
        let sources: Vec<Source> = (self.ledgers.iter().map(tag(Role::Ledger)))
            .chain(self.invoices.iter().map(tag(Role::Invoices)))
            .chain(self.payments.iter().map(tag(Role::Payments)))
            .collect();
        if sources.is_empty() {
            return Err(CliError::Usage {
                message: "no input given (hint: name a ledger file, - for stdin, or use --invoices and --payments)".into(),
            });
        }
        if sources.iter().filter(|s| s.path.is_none()).count() > 1 {
            return Err(CliError::Usage {
                message: "stdin (-) can be read only once".into(),
            });
        }
        Ok(sources)
    }
}

#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Write the report to FILE (atomically) instead of stdout; `-` is stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format [default: from the extension of -o (.csv, .json, .txt), else table].
    #[arg(long, value_enum, ignore_case = true)]
    pub format: Option<Format>,
}

/// What every command needs besides its inputs: the policy and the date.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The credit policy (TOML) [default: ./cartera.toml if present, else built-in defaults].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The date to report at, YYYY-MM-DD [default: today]; documents dated after it are
    /// ignored.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub as_of: Option<NaiveDate>,
    /// Customers CSV: customer_id, and optionally customer_name, credit_limit, currency,
    /// segment, terms_days (the due date of that customer's invoices whose due date is
    /// empty); its names and limits win over the ledger's and the policy's.
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// Encoding of the inputs (e.g. windows-1252) [default: UTF-8, or the policy's [input]].
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding_arg)]
    pub encoding: Option<String>,
    /// Field delimiter: , ; tab | [default: sniffed, or the policy's [input]].
    #[arg(long, value_name = "CHAR", value_parser = crate::policy::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Decimal mark of amounts: . or , (then thousands may be grouped) [default: inferred
    /// from each column's values, or the policy's [input]].
    #[arg(long, value_name = "MARK", value_parser = crate::policy::parse_decimal_mark)]
    pub decimal_mark: Option<char>,
    /// Date format in strftime codes, e.g. %d/%m/%Y [default: inferred from each column's
    /// values, or the policy's [input]].
    #[arg(long, value_name = "FORMAT", value_parser = parse_format_arg)]
    pub date_format: Option<String>,
    /// Set bad rows aside in FILE (their fields, with file, line, code and reason) and go on,
    /// instead of stopping at them.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// With --rejects: stop (exit 65) when more than N rows are bad.
    #[arg(long, value_name = "N", requires = "rejects")]
    pub max_rejects: Option<u64>,
    /// No summary line of the rows read on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Ignore ./cartera.toml: the built-in defaults, unless --policy names a file (for cron
    /// jobs, whose working directory may hold anything).
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Args, Debug, Clone)]
pub struct AgingArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// One row per open document instead of one per customer.
    #[arg(long)]
    pub detail: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug, Clone)]
pub struct RiskArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Exit 1 when any customer is at LEVEL (after writing the report).
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Also write one row per application to FILE (CSV).
    #[arg(long, value_name = "FILE")]
    pub allocations: Option<PathBuf>,
    /// Also write the open invoices and unapplied credits to FILE, as a ledger (CSV).
    #[arg(long, value_name = "FILE")]
    pub open_items: Option<PathBuf>,
    /// Also write one row per exception to FILE (CSV).
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<PathBuf>,
    /// Exit 1 when there is any exception (after writing every output).
    #[arg(long)]
    pub fail_on_exceptions: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_encoding_arg(text: &str) -> Result<String, String> {
    crate::policy::parse_encoding(text).map(|_| text.to_string())
}

fn parse_format_arg(text: &str) -> Result<String, String> {
    crate::policy::check_date_format(text).map(|()| text.to_string())
}

fn parse_date_arg(text: &str) -> Result<NaiveDate, String> {
    crate::dates::parse_iso_date(text)
        .ok_or_else(|| format!("\"{text}\" is not a date (expected YYYY-MM-DD)"))
}
