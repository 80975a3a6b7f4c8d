//! cartera: accounts receivable from CSV exports.
//!
//! Data flows one way: `cli` → `context` → `input` (read, normalise) → `allocate` →
//! `aging` (pure compute) → `report` (rows model) → `render` → `output`. The core
//! (`allocate`, `aging`, `policy::parse_policy`, `report`, `render`) reads no clock, file
//! or terminal.

/// The hash map of every hot path: foldhash (seeded per process) instead of SipHash,
/// which was a tenth of the time of a run.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Drops `value` on a thread of its own, for what a run no longer needs and would wait
/// for: the documents and rows of a large report once written (720k open items at 10M
/// invoices took 0.2 s to free one by one), or lists of hundreds of megabytes whose pages
/// the system takes back while the run goes on. Where no thread starts, it is dropped
/// here.
pub(crate) fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// `here` on this core and `there` on the other, both done (a panic in either is
/// resumed here).
pub(crate) fn both<A, B: Send>(
    here: impl FnOnce() -> A,
    there: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|s| {
        let there = s.spawn(there);
        let here = here();
        let there = there
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (here, there)
    })
}

pub mod aging;
pub mod allocate;
pub mod app;
pub mod cli;
pub mod cmd;
pub mod context;
pub mod dates;
pub mod error;
pub mod index;
pub mod input;
pub mod model;
pub mod money;
pub mod output;
pub mod policy;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod risk;
pub mod stream;

/// A test's stream of numbers, the same for a seed: each call draws one below `n` (a linear
/// congruential generator, Knuth's MMIX constants).
#[cfg(test)]
pub(crate) fn draws(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % n
    }
}
