//! One module per subcommand, each an args struct (in `cli`) plus `run`; `prepare` is the
//! part they share: inputs, context, policy, ledger, allocation; `Prepared::checked` runs the
//! conservation check on the other core while a command builds its report.

pub mod aging;
pub mod reconcile;
pub mod risk;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::allocate::{Allocation, allocate, check_conservation};
use crate::cli::{Command, InputArgs, OutputArgs, RunArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::input::{Customers, Source, load_customers, load_ledger};
use crate::model::RowCounts;
use crate::model::{Ledger, Loc};
use crate::money::Currency;
use crate::output::{Staged, stage_file};
use crate::policy::{Policy, load_policy, policy_path};
use crate::render::{Format, Width, render};
use crate::report::{RunFacts, Tally, count};

pub fn run(command: &Command) -> Result<(), CliError> {
    match command {
        Command::Aging(args) => aging::run(args),
        Command::Reconcile(args) => reconcile::run(args),
        Command::Risk(args) => risk::run(args),
    }
}

/// `compute` on this core while the other checks that money in equals money out; its result
/// only once the check has passed. A broken allocation is reported as such (exit 70) even
/// when the report, working on it, stopped on the way.
fn checked_beside<T: Send>(
    ledger: &Ledger,
    alloc: &Allocation,
    compute: impl FnOnce() -> T + Send,
) -> Result<T, CliError> {
    std::thread::scope(|s| {
        let check = s.spawn(|| check_conservation(ledger, alloc));
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(compute));
        match check.join() {
            Ok(Ok(())) => match out {
                Ok(out) => Ok(out),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Ok(Err(message)) => Err(CliError::Internal { message }),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// What a command knows before it reads the ledger: context, inputs, policy, customers.
pub struct Setup {
    pub ctx: Context,
    pub sources: Vec<Source>,
    pub policy_file: Option<PathBuf>,
    pub policy: Policy,
    pub customers_file: Option<PathBuf>,
    pub customers: Customers,
}

/// Everything a command computes before its own report.
pub struct Prepared {
    pub setup: Setup,
    pub ledger: Ledger,
    pub alloc: Allocation,
}

impl std::ops::Deref for Prepared {
    type Target = Setup;
    fn deref(&self) -> &Setup {
        &self.setup
    }
}

/// With `--customers`, its terms give due dates, and the risk report uses its names,
/// segments and limits.
pub fn prepare(
    input: &InputArgs,
    run: &RunArgs,
    output: &OutputArgs,
) -> Result<Prepared, CliError> {
    setup(input, run, output)?.prepare(run)
}

/// Everything but the ledger: flags win over the policy's `[input]`.
pub fn setup(input: &InputArgs, run: &RunArgs, output: &OutputArgs) -> Result<Setup, CliError> {
    let customers_file = run.customers.as_deref();
    let sources = input.sources()?;
    let ctx = Context::resolve(run.as_of, output)?;
    let policy_file = policy_path(run.policy.as_deref(), run.no_config);
    let mut policy = load_policy(policy_file.as_deref())?;
    if let Some(label) = &run.encoding {
        policy.input.encoding =
            crate::policy::parse_encoding(label).map_err(|message| CliError::Usage { message })?;
    }
    policy.input.delimiter = run.delimiter.or(policy.input.delimiter);
    policy.input.decimal_mark = run.decimal_mark.or(policy.input.decimal_mark);
    policy.input.date_format = run.date_format.clone().or(policy.input.date_format.take());
    let customers = customers_file
        .map(|p| load_customers(p, &policy))
        .transpose()?
        .unwrap_or_default();
    Ok(Setup {
        ctx,
        sources,
        policy_file,
        policy,
        customers_file: customers_file.map(Path::to_path_buf),
        customers,
    })
}

impl Setup {
    /// The ledger file, its name and whether to show progress, when the run may take the
    /// streamed path (`stream::applies`).
    pub fn streamed(&self, run: &RunArgs) -> Option<(&Path, String, bool)> {
        let applies = crate::stream::applies(
            &self.sources,
            &self.policy,
            run.rejects.is_some(),
            self.customers_file.is_some(),
        );
        let path = self.sources[0].path.as_deref().filter(|_| applies)?;
        let progress = crate::context::show_progress(run.quiet);
        Some((path, self.sources[0].display_name(), progress))
    }

    /// Reads the ledger and allocates it.
    pub fn prepare(self, run: &RunArgs) -> Result<Prepared, CliError> {
        let set_aside = run.rejects.as_ref().map(|_| run.max_rejects);
        let progress = crate::context::show_progress(run.quiet);
        let ledger = load_ledger(
            &self.sources,
            &self.policy,
            &self.customers.terms,
            set_aside,
            progress,
        )?;
        let alloc = allocate(&ledger, self.ctx.as_of, &self.policy.allocation);
        Ok(Prepared {
            setup: self,
            ledger,
            alloc,
        })
    }

    /// Every file the run read (`None` for stdin): no output may replace one.
    pub fn inputs(&self) -> Vec<Option<&Path>> {
        (self.sources.iter().map(|s| s.path.as_deref()))
            .chain(self.policy_file.as_deref().map(Some))
            .chain(self.customers_file.as_deref().map(Some))
            .collect()
    }
}

impl Prepared {
    /// The rejects file (`--rejects`), staged beside its destination before the main output
    /// is written.
    pub fn stage_rejects(&self, run: &RunArgs) -> Result<Option<Staged>, CliError> {
        let Some(path) = &run.rejects else {
            return Ok(None);
        };
        let report = crate::report::rejects::rejects_report(&self.ledger);
        let staged = stage_file(path, &self.inputs(), |out| {
            render(&report, Format::Csv, Width::Natural, out)
        })?;
        Ok(Some(staged))
    }

    /// Once the main output is written: commits the rejects file and says on stderr what
    /// became of every row read (unless `--quiet`). The process ends next, so the documents
    /// are left to it rather than freed one by one (a second on millions of rows).
    pub fn finish(self, rejects: Option<Staged>, run: &RunArgs) -> Result<(), CliError> {
        let said = self.say(rejects, run);
        std::mem::forget(self);
        said
    }

    fn say(&self, rejects: Option<Staged>, run: &RunArgs) -> Result<(), CliError> {
        let ledger = &self.ledger;
        let first = |(n, loc): (u64, Option<Loc>)| (n, loc.map(|loc| ledger.describe(loc)));
        // Read as the built-in currency (a policy that chose one is not warned).
        let without_currency = match first(ledger.without_currency) {
            (n, Some(at)) if !self.policy.default_currency_set => {
                Some((n, at, self.policy.default_currency))
            }
            _ => None,
        };
        let due_before_issue = first(ledger.due_before_issue);
        say(
            ledger.rows,
            due_before_issue,
            without_currency,
            rejects,
            run,
        )
    }

    /// Runs `compute` (a command's report) while the other core checks that money in
    /// equals money out; its result only once the check has passed, so that nothing is
    /// written from a run that breaks it.
    pub fn checked<T: Send>(&self, compute: impl FnOnce() -> T + Send) -> Result<T, CliError> {
        checked_beside(&self.ledger, &self.alloc, compute)
    }

    pub fn facts(&self) -> RunFacts<'_> {
        RunFacts {
            policy: &self.policy,
            as_of: self.alloc.as_of,
            tally: Tally::of(&self.ledger, &self.alloc),
        }
    }
}

/// [`say`] for a streamed run (nothing set aside).
pub fn say_streamed(t: &Tally, run: &RunArgs) -> Result<(), CliError> {
    let first = t.due_before_issue.1.map(|loc| t.describe(loc));
    say(t.rows, (t.due_before_issue.0, first), None, None, run)
}

/// Once the main output is written: commits the rejects file and says on stderr what
/// became of every row read (unless `--quiet`); `due_before_issue` is how many invoices fall
/// due before they were issued and where the first was read; `without_currency`, how many
/// documents with no currency were read as the built-in one, where the first was, and it.
pub fn say(
    rows: RowCounts,
    due_before_issue: (u64, Option<String>),
    without_currency: Option<(u64, String, Currency)>,
    rejects: Option<Staged>,
    run: &RunArgs,
) -> Result<(), CliError> {
    if let Some(file) = rejects {
        file.commit()?;
    }
    let mut stderr = std::io::stderr().lock();
    if let Some((n, first, currency)) = without_currency {
        let which = count(n, "document has", "documents have");
        let was = if n == 1 { "was" } else { "were" };
        let _ = writeln!(
            stderr,
            "warning: {which} no currency and {was} read as {currency}, the built-in default (first at {first}; hint: choose the currency with [defaults] currency in a policy, or write it in a currency column)"
        );
    }
    if let (n, Some(first)) = due_before_issue {
        let which = count(
            n,
            "invoice falls due before it was",
            "invoices fall due before they were",
        );
        let _ = writeln!(stderr, "warning: {which} issued (first at {first})");
    }
    if !run.quiet {
        let r = rows;
        let into = run.rejects.as_ref().map_or(String::new(), |p| {
            format!(" (in {})", crate::error::show_path(p))
        });
        let line = format!(
            "cartera: {} read: {} used, {} set aside{into}, {} without data skipped",
            count(r.read, "row", "rows"),
            r.used,
            r.rejected,
            r.skipped
        );
        let _ = writeln!(stderr, "{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CustomerId, DocId, Invoice, Loc};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    #[test]
    fn a_report_is_given_only_once_money_in_equals_money_out() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let ledger = Ledger {
            invoices: vec![Invoice {
                id: DocId("F1".into()),
                customer: CustomerId("C1".into()),
                name: Default::default(),
                currency: crate::money::Currency::parse("COP").unwrap(),
                date: day,
                due: day,
                amount: Decimal::from(100),
                loc: Loc { source: 0, line: 2 },
            }],
            ..Ledger::default()
        };
        let mut alloc = allocate(&ledger, day, &Default::default());
        assert_eq!(checked_beside(&ledger, &alloc, || 7).unwrap(), 7);
        alloc.invoice_open[0] = Some(Decimal::from(90)); // 10 vanished
        let refused = checked_beside(&ledger, &alloc, || 7).unwrap_err();
        assert!(
            matches!(&refused, CliError::Internal { message } if message.starts_with("COP: invoiced 100"))
        );
        // A report that stops on the broken allocation still gives the check's error.
        let refused = checked_beside(&ledger, &alloc, || -> u8 { panic!("report stopped") });
        assert!(matches!(refused, Err(CliError::Internal { .. })));
    }
}
