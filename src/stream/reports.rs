//! What `cartera reconcile` (its open items) and `cartera risk` take from the streamed path:
//! the pools paid credit by credit ([`super::settle`]), the open items read again from the
//! file.

use std::fs::File;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::settle::{Figures, Item, Lines, Settled};
use super::{Followed, Job, money, row, tally};
use crate::aging::{detail_key, detail_order, in_order};
use crate::both;
use crate::error::CliError;
use crate::model::{CustomerId, DocKind, Text};
use crate::policy::Policy;
use crate::report::Cell;
use crate::report::Tally;
use crate::report::reconcile::open_item_row;
use crate::risk::{History, RiskRow, complete, sort_rows};

/// The rows of the open items, and what the run counted.
pub type OpenItems = (Vec<Vec<Cell>>, Tally);

/// The rows of the open items of `path` as of `as_of` (`report::reconcile::open_item_row`),
/// in report order (as `aging::sort_detail` puts them), or `None` when the exact path must
/// read it.
pub fn open_items(
    path: &Path,
    name: &str,
    policy: &Policy,
    as_of: NaiveDate,
    progress: bool,
) -> Result<Option<OpenItems>, CliError> {
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
    pub(super) fn open_items(&self) -> Result<Option<OpenItems>, CliError> {
        let Some((f, settled)) = self.settled()? else {
            return Ok(None);
        };
        let Some(listed) = listed(&f, settled, self.path, self.policy) else {
            return Ok(None);
        };
        let tally = tally(&f.book, self.name);
        crate::drop_aside(f); // small by now: the open invoices went after the pools paid
        let Listed { rows, keyed, ties } = listed;
        let order = detail_order(keyed, |i| (&ties[i].0, ties[i].1));
        Ok(Some((in_order(rows, &order), tally)))
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

/// The open items of a settled file, read again from `path` in file order: their rows,
/// each one's place in the report's order (`aging::detail_key`, with its index), and the
/// id and kind that break ties.
struct Listed {
    rows: Vec<Vec<Cell>>,
    keyed: Vec<(u128, usize)>,
    ties: Vec<(Text, DocKind)>,
}

/// [`Listed`], each half of the items read on its own core; `None` when a line no longer
/// reads as it did.
fn listed(f: &Followed, settled: Settled, path: &Path, policy: &Policy) -> Option<Listed> {
    let customers = f.book.customer_texts();
    let mut items = settled.items;
    // The items in file order, while the customers are ranked by id once, on the other
    // core.
    let sort = || items.sort_unstable_by_key(|i| i.at);
    let ((), ranks) = both(sort, || f.book.customer_ranks());
    let of = &f.book.pools.of;
    let read = |items: &[Item], first: usize| -> Option<Listed> {
        let file = File::open(path).ok()?;
        let mut lines = Lines::new(file, policy, 1 << 16);
        let mut listed = Listed {
            rows: Vec::with_capacity(items.len()),
            keyed: Vec::with_capacity(items.len()),
            ties: Vec::with_capacity(items.len()),
        };
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
                let (id, shown) = &customers[customer as usize];
                let read = lines.row(item.at, |row| {
                    (row.currency == currency).then_some(())?;
                    let doc = Text::from(row::text(row.id)?);
                    let date = row::date_of(row.date);
                    let due = (row.kind == DocKind::Invoice).then(|| row::date_of(row.due));
                    let place = (currency, ranks[customer as usize], row.kind, due, date);
                    let open = money(i128::from(item.open), currency);
                    let tie = (doc.clone(), row.kind);
                    let cells = open_item_row(
                        (row.kind, doc, date, due),
                        (id.clone(), shown),
                        open,
                        currency,
                    );
                    Some((cells, detail_key(place), tie))
                });
                let (cells, key, tie) = read.flatten()?;
                listed.keyed.push((key, first + listed.rows.len()));
                listed.rows.push(cells);
                listed.ties.push(tie);
            }
        }
        Some(listed)
    };
    let (first, second) = items.split_at(items.len() / 2);
    let (here, there) = both(|| read(first, 0), || read(second, first.len()));
    let (mut all, more) = (here?, there?);
    all.rows.extend(more.rows);
    all.keyed.extend(more.keyed);
    all.ties.extend(more.ties);
    Some(all)
}

fn risk_rows(f: &Followed, settled: &Settled, policy: &Policy) -> Vec<RiskRow> {
    let customers = f.book.customer_texts();
    let no_info = crate::Map::default();
    let hundredths = |v: i128| Decimal::from_i128_with_scale(v, 2);
    // The rows of the pools from `first` on, in pool order.
    let rows_of = |figures: &[Figures], first: usize| {
        let mut rows = Vec::with_capacity(figures.len());
        for (pool, figures) in (first..).zip(figures) {
            if !f.book.pools.dated[pool] {
                continue;
            }
            let (customer, currency) = f.book.pools.of[pool];
            let (id, shown) = &customers[customer as usize];
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
        rows
    };
    // Each half of the pools on its own core.
    let (first, second) = settled.figures.split_at(settled.figures.len() / 2);
    let (mut rows, more) = both(|| rows_of(first, 0), || rows_of(second, first.len()));
    rows.extend(more);
    sort_rows(&mut rows);
    rows
}
