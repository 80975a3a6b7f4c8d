//! A large file's streamed run in memory that does not grow with it (issue 6): each part's
//! invoices, references and credit ids are written, as they are read, to a temporary file,
//! each to one of its partitions by a hash of the fingerprint it names (a reference goes
//! where its invoice goes, a credit id where its repeats go); once the file is read, the
//! partitions are followed one at a time, each core taking the next one not taken, each
//! one's lists read back and sorted, and the space of each run of partitions read let go
//! ([`Spill::release`]). The result is the one
//! [`super::book::follow_both`] gives: an invoice and the references to it meet in their
//! partition, and what they add to the pools and the aging's sums are sums.
//!
//! The aging by due date keeps only sums. Open items and risk go on: the invoices left
//! open are written again, each core's to a temporary file of its own, by the range of
//! their pool ([`of_pool`]); the pools' credits (written out with the other lists while
//! reading, and those the references leave, over what they paid or naming no invoice of
//! theirs, kept in memory until then) go to the first core's file the same way; and the
//! pools are paid a range at a time (`super::settle`). What a run holds is then a batch of
//! lists per part while reading and two partitions or ranges at a time after, each a fixed
//! share of the file (`Spilling`), besides the customers and pools, the open items it
//! lists, and what the references leave: those credits, the invoices they paid in part
//! and left open, and the payment history per pool.
//!
//! The temporary files are made where `std::env::temp_dir` says (`TMPDIR`), and removed by
//! the system when the run ends, however it ends. When they cannot be made, the lists are
//! kept in memory as for a small file; when they cannot be written or read, the exact path
//! reads the file.

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::book::{self, Ages, Counts, Pools};
use super::records::{Fp, Invoice, Packed, Ref};

/// When a streamed run spills its lists: from files of `from` bytes, in a partition per
/// `partition_bytes` of file (a power of two of them), every list written out as soon as
/// one holds `flush` items, or 2,048 per partition if that is fewer (a small file's lists
/// stay small, a large one's blocks large enough to read back in few calls); with
/// `by_pool`, open items and risk write out the open invoices and the pools' credits by
/// pool range too (tests turn it off, to try keeping them as when no file can be made).
#[derive(Clone, Copy, Debug)]
pub(super) struct Spilling {
    pub from: u64,
    pub partition_bytes: u64,
    pub flush: usize,
    pub by_pool: bool,
}

/// From 64 MiB (half a million invoices), a partition per 16 MiB of file (10 million
/// invoices: 128 of them, 80k invoices each), lists written out every 128k items (3-4 MB)
/// at most: at 10 million invoices a block holds a thousand items of a partition, read
/// back in one call. With 32k, reading the blocks back took 0.3-0.4 s more system time (a
/// call per 256 items); with 256k, more memory for no less time.
pub(super) const SPILLING: Spilling = Spilling {
    from: 64 << 20,
    partition_bytes: 16 << 20,
    flush: 1 << 17,
    by_pool: true,
};

impl Spilling {
    /// How many partitions (as a power of two) a file of `size` bytes is spilled into, or
    /// `None` when it is kept in memory.
    pub(super) fn bits(&self, size: u64) -> Option<u32> {
        if size < self.from {
            return None;
        }
        let parts = size.div_ceil(self.partition_bytes.max(1)).max(1);
        Some(parts.next_power_of_two().trailing_zeros().min(MAX_BITS))
    }

    /// How many items a list of a spill in 2^`bits` partitions holds before it is written.
    pub(super) fn flush(&self, bits: u32) -> usize {
        self.flush.min(2048 << bits).max(1)
    }
}

/// At most 2^16 partitions.
const MAX_BITS: u32 = 16;

/// The partitions (as a power of two) the open invoices and pools' credits are written
/// out in by pool range, of a file read into 2^`bits`: four times as many, so that a
/// range's invoices (about 1.7 MB at 10M invoices, a quarter of that this way) come close
/// to fitting the cache while they are put in order by pool, place after place here and
/// there. 10M open items, runs alternated: with twice as many, paying the pools took
/// 0.29-0.37 s against 0.32-0.41 s, putting them in order 93-122 ms a core against 108-159
/// ms; with four times as many (and [`BY_POOL_FLUSH`]), 0.29-0.34 s and 85-100 ms against
/// 0.33-0.37 s and 104-122 ms for twice; eight times read back slower (smaller blocks).
pub(super) fn by_pool_bits(bits: u32) -> u32 {
    (bits + 2).min(MAX_BITS)
}

/// The open invoices are written out by pool every this many times as many as the file's
/// lists are: each partition's blocks stay as big as they were with fewer partitions (about
/// 32 KB at 10M invoices), read back in as few reads.
pub(super) const BY_POOL_FLUSH: usize = 4;

/// The lists a part spills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum List {
    Invoices = 0,
    Refs = 1,
    /// The hashes of the ids of payments.
    Payments = 2,
    /// The hashes of the ids of credit notes.
    CreditNotes = 3,
    /// The credit the pools hold, credit by credit (open items and risk).
    Lumps = 4,
}

/// How many lists there are.
const LISTS: usize = 5;

/// The hash that places an invoice, and the references to it, in a partition.
pub(super) fn of_fp(fp: Fp) -> u64 {
    mix(fp.0 ^ u64::from(fp.1).rotate_left(29))
}

/// The hash that places a credit id's hash in a partition.
pub(super) fn of_id(hash: &u64) -> u64 {
    mix(*hash)
}

/// The hash that places an open invoice, or a pool's credit, in the partition of its
/// pool's range: of `pools` pools, partition `k` of 2^`bits` holds the pools from
/// [`first_pool`]`(k)` on, in order.
pub(super) fn of_pool(pool: u32, pools: usize) -> u64 {
    // pool × 2^32 ÷ pools in the high half: its top bits are pool × 2^bits ÷ pools, as
    // they would be of pool × 2^64 ÷ pools (no 128-bit division for each item).
    ((u64::from(pool) << 32) / (pools.max(1) as u64)) << 32
}

/// The first pool of partition `k` of 2^`bits` by [`of_pool`] (`pools` for `k` = 2^`bits`).
pub(super) fn first_pool(k: usize, bits: u32, pools: usize) -> u32 {
    (k as u128 * pools as u128).div_ceil(1 << bits) as u32
}

/// Fibonacci hashing: every bit of `x` reaches the top bits, which pick the partition (the
/// ids of a series differ in their low bits).
fn mix(x: u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// At most 2^4 temporary files per spill, each holding the lists of a run of partitions.
const MAX_GROUP_BITS: u32 = 4;

/// A part's lists, written to temporary files partition by partition: a file per group of
/// consecutive partitions, so that a group's space is let go as soon as its partitions
/// are read back for good ([`Spill::release`]), while the others are still read. What is
/// written next (the open invoices, the report) then takes memory just let go instead of
/// memory the system must find anew, and the temporary space a run holds is smaller.
pub(super) struct Spill {
    /// Whether the open invoices and credits of a run spilled here are written out by
    /// pool range too ([`Spilling::by_pool`]).
    pub by_pool: bool,
    /// One file per group of 2^(`bits` - `group_bits`) partitions.
    files: Vec<File>,
    #[cfg(not(unix))]
    lock: std::sync::Mutex<()>,
    /// Where each file ends.
    lens: Vec<u64>,
    bits: u32,
    group_bits: u32,
    /// Per list and partition: where each of its blocks starts in its group's file, and
    /// how many items it holds.
    blocks: Vec<Vec<(u64, usize)>>,
    /// Per group: how many of its partitions are not released yet.
    unreleased: Vec<AtomicUsize>,
    /// The bytes of the lists written out, by partition.
    scratch: Vec<u8>,
}

impl Spill {
    /// A spill in 2^`bits` partitions (in up to 16 files), or `None` when no temporary
    /// file can be made.
    pub(super) fn new(bits: u32) -> Option<Spill> {
        let group_bits = bits.min(MAX_GROUP_BITS);
        let groups = 1 << group_bits;
        let files = (0..groups).map(|_| tempfile::tempfile().ok());
        Some(Spill {
            by_pool: true,
            files: files.collect::<Option<_>>()?,
            #[cfg(not(unix))]
            lock: std::sync::Mutex::new(()),
            lens: vec![0; groups],
            bits,
            group_bits,
            blocks: vec![Vec::new(); LISTS << bits],
            unreleased: (0..groups)
                .map(|_| AtomicUsize::new(1 << (bits - group_bits)))
                .collect(),
            scratch: Vec::new(),
        })
    }

    pub(super) fn partitions(&self) -> usize {
        1 << self.bits
    }

    pub(super) fn bits(&self) -> u32 {
        self.bits
    }

    fn partition(&self, hash: u64) -> usize {
        ((hash >> 32) >> (32 - self.bits)) as usize
    }

    /// The group (and file) of partition `p`.
    fn group(&self, p: usize) -> usize {
        p >> (self.bits - self.group_bits)
    }

    /// Whether every partition is released ([`Spill::release`]).
    pub(super) fn released(&self) -> bool {
        (self.unreleased.iter()).all(|left| left.load(Ordering::Acquire) == 0)
    }

    /// Partition `p` is read back for good, every list of it: once every partition of its
    /// group is, the group's file is emptied and its space let go. Reading it again fails
    /// (and the exact path reads the file).
    pub(super) fn release(&self, p: usize) {
        let group = self.group(p);
        let left = &self.unreleased[group];
        if left.fetch_sub(1, Ordering::AcqRel) == 1 {
            // Not emptied: the space is let go when the file is closed instead.
            let _ = self.files[group].set_len(0);
        }
    }

    /// Writes `items` out, each to the partition its `hash` picks, in one write per file
    /// (each partition's items in their order), and empties it.
    pub(super) fn put<T: Packed>(
        &mut self,
        list: List,
        items: &mut Vec<T>,
        hash: impl Fn(&T) -> u64,
    ) -> Option<()> {
        if items.is_empty() {
            return Some(());
        }
        let n = self.partitions();
        let mut next = vec![0usize; n + 1];
        for item in items.iter() {
            next[self.partition(hash(item)) + 1] += T::BYTES;
        }
        for p in 0..n {
            next[p + 1] += next[p];
        }
        // Each group's partitions lie together in the bytes, and go to its file.
        let per_group = 1 << (self.bits - self.group_bits);
        let groups = (0..self.files.len()).map(|g| next[g * per_group]..next[(g + 1) * per_group]);
        let groups: Vec<_> = groups.collect();
        for p in 0..n {
            let bytes = next[p + 1] - next[p];
            if bytes > 0 {
                let g = self.group(p);
                let at = self.lens[g] + (next[p] - groups[g].start) as u64;
                self.blocks[list as usize * n + p].push((at, bytes / T::BYTES));
            }
        }
        self.scratch.resize(items.len() * T::BYTES, 0);
        for item in items.iter() {
            let at = &mut next[self.partition(hash(item))];
            item.put(&mut self.scratch[*at..*at + T::BYTES]);
            *at += T::BYTES;
        }
        for (g, bytes) in groups.into_iter().enumerate() {
            if !bytes.is_empty() {
                self.files[g].write_all(&self.scratch[bytes.clone()]).ok()?;
                self.lens[g] += bytes.len() as u64;
            }
        }
        items.clear();
        Some(())
    }

    /// Everything is written: the buffer the lists were packed in is let go.
    pub(super) fn written(&mut self) {
        self.scratch = Vec::new();
    }

    /// Reads `buf.len()` bytes from `start` (the other core may read at once).
    #[cfg(unix)]
    fn read_at(&self, file: &File, buf: &mut [u8], start: u64) -> Option<()> {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, start).ok()
    }

    /// Reads `buf.len()` bytes from `start`, the other core waiting.
    #[cfg(not(unix))]
    fn read_at(&self, mut file: &File, buf: &mut [u8], start: u64) -> Option<()> {
        use std::io::{Read, Seek, SeekFrom};
        let _alone = self.lock.lock().ok()?;
        file.seek(SeekFrom::Start(start)).ok()?;
        file.read_exact(buf).ok()
    }

    /// Appends the items of `list` in partition `partition` to `out`, in the order they
    /// were written; `bytes`: a buffer to read them into.
    pub(super) fn read<T: Packed>(
        &self,
        list: List,
        partition: usize,
        bytes: &mut Vec<u8>,
        out: &mut Vec<T>,
    ) -> Option<()> {
        let blocks = &self.blocks[list as usize * self.partitions() + partition];
        out.reserve(blocks.iter().map(|b| b.1).sum());
        self.read_blocks(list, partition, bytes, T::BYTES, |block: &[u8]| {
            out.extend(block.chunks_exact(T::BYTES).map(T::take));
            Some(())
        })
    }

    /// `f` of the bytes of each block of `list` in partition `partition` (items of `size`
    /// bytes), in the order they were written, read one at a time into `bytes` (the bytes
    /// of one block are held, not all of them).
    pub(super) fn read_blocks(
        &self,
        list: List,
        partition: usize,
        bytes: &mut Vec<u8>,
        size: usize,
        mut f: impl FnMut(&[u8]) -> Option<()>,
    ) -> Option<()> {
        let file = &self.files[self.group(partition)];
        for &(start, n) in &self.blocks[list as usize * self.partitions() + partition] {
            bytes.resize(n * size, 0);
            self.read_at(file, bytes, start)?;
            f(bytes)?;
        }
        Some(())
    }
}

/// A part's spill, and the new numbers of its pools (the second part's, once joined).
type PartSpill<'a> = Option<(&'a Spill, Option<&'a [u32]>)>;

/// One partition's lists, read back: per part, its invoices, references and the hashes of
/// its payments' and credit notes' ids.
struct Partition<R> {
    bytes: Vec<u8>,
    invoices: [Vec<R>; 2],
    refs: [Vec<Ref>; 2],
    ids: [[Vec<u64>; 2]; 2],
}

impl<R: Invoice> Partition<R> {
    fn new() -> Partition<R> {
        Partition {
            bytes: Vec::new(),
            invoices: [Vec::new(), Vec::new()],
            refs: [Vec::new(), Vec::new()],
            ids: Default::default(),
        }
    }

    /// Reads partition `p` of each part, the second's pools renumbered by `pool`, and
    /// sorts its lists as [`book::follow_all`] and the check of repeated credits need them;
    /// `None` when a credit id repeats.
    fn load(&mut self, parts: [PartSpill; 2], p: usize) -> Option<()> {
        for (k, part) in parts.into_iter().enumerate() {
            let (invoices, refs) = (&mut self.invoices[k], &mut self.refs[k]);
            invoices.clear();
            refs.clear();
            for ids in &mut self.ids[k] {
                ids.clear();
            }
            let Some((spill, pool)) = part else {
                continue;
            };
            spill.read(List::Invoices, p, &mut self.bytes, invoices)?;
            spill.read(List::Refs, p, &mut self.bytes, refs)?;
            if let Some(pool) = pool {
                for rec in invoices.iter_mut() {
                    rec.set_pool(*pool.get(rec.pool() as usize)?);
                }
                for r in refs.iter_mut() {
                    r.set_pool(*pool.get(r.pool() as usize)?);
                }
            }
            // Runs in order (each block's ids of a series, mostly): merged, not sorted anew.
            invoices.sort_by_key(R::fp);
            super::records::sort_refs(refs);
            let [payments, notes] = &mut self.ids[k];
            spill.read(List::Payments, p, &mut self.bytes, payments)?;
            spill.read(List::CreditNotes, p, &mut self.bytes, notes)?;
            payments.sort_unstable();
            notes.sort_unstable();
        }
        let [a, b] = &self.ids;
        let repeated = (a.iter().zip(b)).any(|(a, b)| super::sorted_overlap(a, b));
        (!repeated).then_some(())
    }
}

/// Where a core puts the invoices its partitions leave open: kept in a list, or written
/// out to a spill of their own by the range of their pool ([`of_pool`]) every `flush`.
pub(super) struct Sink<R> {
    pub kept: Vec<R>,
    pub spill: Option<Spill>,
    flush: usize,
    pools: usize,
}

impl<R: Invoice> Sink<R> {
    /// Two sinks, both writing out to spills of 2^`bits` partitions of `pools` pools
    /// every `flush` invoices, or both keeping (when a temporary file cannot be made).
    pub(super) fn pair(bits: Option<u32>, flush: usize, pools: usize) -> [Sink<R>; 2] {
        let spills = bits.and_then(|b| Some([Spill::new(b)?, Spill::new(b)?]));
        let [a, b] = spills.map_or([None, None], |[a, b]| [Some(a), Some(b)]);
        [a, b].map(|spill| Sink {
            kept: Vec::new(),
            spill,
            flush: flush.max(1),
            pools,
        })
    }

    fn push(&mut self, rec: R) -> Option<()> {
        self.kept.push(rec);
        if self.kept.len() >= self.flush {
            self.write_out()?;
        }
        Some(())
    }

    fn write_out(&mut self) -> Option<()> {
        let (pools, kept) = (self.pools, &mut self.kept);
        match &mut self.spill {
            Some(spill) => spill.put(List::Invoices, kept, |r| of_pool(r.pool(), pools)),
            None => Some(()),
        }
    }

    /// Everything written out, when it is.
    fn finish(&mut self) -> Option<()> {
        self.write_out()?;
        if let Some(spill) = &mut self.spill {
            spill.written();
        }
        Some(())
    }
}

/// Follows the references of a file spilled in `first` and (the second part, its pools
/// renumbered by `pool`) `second`, partition by partition on both cores, into `pools`,
/// `counts` and, for the aging by due date, `ages`; without `ages`, the invoices left open
/// (see [`super::is_open`]) go to `open`, one sink per core. `None` when the exact path
/// must read the file (a repeated invoice or credit id, or the temporary file could not be
/// read or written).
pub(super) fn follow<R: Invoice>(
    first: &Spill,
    second: Option<(&Spill, &[u32])>,
    pools: &mut Pools,
    counts: &mut Counts,
    ages: Option<&mut Ages>,
    open: [&mut Sink<R>; 2],
) -> Option<()> {
    let parts = [Some((first, None)), second.map(|(s, pool)| (s, Some(pool)))];
    if second.is_some_and(|(s, _)| s.bits != first.bits) {
        return None;
    }
    let n = first.partitions();
    let turns = super::Turns::new(n);
    let turns = &turns;
    let work = move |pools: &mut Pools,
                     counts: &mut Counts,
                     mut ages: Option<&mut Ages>,
                     open: &mut Sink<R>| {
        let mut partition = Partition::<R>::new();
        let mut follow = |p| {
            partition.load(parts, p)?;
            for (spill, _) in parts.into_iter().flatten() {
                spill.release(p);
            }
            let Partition { invoices, refs, .. } = &mut partition;
            let [a, b] = invoices;
            let refs = [&refs[0][..], &refs[1][..]];
            book::follow_all([a, b], refs, pools, counts, ages.as_deref_mut())?;
            if ages.is_none() {
                for rec in invoices.iter().flatten().filter(|r| super::is_open(*r)) {
                    open.push(*rec)?;
                }
            }
            Some(())
        };
        while let Some(p) = turns.take() {
            if follow(p).is_none() {
                turns.stop();
                return None;
            }
        }
        open.finish()
    };
    let [ours, theirs] = open;
    book::on_both_cores(
        pools,
        counts,
        ages,
        |pools, counts, ages| work(pools, counts, ages, ours),
        |pools, counts, ages| work(pools, counts, ages, theirs),
    )?;
    let released = |(spill, _): (&Spill, _)| spill.released();
    debug_assert!(parts.into_iter().flatten().all(released));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocKind;
    use crate::stream::records::{At, Due};

    #[test]
    fn lists_spilled_read_back_partition_by_partition_in_the_order_written() {
        let mut spill = Spill::new(3).unwrap();
        let due = |n: u64| {
            Due::new(
                Fp(n, n as u32 ^ 7),
                n as i64 * 3,
                n as u16,
                n as u32,
                n.is_multiple_of(2),
            )
        };
        let mut all: Vec<Due> = Vec::new();
        for batch in 0..3u64 {
            let mut items: Vec<Due> = (0..1000).map(|i| due(batch * 1000 + i)).collect();
            all.extend(&items);
            spill
                .put(List::Invoices, &mut items, |d| of_fp(d.fp()))
                .unwrap();
            assert!(items.is_empty());
            let mut refs = vec![Ref::new(
                Fp(batch, 1),
                5 << 16 | 9,
                At::new(batch, DocKind::CreditNote),
                3,
            )];
            spill
                .put(List::Refs, &mut refs, |r| of_fp(r.key().0))
                .unwrap();
        }
        let mut ids: Vec<u64> = (0..500).map(|i| i * 0x1234_5678_9abc).collect();
        spill.put(List::Payments, &mut ids.clone(), of_id).unwrap();
        let (mut bytes, mut seen, mut seen_refs) = (Vec::new(), 0, 0);
        let mut seen_ids: Vec<u64> = Vec::new();
        let key = |d: &Due| (d.fp(), d.net(), d.due(), d.pool(), d.future());
        for p in 0..8 {
            let mut got: Vec<Due> = Vec::new();
            spill.read(List::Invoices, p, &mut bytes, &mut got).unwrap();
            let want: Vec<_> = (all.iter())
                .filter(|d| spill.partition(of_fp(d.fp())) == p)
                .map(key)
                .collect();
            assert_eq!(got.iter().map(key).collect::<Vec<_>>(), want);
            seen += got.len();
            let mut refs: Vec<Ref> = Vec::new();
            spill.read(List::Refs, p, &mut bytes, &mut refs).unwrap();
            for r in &refs {
                assert_eq!(spill.partition(of_fp(r.key().0)), p);
                assert_eq!(
                    (r.value(), r.day(), r.pool(), r.at().kind()),
                    (5, 9, 3, DocKind::CreditNote)
                );
            }
            seen_refs += refs.len();
            spill
                .read(List::Payments, p, &mut bytes, &mut seen_ids)
                .unwrap();
            let mut notes: Vec<u64> = Vec::new();
            spill
                .read(List::CreditNotes, p, &mut bytes, &mut notes)
                .unwrap();
            assert!(notes.is_empty());
        }
        assert_eq!((seen, seen_refs), (3000, 3));
        seen_ids.sort_unstable();
        ids.sort_unstable();
        assert_eq!(seen_ids, ids);
        // Eight partitions of 3,000 invoices numbered in order: none is empty or holds
        // twice its share.
        let sizes: Vec<usize> = (0..8)
            .map(|p| {
                all.iter()
                    .filter(|d| spill.partition(of_fp(d.fp())) == p)
                    .count()
            })
            .collect();
        assert!(sizes.iter().all(|&s| (200..750).contains(&s)), "{sizes:?}");
    }

    #[test]
    fn a_group_of_partitions_lets_go_of_its_file_once_each_of_them_is_released() {
        // 64 partitions in 16 files of 4.
        let mut spill = Spill::new(6).unwrap();
        assert_eq!(spill.files.len(), 16);
        let id = |n: u64| Fp(n, 0);
        for batch in 0..4u64 {
            let mut items: Vec<u64> = (0..5000).map(|i| batch * 5000 + i).collect();
            spill
                .put(List::Payments, &mut items, |&n| of_fp(id(n)))
                .unwrap();
        }
        let size = |g: usize| spill.files[g].metadata().unwrap().len();
        assert_eq!((0..16).map(size).sum::<u64>(), 20_000 * 8);
        let (mut bytes, mut got): (Vec<u8>, Vec<u64>) = (Vec::new(), Vec::new());
        let mut read = |spill: &Spill, p: usize| {
            got.clear();
            spill.read(List::Payments, p, &mut bytes, &mut got)?;
            let want = (0..20_000).filter(|&n| spill.partition(of_fp(id(n))) == p);
            assert_eq!(got, want.collect::<Vec<_>>(), "partition {p}");
            Some(got.len())
        };
        let in_group_1 = (4..8).map(|p| read(&spill, p).unwrap()).sum::<usize>();
        assert!(in_group_1 > 0);
        // Group 1 (partitions 4 to 7): released out of order, one at a time; its file
        // is kept, and read, until the last one is.
        for p in [6, 4, 7] {
            spill.release(p);
            assert!(size(1) > 0);
            assert!(read(&spill, 5).is_some());
        }
        assert!(!spill.released());
        spill.release(5);
        assert_eq!(size(1), 0);
        assert_eq!(read(&spill, 5), None, "a released partition cannot be read");
        // The other groups are whole.
        let rest = (0..64).filter(|p| !(4..8).contains(p));
        let rest: usize = rest.map(|p| read(&spill, p).unwrap()).sum();
        assert_eq!(rest + in_group_1, 20_000);
    }

    /// Each pool goes to the partition whose range of pools holds it, whatever the count of
    /// pools and partitions.
    #[test]
    fn a_pool_goes_to_the_partition_of_its_range() {
        for pools in [1, 2, 3, 7, 1000, 200_000, (1 << 24) + 3] {
            for bits in 0..=MAX_BITS {
                let spill = Spill::new(bits).unwrap();
                let step = (pools / 5000).max(1);
                for pool in (0..pools).step_by(step).chain([pools - 1]) {
                    let k = spill.partition(of_pool(pool as u32, pools));
                    let (first, next) =
                        (first_pool(k, bits, pools), first_pool(k + 1, bits, pools));
                    assert!(
                        first as usize <= pool && pool < next as usize,
                        "{pool} of {pools}, {bits} bits: {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn files_are_spilled_from_a_size_into_a_power_of_two_of_partitions() {
        let s = Spilling {
            from: 100,
            partition_bytes: 10,
            flush: 1,
            by_pool: true,
        };
        let bits: Vec<_> = [99, 100, 159, 160, 161, u64::MAX]
            .map(|size| s.bits(size))
            .into();
        assert_eq!(
            bits,
            [None, Some(4), Some(4), Some(4), Some(5), Some(MAX_BITS)]
        );
        assert_eq!(SPILLING.bits(1_554_503_914), Some(7));
        // Lists written every 2,048 items per partition, at most every 128k.
        let flushes = [0, 3, 4, 6, 7].map(|bits| SPILLING.flush(bits));
        assert_eq!(flushes, [2048, 16_384, 32_768, 1 << 17, 1 << 17]);
        assert_eq!(s.flush(4), 1);
    }
}
