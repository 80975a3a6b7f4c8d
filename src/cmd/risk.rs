//! `cartera risk`: prepare (with a customers file) → age → assess → rows → render → write;
//! `--fail-on LEVEL` exits 1 when any customer lands in that level.

use crate::aging::{age_named, customer_names};
use crate::cli::RiskArgs;
use crate::error::CliError;
use crate::output::write_output;
use crate::render::render;
use crate::report::count;
use crate::report::risk::risk_report;
use crate::risk::assess;

pub fn run(args: &RiskArgs) -> Result<(), CliError> {
    let p = super::prepare(&args.input, &args.run, &args.output)?;
    let levels = &p.policy.risk.levels;
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
    let rows = p.checked(|| {
        let names = customer_names(&p.ledger, p.alloc.as_of);
        let aging = age_named(&p.ledger, &p.alloc, &p.policy.aging, &names);
        let info = &p.customers.info;
        assess(&p.ledger, &p.alloc, &aging, &p.policy, info, &names)
    })?;
    let (meta, mut footer) = p.facts().describe(None, " (cartera reconcile lists them)");
    let listed: std::collections::HashSet<_> = rows.iter().map(|r| &r.customer).collect();
    let unmatched = p
        .customers
        .info
        .keys()
        .filter(|c| !listed.contains(c))
        .count() as u64;
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
    let report = risk_report(&rows, &p.policy, footer, meta);
    let rejects = p.stage_rejects(&args.run)?;
    write_output(&p.ctx.target, &p.inputs(), |out| {
        render(&report, p.ctx.format, p.ctx.width, out)
    })?;
    let at_level = |level: usize| {
        let n = rows.iter().filter(|r| r.level == Some(level)).count() as u64;
        (n, levels[level].name.clone())
    };
    let failing = fail_on.map(at_level);
    p.finish(rejects, &args.run)?;
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
