//! `cartera reconcile`: prepare → lines, summary, exceptions, open items → rows → every
//! output staged, then committed (side files first, the main output last). The CSV of open
//! items alone, of one native ledger file, takes the streamed path (`stream::open_items`)
//! when it can.

use std::path::Path;

use crate::aging::{age, sort_detail};
use crate::cli::ReconcileArgs;
use crate::error::CliError;
use crate::output::{Staged, Target, stage_file};
use crate::render::{Format, render, render_all};
use crate::report::Report;
use crate::report::reconcile::{
    allocations_report, exceptions_report, open_items_report, summary_report,
};
use crate::report::{RunFacts, count};
use crate::{output, reconcile, stream};

pub fn run(args: &ReconcileArgs) -> Result<(), CliError> {
    let setup = super::setup(&args.input, &args.run, &args.output)?;
    // The open items alone, as CSV, take the streamed path when they can.
    let alone = setup.ctx.format == Format::Csv
        && args.allocations.is_none()
        && args.open_items.is_none()
        && args.exceptions.is_none()
        && !args.fail_on_exceptions;
    if let Some((path, name, progress)) = setup.streamed(&args.run).filter(|_| alone) {
        let as_of = setup.ctx.as_of;
        if let Some((items, tally)) =
            stream::open_items(path, &name, &setup.policy, as_of, progress)?
        {
            let written = output::write_output(&setup.ctx.target, &setup.inputs(), |out| {
                items.write_csv(out)
            });
            match written {
                Ok(()) | Err(CliError::BrokenPipe) => {}
                Err(e) => return Err(e),
            }
            crate::drop_aside(items);
            return super::say_streamed(&tally, &args.run);
        }
    }
    let p = setup.prepare(&args.run)?;
    let internal = |message| CliError::Internal { message };
    // Every report is built only when written: the summary (and its check) in the table
    // and JSON, the lines with the summary or --allocations, the open items in CSV, JSON
    // or --open-items.
    let json = p.ctx.format == Format::Json;
    let summarised = p.ctx.format != Format::Csv;
    let built = p.checked(|| -> Result<_, CliError> {
        let lines = if summarised || args.allocations.is_some() {
            reconcile::lines(&p.ledger, &p.alloc)
        } else {
            Vec::new()
        };
        let summary = if summarised {
            let (rows, totals) = reconcile::summary(&p.ledger, &p.alloc, &lines);
            reconcile::check_summary(&rows).map_err(internal)?;
            let (meta, footer) = RunFacts::describe(&p.facts(), None, " (see the exceptions)");
            Some(summary_report(&rows, &totals, footer, meta))
        } else {
            None
        };
        let exceptions = reconcile::exceptions(&p.ledger, &p.alloc);
        let exceptions_table = exceptions_report(&exceptions, &p.ledger);
        let allocations = (args.allocations.is_some() || json).then(|| allocations_report(&lines));
        let open_items =
            (args.open_items.is_some() || json || p.ctx.format == Format::Csv).then(|| {
                let mut open = age(&p.ledger, &p.alloc, &p.policy.aging).detail;
                sort_detail(&mut open);
                open_items_report(&open)
            });
        let found = exceptions.len() as u64;
        Ok((summary, found, exceptions_table, allocations, open_items))
    })??;
    let (summary, found, exceptions_table, allocations, open_items) = built;

    let inputs = p.inputs();
    let rejects = p.stage_rejects(&args.run)?;
    let mut staged: Vec<Staged> = Vec::new();
    for (path, report) in [
        (&args.allocations, allocations.as_ref()),
        (&args.open_items, open_items.as_ref()),
        (&args.exceptions, Some(&exceptions_table)),
    ] {
        if let (Some(path), Some(report)) = (path, report) {
            staged.push(stage_csv(path, report, &inputs, &staged)?);
        }
    }
    let main: Vec<&Report> = match p.ctx.format {
        Format::Table => [summary.as_ref(), Some(&exceptions_table)]
            .into_iter()
            .flatten()
            .collect(),
        Format::Csv => open_items.iter().collect(),
        Format::Json => [summary.as_ref(), Some(&exceptions_table)]
            .into_iter()
            .chain([allocations.as_ref(), open_items.as_ref()])
            .flatten()
            .collect(),
    };
    let write_main =
        |out: &mut dyn std::io::Write| render_all(&main, p.ctx.format, p.ctx.width, out);
    // The side files land only once the main output is safe: staged and renamed last when
    // it is a file, or fully written first when it is stdout (a reader that stops early,
    // as `| head` does, is no failure).
    match &p.ctx.target {
        Target::File(path) => {
            let main = stage_unique(path, &inputs, &staged, write_main)?;
            staged.into_iter().try_for_each(Staged::commit)?;
            main.commit()?;
        }
        Target::Stdout => {
            match output::write_output(&Target::Stdout, &inputs, write_main) {
                Ok(()) | Err(CliError::BrokenPipe) => {}
                Err(e) => return Err(e),
            }
            staged.into_iter().try_for_each(Staged::commit)?;
        }
    }
    p.finish(rejects, &args.run)?;
    if args.fail_on_exceptions && found > 0 {
        let n = count(found, "exception needs", "exceptions need");
        return Err(CliError::Findings {
            message: format!("{n} a person (exit 1 for --fail-on-exceptions)"),
        });
    }
    Ok(())
}

/// A side output: always CSV.
fn stage_csv(
    path: &Path,
    report: &Report,
    inputs: &[Option<&Path>],
    staged: &[Staged],
) -> Result<Staged, CliError> {
    stage_unique(path, inputs, staged, |out| {
        render(report, Format::Csv, crate::render::Width::Natural, out)
    })
}

/// Stages a file, refusing a path that another output of the run already takes.
fn stage_unique(
    path: &Path,
    inputs: &[Option<&Path>],
    staged: &[Staged],
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<Staged, CliError> {
    if path.as_os_str() == "-" {
        let shown = crate::error::show_path(path);
        return Err(CliError::Usage {
            message: format!(
                "{shown}: the side outputs are files (hint: --format csv writes the open items to stdout)"
            ),
        });
    }
    let file = stage_file(path, inputs, write)?;
    if staged.iter().any(|s| s.same_destination(&file)) {
        let shown = crate::error::show_path(path);
        return Err(CliError::Usage {
            message: format!("{shown} is named for two outputs; give each output its own file"),
        });
    }
    Ok(file)
}
