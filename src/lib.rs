//! cartera: accounts receivable from CSV exports.
//!
//! Data flows one way: `cli` → `context` → `input` (read, normalise) → `allocate` →
//! `aging` (pure compute) → `report` (rows model) → `render` → `output`. The core
//! (`allocate`, `aging`, `policy::parse_policy`, `report`, `render`) reads no clock, file
//! or terminal.

/// The hash map of every hot path: foldhash (seeded per process) instead of SipHash,
/// which was a tenth of the time of a run.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

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
