//! `cartera aging`: prepare → age → rows → render → write.

use crate::aging::{age, sort_detail};
use crate::cli::AgingArgs;
use crate::error::CliError;
use crate::output::write_output;
use crate::render::render;
use crate::report::aging::{detail_report, summary_report};

pub fn run(args: &AgingArgs) -> Result<(), CliError> {
    let p = super::prepare(&args.input, &args.run, &args.output)?;
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
    let rejects = p.stage_rejects(&args.run)?;
    write_output(&p.ctx.target, &p.inputs(), |out| {
        render(&report, p.ctx.format, p.ctx.width, out)
    })?;
    p.finish(rejects, &args.run)
}
