//! What `cartera reconcile` (its open items) and `cartera risk` take from the streamed path:
//! the pools paid credit by credit ([`super::settle`]); the open items made from what was
//! kept of them, or read again from the file, and written as CSV without a cell made for
//! them.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::settle::{Figures, Item, Lines, Settled};
use super::{Followed, Job, money, row, tally};
use crate::aging::{detail_key_of_days, detail_order};
use crate::both;
use crate::error::CliError;
use crate::model::{CustomerId, DocKind, Text};
use crate::money::Currency;
use crate::policy::Policy;
use crate::report::reconcile::{open_item_columns, open_item_fields};
use crate::report::{Field, Tally};
use crate::risk::{History, Ranked, RiskRow, complete};

/// The open items of a file in report order (as `aging::sort_detail` puts them), to be
/// written as the rows of `report::reconcile::open_items_report` are.
pub struct OpenItems {
    items: Vec<Open>,
    /// The report's order: each item's key and index.
    order: Vec<(u128, usize)>,
    /// Each customer's id and name, by number, and each pool's customer and currency.
    customers: Vec<(Text, Text)>,
    pools: Vec<(u32, Currency)>,
}

/// An open item: its document (kind, id, issue and due days), pool and what is open.
struct Open {
    id: Text,
    open: i64,
    pool: u32,
    date: u16,
    due: u16,
    kind: DocKind,
}

impl OpenItems {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The CSV of the open items, as `render::csv::render_csv` writes their report.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let days = DayTexts::of(&self.items);
        let row = |i: usize| {
            // What rows further on read, read now: their pools and customers come in any
            // order, from tables too big for the caches; read a few rows ahead, a step at
            // a time, their misses overlap the rendering of this one.
            let ahead = |k: usize| self.order.get(i + k).map(|&(_, item)| &self.items[item]);
            let mut seen = 0;
            if let Some(item) = ahead(12) {
                seen ^= item.pool;
            }
            if let Some(item) = ahead(8) {
                seen ^= self.pools[item.pool as usize].0;
            }
            if let Some(item) = ahead(4) {
                let (id, name) = &self.customers[self.pools[item.pool as usize].0 as usize];
                let first = name.as_bytes().first().copied().unwrap_or_default();
                seen ^= id.len() as u32 ^ u32::from(first);
            }
            std::hint::black_box(seen);
            let item = &self.items[self.order[i].1];
            let (customer, currency) = &self.pools[item.pool as usize];
            let (id, name) = &self.customers[*customer as usize];
            let date = Field::Text(days.text(item.date));
            let due = match item.kind {
                DocKind::Invoice => Field::Text(days.text(item.due)),
                _ => Field::Empty,
            };
            let doc = (item.kind, item.id.as_str(), date, due);
            let open = money(i128::from(item.open), *currency);
            open_item_fields(doc, (id, name), open, currency)
        };
        crate::render::csv::write_rows(&open_item_columns(), self.len(), row, out)
    }
}

/// The text of each day from the first to the last of some items, as a report writes it:
/// written once each, then copied (a date made and written for each of 1.4M dates of 10M
/// open items took a tenth of the rendering).
struct DayTexts {
    first: u16,
    /// Where each day's text ends in `text`, from the first day on.
    ends: Vec<u32>,
    text: String,
}

impl DayTexts {
    fn of(items: &[Open]) -> DayTexts {
        let due = |item: &Open| (item.kind == DocKind::Invoice).then_some(item.due);
        let days = (items.iter()).flat_map(|item| std::iter::once(item.date).chain(due(item)));
        let (first, last) = days.fold((u16::MAX, 0), |(lo, hi), d| (lo.min(d), hi.max(d)));
        let mut text = Vec::new();
        let mut ends = Vec::new();
        for day in first..=last {
            crate::render::csv::write_date(&mut text, row::date_of(day));
            ends.push(text.len() as u32);
        }
        DayTexts {
            first,
            ends,
            // Digits and dashes (a date's text is ASCII).
            text: String::from_utf8(text).unwrap_or_default(),
        }
    }

    /// The text of `day`, one of the items' days.
    fn text(&self, day: u16) -> &str {
        debug_assert!(day >= self.first, "a day of the items");
        let k = usize::from(day.saturating_sub(self.first));
        let start = k.checked_sub(1).map_or(0, |p| self.ends[p]);
        let end = self.ends.get(k).copied().unwrap_or_default();
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

/// The open items of `path` as of `as_of`, or `None` when the exact path must read it.
pub fn open_items(
    path: &Path,
    name: &str,
    policy: &Policy,
    as_of: NaiveDate,
    progress: bool,
) -> Result<Option<(OpenItems, Tally)>, CliError> {
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
) -> Result<Option<(Ranked, Tally)>, CliError> {
    Job::new(path, name, policy, as_of, progress).risk()
}

impl Job<'_> {
    /// See [`open_items`].
    pub(super) fn open_items(&self) -> Result<Option<(OpenItems, Tally)>, CliError> {
        let Some((mut f, settled)) = self.settled(true)? else {
            return Ok(None);
        };
        let Some((items, keyed)) = listed(&f, settled, self.path, self.policy) else {
            return Ok(None);
        };
        let tally = tally(&f.book, self.name);
        // No two items are equal on key, id and kind: a repeated id is left to the exact
        // path.
        let order = detail_order(keyed, |i| (&items[i].id, items[i].kind));
        let open = OpenItems {
            items,
            order,
            customers: f.book.take_customer_texts(),
            pools: std::mem::take(&mut f.book.pools.of),
        };
        crate::drop_aside(f); // small by now: the open invoices went after the pools paid
        Ok(Some((open, tally)))
    }

    /// See [`risk`].
    pub(super) fn risk(&self) -> Result<Option<(Ranked, Tally)>, CliError> {
        let Some((f, settled)) = self.settled(false)? else {
            return Ok(None);
        };
        let rows = risk_rows(&f, &settled, self.policy);
        let tally = tally(&f.book, self.name);
        // Let go on another thread: 8-13 ms of freeing (200k customers' texts and pools'
        // figures) the report need not wait for.
        crate::drop_aside((f, settled));
        Ok(Some((rows, tally)))
    }
}

/// Open items, and each one's place in the report's order with its index.
type Listed = (Vec<Open>, Vec<(u128, usize)>);

/// The open items of a settled file, each with its place in the report's order
/// (`aging::detail_key_of_days`) and its index, half of them on each core: an invoice of a
/// numbered series from what was kept of it (its id written again from its fingerprint),
/// any other item read again from the file, in file order; `None` when a line no longer
/// reads as it did.
fn listed(f: &Followed, settled: Settled, path: &Path, policy: &Policy) -> Option<Listed> {
    let series = &f.book.series;
    let kept = |item: &Item| item.invoice.is_some_and(|(fp, _, _)| series.holds(fp));
    let items = settled.items;
    let mut again: Vec<Item> = items.iter().filter(|i| !kept(i)).copied().collect();
    // The items read again in file order, while the customers are ranked by id once, on
    // the other core.
    let sort = || again.sort_unstable_by_key(|i| i.at);
    let ((), ranks) = both(sort, || f.book.customer_ranks());
    // Lines read here and there are read best with a buffer of about a line, lines close
    // together with a big one.
    let size = std::fs::metadata(path).ok()?.len();
    let buffer = if size / (again.len() as u64).max(1) < 16 << 10 {
        1 << 16
    } else {
        512
    };
    let of = &f.book.pools.of;
    // Day numbers as days of the era.
    let epoch = row::date_of(0).num_days_from_ce();
    // The items of `items` kept (the others are in `again`) and those of `again`,
    // numbered from 0.
    let read = |items: &[Item], again: &[Item]| -> Option<Listed> {
        let file = File::open(path).ok()?;
        let mut lines = Lines::new(file, policy, buffer);
        let mut open = Vec::with_capacity(items.len());
        let mut keyed = Vec::with_capacity(items.len());
        let batches =
            (items.chunks(16).map(|b| (b, false))).chain(again.chunks(16).map(|b| (b, true)));
        for (batch, read_again) in batches {
            // Each item's pool, then its customer's rank, read together first: both are
            // tables too big for the caches, and their misses overlap this way.
            let mut seen = 0;
            for item in batch {
                seen ^= of[item.pool as usize].0;
            }
            for item in batch {
                seen ^= ranks[of[item.pool as usize].0 as usize];
            }
            std::hint::black_box(seen);
            for item in batch {
                let (customer, currency) = of[item.pool as usize];
                let rebuilt =
                    (item.invoice).and_then(|(fp, date, due)| Some((series.id(fp)?, date, due)));
                let (kind, id, date, due) = match rebuilt {
                    Some((id, date, due)) => (DocKind::Invoice, id, date, due),
                    None if !read_again => continue, // in `again`
                    None => lines.row(item.at, |row| {
                        (row.currency == currency).then_some(())?;
                        Some((row.kind, Text::from(row::text(row.id)?), row.date, row.due))
                    })??,
                };
                let days = |day: u16| epoch + i32::from(day);
                let due_days = (kind == DocKind::Invoice).then(|| days(due));
                let place = (
                    currency,
                    ranks[customer as usize],
                    kind,
                    due_days,
                    days(date),
                );
                keyed.push((detail_key_of_days(place), open.len()));
                open.push(Open {
                    id,
                    open: item.open,
                    pool: item.pool,
                    date,
                    due,
                    kind,
                });
            }
        }
        Some((open, keyed))
    };
    // Half of each kind on each core.
    let (first, second) = items.split_at(items.len() / 2);
    let (again_first, again_second) = again.split_at(again.len() / 2);
    let (here, there) = both(|| read(first, again_first), || read(second, again_second));
    let ((mut open, mut keyed), (more, more_keyed)) = (here?, there?);
    let n = open.len();
    open.extend(more);
    keyed.extend(more_keyed.into_iter().map(|(key, i)| (key, n + i)));
    Some((open, keyed))
}

fn risk_rows(f: &Followed, settled: &Settled, policy: &Policy) -> Ranked {
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
    Ranked::new(rows)
}
