//! `cartera aging`: prepare → age → rows → render → write. The summary of one native
//! ledger file takes the streamed path (`stream`) when it can; everything else, and
//! whatever that path leaves, the exact one.

use crate::aging::{Aging, age, sort_detail};
use crate::cli::AgingArgs;
use crate::error::CliError;
use crate::output::write_output;
use crate::render::{Format, render};
use crate::report::RunFacts;
use crate::report::aging::{detail_report, summary_report, write_summary_csv};
use crate::stream;

pub fn run(args: &AgingArgs) -> Result<(), CliError> {
    let setup = super::setup(&args.input, &args.run, &args.output)?;
    let run = &args.run;
    if let Some((path, name, progress)) = setup.streamed(run).filter(|_| !args.detail) {
        let as_of = setup.ctx.as_of;
        if let Some(s) = stream::age(path, &name, &setup.policy, as_of, progress)? {
            let aging = Aging {
                as_of,
                rows: s.rows,
                detail: Vec::new(),
                totals: s.totals,
            };
            let facts = RunFacts {
                policy: &setup.policy,
                as_of,
                tally: s.tally,
            };
            if setup.ctx.format == Format::Csv {
                // The rows alone: a report's totals and footer are not part of CSV.
                write_output(&setup.ctx.target, &setup.inputs(), |out| {
                    write_summary_csv(&aging, &setup.policy, out)
                })?;
            } else {
                let report = summary_report(&aging, &facts);
                write_output(&setup.ctx.target, &setup.inputs(), |out| {
                    render(&report, setup.ctx.format, setup.ctx.width, out)
                })?;
                crate::drop_aside(report);
            }
            crate::drop_aside(aging);
            return super::say_streamed(&facts.tally, run);
        }
    }
    let p = setup.prepare(run)?;
    let report = p.checked(|| {
        let mut aging = age(&p.ledger, &p.alloc, &p.policy.aging);
        let facts = p.facts();
        if args.detail {
            sort_detail(&mut aging.detail);
            detail_report(&aging, &facts)
        } else {
            summary_report(&aging, &facts)
        }
    })?;
    let rejects = p.stage_rejects(run)?;
    write_output(&p.ctx.target, &p.inputs(), |out| {
        render(&report, p.ctx.format, p.ctx.width, out)
    })?;
    p.finish(rejects, run)
}
