//! `cartera aging`: read → allocate → age → rows → render → write.

use std::path::Path;

use crate::aging::age;
use crate::allocate::{allocate, check_conservation};
use crate::cli::AgingArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::input::load_ledger;
use crate::output::write_output;
use crate::policy::{load_policy, policy_path};
use crate::render::render;
use crate::report::aging::{RunFacts, detail_report, summary_report};

pub fn run(args: &AgingArgs) -> Result<(), CliError> {
    let sources = args.input.sources()?;
    let ctx = Context::resolve(args.as_of, &args.output)?;
    let policy_file = policy_path(args.policy.as_deref());
    let policy = load_policy(policy_file.as_deref())?;
    let ledger = load_ledger(&sources, &policy)?;
    let alloc = allocate(&ledger, ctx.as_of, &policy.allocation);
    check_conservation(&ledger, &alloc).map_err(|message| CliError::Internal { message })?;
    let aging = age(&ledger, &alloc, &policy.aging);
    let facts = RunFacts {
        ledger: &ledger,
        policy: &policy,
        alloc: &alloc,
    };
    let report = if args.detail {
        detail_report(&aging, &facts)
    } else {
        summary_report(&aging, &facts)
    };
    let read: Vec<Option<&Path>> = (sources.iter().map(|s| s.path.as_deref()))
        .chain(policy_file.as_deref().map(Some))
        .collect();
    write_output(&ctx.target, &read, |out| {
        render(&report, ctx.format, ctx.width, out)
    })
}
