//! `cartera risk`: prepare (with a customers file) → age → assess → rows → render → write;
//! `--fail-on LEVEL` exits 1 when any customer lands in that level. One native ledger file
//! without a customers file takes the streamed path (`stream::risk`) when it can.

use super::Setup;
use crate::aging::{age_named, customer_names};
use crate::cli::RiskArgs;
use crate::error::CliError;
use crate::output::write_output;
use crate::render::{Format, render};
use crate::report::risk::{risk_report, write_risk_csv};
use crate::report::{RunFacts, count};
use crate::risk::{Ranked, RiskRow, assess};
use crate::stream;

pub fn run(args: &RiskArgs) -> Result<(), CliError> {
    let setup = super::setup(&args.input, &args.run, &args.output)?;
    let run = &args.run;
    if let Some((path, name, progress)) = setup.streamed(run) {
        let as_of = setup.ctx.as_of;
        if let Some((rows, tally)) = stream::risk(path, &name, &setup.policy, as_of, progress)? {
            let facts = RunFacts {
                policy: &setup.policy,
                as_of,
                tally,
            };
            let failing = write(&setup, args, rows, &facts, || Ok(()))?;
            super::say_streamed(&facts.tally, run)?;
            return failed(failing);
        }
    }
    let p = setup.prepare(run)?;
    let rows = p.checked(|| {
        let names = customer_names(&p.ledger, p.alloc.as_of);
        let aging = age_named(&p.ledger, &p.alloc, &p.policy.aging, &names);
        let info = &p.customers.info;
        assess(&p.ledger, &p.alloc, &aging, &p.policy, info, &names)
    })?;
    let mut rejects = None;
    let failing = write(&p, args, Ranked::sorted(rows), &p.facts(), || {
        rejects = p.stage_rejects(run)?;
        Ok(())
    })?;
    p.finish(rejects, run)?;
    failed(failing)
}

/// Writes the report of `rows` (`stage` once it is built, before it is written); the
/// accounts at the `--fail-on` level and its name.
fn write(
    setup: &Setup,
    args: &RiskArgs,
    rows: Ranked,
    facts: &RunFacts,
    stage: impl FnOnce() -> Result<(), CliError>,
) -> Result<Option<(u64, String)>, CliError> {
    let levels = &setup.policy.risk.levels;
    let fail_on = match &args.fail_on {
        None => None,
        Some(name) => Some(
            levels
                .iter()
                .position(|l| l.name.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    let known: Vec<&str> = levels.iter().map(|l| l.name.as_str()).collect();
                    let known = if known.is_empty() {
                        "none: add [[risk.levels]] to the policy".to_string()
                    } else {
                        known.join(", ")
                    };
                    CliError::Usage {
                        message: format!(
                            "--fail-on \"{}\" is not a level of the policy (its levels: {known})",
                            crate::error::sanitize(name)
                        ),
                    }
                })?,
        ),
    };
    let failing = |rows: &[RiskRow]| {
        fail_on.map(|level| {
            let n = rows.iter().filter(|r| r.level == Some(level)).count() as u64;
            (n, levels[level].name.clone())
        })
    };
    if setup.ctx.format == Format::Csv {
        // The rows alone: a report's footer and totals are not part of CSV.
        stage()?;
        write_output(&setup.ctx.target, &setup.inputs(), |out| {
            write_risk_csv(&rows, &setup.policy, out)
        })?;
        let failing = failing(rows.rows());
        crate::drop_aside(rows);
        return Ok(failing);
    }
    let rows = rows.into_sorted();
    let (meta, mut footer) = facts.describe(None, " (cartera reconcile lists them)");
    let info = &setup.customers.info;
    let unmatched = if info.is_empty() {
        0
    } else {
        let listed: std::collections::HashSet<_> = rows.iter().map(|r| &r.customer).collect();
        (info.keys()).filter(|c| !listed.contains(c)).count() as u64
    };
    if unmatched > 0 {
        let who = count(
            unmatched,
            "customer of the customers file has",
            "customers of the customers file have",
        );
        footer.push(format!(
            "{who} no document by then (check how their ids are written)"
        ));
    }
    let report = risk_report(&rows, &setup.policy, footer, meta);
    stage()?;
    write_output(&setup.ctx.target, &setup.inputs(), |out| {
        render(&report, setup.ctx.format, setup.ctx.width, out)
    })?;
    let failing = failing(&rows);
    crate::drop_aside((report, rows));
    Ok(failing)
}

/// Exit 1 when `--fail-on` found accounts at its level.
fn failed(failing: Option<(u64, String)>) -> Result<(), CliError> {
    if let Some((n, name)) = failing
        && n > 0
    {
        let who = count(n, "customer account is", "customer accounts are");
        return Err(CliError::Findings {
            message: format!("{who} at level \"{name}\" (exit 1 for --fail-on {name})"),
        });
    }
    Ok(())
}
