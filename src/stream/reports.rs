//! What `cartera reconcile` (its open items) and `cartera risk` take from the streamed path:
//! the pools paid credit by credit ([`super::settle`]), the open items read again from the
//! file.

use std::fs::File;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::settle::{Item, Lines, Settled};
use super::{Followed, Job, both, money, row, tally};
use crate::aging::{OpenDoc, rank_customers, sort_detail_ranked};
use crate::error::CliError;
use crate::model::{CustomerId, DocId, DocKind};
use crate::policy::{Basis, Policy};
use crate::report::Tally;
use crate::risk::{History, RiskRow, complete, sort_rows};

/// The open items of `path` as of `as_of`, in report order (as `aging::sort_detail` puts
/// them), or `None` when the exact path must read it.
pub fn open_items(
    path: &Path,
    name: &str,
    policy: &Policy,
    as_of: NaiveDate,
    progress: bool,
) -> Result<Option<(Vec<OpenDoc>, Tally)>, CliError> {
    Job::new(path, name, policy, as_of, progress).open_items()
}

/// The risk rows of `path` as of `as_of` (no customers file), sorted as `risk::assess`
/// sorts them, or `None` when the exact path must read it.
pub fn risk(
    path: &Path,
    name: &str,
    policy: &Policy,
    as_of: NaiveDate,
    progress: bool,
) -> Result<Option<(Vec<RiskRow>, Tally)>, CliError> {
    Job::new(path, name, policy, as_of, progress).risk()
}

impl Job<'_> {
    /// See [`open_items`].
    pub(super) fn open_items(&self) -> Result<Option<(Vec<OpenDoc>, Tally)>, CliError> {
        let (Some((f, settled)), Some(as_of_day)) = (self.settled()?, row::day_number(self.as_of))
        else {
            return Ok(None);
        };
        let Some((mut docs, rank)) = listed(&f, settled, self.path, self.policy, as_of_day) else {
            return Ok(None);
        };
        let tally = tally(&f.book, self.name);
        drop(f); // before the sort's copies are made
        sort_detail_ranked(&mut docs, &rank);
        Ok(Some((docs, tally)))
    }

    /// See [`risk`].
    pub(super) fn risk(&self) -> Result<Option<(Vec<RiskRow>, Tally)>, CliError> {
        let Some((f, settled)) = self.settled()? else {
            return Ok(None);
        };
        let rows = risk_rows(&f, &settled, self.policy);
        Ok(Some((rows, tally(&f.book, self.name))))
    }
}

/// The open items of a settled file, read again from `path` in file order, each half on
/// its own core, and the rank by id of each one's customer; `None` when a line no longer
/// reads as it did.
fn listed(
    f: &Followed,
    settled: Settled,
    path: &Path,
    policy: &Policy,
    as_of_day: u16,
) -> Option<(Vec<OpenDoc>, Vec<u32>)> {
    let customers = f.book.customer_list();
    let mut items = settled.items;
    items.sort_unstable_by_key(|i| i.at);
    // Customers ranked by id once, from the book's list of them.
    let ids = customers.iter().enumerate();
    let ranks = rank_customers(
        ids.map(|(n, (id, ..))| (CustomerId(id.clone()), n))
            .collect(),
    );
    let of = &f.book.pools.of;
    let read = |items: &[Item]| -> Option<(Vec<OpenDoc>, Vec<u32>)> {
        let file = File::open(path).ok()?;
        let mut lines = Lines::new(file, policy, 1 << 16);
        let mut docs = Vec::with_capacity(items.len());
        let mut rank = Vec::with_capacity(items.len());
        for batch in items.chunks(16) {
            // Each item's pool, then its customer, read together first: both are tables
            // too big for the caches, and their misses overlap this way.
            let mut seen = 0;
            for item in batch {
                seen ^= of[item.pool as usize].0;
            }
            for item in batch {
                seen ^= customers[of[item.pool as usize].0 as usize].0.len() as u32;
            }
            std::hint::black_box(seen);
            for item in batch {
                let (customer, currency) = of[item.pool as usize];
                let (id, (_, shown), _) = &customers[customer as usize];
                let doc = lines.row(item.at, |row| {
                    let invoice = row.kind == DocKind::Invoice;
                    let since = match policy.aging.basis {
                        Basis::DueDate => row.due,
                        Basis::IssueDate => row.date,
                    };
                    let days = i64::from(as_of_day) - i64::from(since);
                    let open = money(i128::from(item.open), currency);
                    (row.currency == currency).then_some(())?;
                    Some(OpenDoc {
                        customer: CustomerId(id.clone()),
                        name: shown.as_str().to_owned(),
                        currency,
                        kind: row.kind,
                        id: DocId(row::text(row.id)?.into()),
                        date: row::date_of(row.date),
                        due: invoice.then(|| row::date_of(row.due)),
                        days: invoice.then_some(days),
                        bucket: invoice.then(|| policy.aging.bucket_for(days)),
                        open: if invoice { open } else { -open },
                    })
                });
                docs.push(doc.flatten()?);
                rank.push(ranks[customer as usize]);
            }
        }
        Some((docs, rank))
    };
    let (first, second) = items.split_at(items.len() / 2);
    let (here, there) = both(|| read(first), || read(second));
    let ((mut docs, mut rank), (more, more_rank)) = (here?, there?);
    docs.extend(more);
    rank.extend(more_rank);
    Some((docs, rank))
}

fn risk_rows(f: &Followed, settled: &Settled, policy: &Policy) -> Vec<RiskRow> {
    let customers = f.book.customer_list();
    let no_info = crate::Map::default();
    let hundredths = |v: i128| Decimal::from_i128_with_scale(v, 2);
    let mut rows = Vec::new();
    for (pool, figures) in settled.figures.iter().enumerate() {
        if !f.book.pools.dated[pool] {
            continue;
        }
        let (customer, currency) = f.book.pools.of[pool];
        let (id, (_, shown), _) = &customers[customer as usize];
        let mut row = RiskRow::new(
            CustomerId(id.clone()),
            shown.as_str().to_owned(),
            String::new(),
            currency,
        );
        let open: i128 = figures.buckets.iter().sum();
        row.balance = money(open - figures.unapplied, currency);
        row.overdue = money(figures.overdue, currency);
        row.max_days_past_due = figures.max_days;
        row.provision = (figures.buckets.iter().zip(&policy.aging.buckets))
            .map(|(&v, bucket)| money(v, currency) * bucket.provision_rate)
            .sum();
        let h = &figures.history;
        let history = (h.settled > 0).then(|| {
            History::from_sums(
                h.settled,
                h.late,
                hundredths(h.weighted),
                hundredths(h.weight),
            )
        });
        complete(&mut row, history.as_ref(), policy, &no_info);
        rows.push(row);
    }
    sort_rows(&mut rows);
    rows
}
