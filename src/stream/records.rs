//! What the streamed path keeps of each document, packed: an invoice as a [`Due`] (24
//! bytes, the aging by due date) or a [`Rec`] (32), a credit's reference as a [`Ref`] (29),
//! credit a pool holds as a [`Lump`] (20); ids as 96-bit fingerprints ([`Fp`]).

use std::hash::BuildHasher;

use crate::model::{DocKind, Text};

/// A 96-bit fingerprint of an id ([`fingerprint`]), ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Fp(pub(super) u64, pub(super) u32);

/// The fingerprint of an id (fixed seeds: a run gives the same result every time), in the
/// order of the ids of a series where it can be: an id that ends in one to nine digits
/// (`FV-1041`, `INV/2023/00017`, `1001`) is keyed by 29 bits of the hash of what comes
/// before them (its series), then how many they are (4 bits) and their value (30), so that
/// the ids of a series written in the order of their numbers come in order, and a list of
/// them is sorted already; then 32 more bits of the series' hash. Any other id: a hash (63
/// bits, the top bit set) and 32 bits of another. Two ids with the same fingerprint are
/// the same id, but for a hash collision (of two series' 61 bits, or of two ids of no
/// series).
pub(super) fn fingerprint(id: &[u8]) -> Fp {
    const SEED: u64 = 0x243f_6a88_85a3_08d3;
    match numbered(id) {
        Some((series, number, digits)) => {
            let h = hash(series, SEED);
            Fp(series_key(h, number, digits), h as u32)
        }
        None => Fp(
            (1 << 63) | (hash(id, SEED) >> 1),
            hash(id, 0x1319_8a2e_0370_7344) as u32,
        ),
    }
}

/// A 64-bit hash of an id (fixed seed), for the check of repeated credit ids.
pub(super) fn id_hash(id: &[u8]) -> u64 {
    hash(id, 0x0a40_9382_2299_f31d)
}

/// The key of the id numbered `number` in `digits` digits in the series hashed `h`.
fn series_key(h: u64, number: u64, digits: u32) -> u64 {
    (h >> 35 << 34) | (u64::from(digits) << 30) | number
}

/// An id's series (what comes before the digits it ends in), number and how many digits
/// it is written in, when it ends in one to nine digits.
fn numbered(id: &[u8]) -> Option<(&[u8], u64, u32)> {
    let (mut number, mut scale, mut digits) = (0, 1, 0);
    for &b in id.iter().rev() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if digits == 9 {
            return None;
        }
        number += u64::from(d) * scale;
        scale *= 10;
        digits += 1;
    }
    (digits > 0).then(|| (&id[..id.len() - digits as usize], number, digits))
}

/// The series of the numbered invoice ids of a file (what comes before their digits), by
/// the 61 bits of their hash that a fingerprint keeps: an id is written again from its
/// fingerprint ([`Series::id`]) rather than read again from the file.
pub(super) struct Series {
    /// Each key's place in `texts`.
    keys: crate::Map<u64, u32>,
    texts: Vec<Box<str>>,
    /// The key and place of the series met last (rows of a series often come together).
    last: Option<(u64, u32)>,
    /// How many series are noted at most ([`MAX_SERIES`]).
    limit: usize,
}

/// At most this many series are noted: a series per customer fits, but a series per
/// invoice (`SO12345/1`, `SO12346/1`) would keep as many texts as invoices. The ids of
/// series met beyond it are read again from the file (their keys are still checked).
const MAX_SERIES: usize = 1 << 18;

impl Default for Series {
    fn default() -> Series {
        Series {
            keys: crate::Map::default(),
            texts: Vec::new(),
            last: None,
            limit: MAX_SERIES,
        }
    }
}

/// Whether `a` and `b` hold the same bytes, compared one by one: a series is a few bytes,
/// for which a call to `memcmp` (`==` on slices) costs more than the comparison (10M risk,
/// 3 runs each under `perf`: `memcmp` took 246 samples of the reading, 0.8 % of it; after,
/// none, and `note` 46 more).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The key of the series of a fingerprint, and how many digits follow it; `None` for an
/// id of no series.
fn series_of(fp: Fp) -> Option<(u64, usize)> {
    (fp.0 >> 63 == 0).then(|| {
        (
            (fp.0 >> 34 << 32) | u64::from(fp.1),
            (fp.0 >> 30 & 15) as usize,
        )
    })
}

impl Series {
    /// Notes the series of invoice id `id`, fingerprinted `fp`; `None` when another series
    /// has the same key (a hash collision: the exact path reads the file).
    pub(super) fn note(&mut self, id: &[u8], fp: Fp) -> Option<()> {
        let Some((key, digits)) = series_of(fp) else {
            return Some(());
        };
        let series = &id[..id.len() - digits];
        let place = match self.last {
            Some((last, place)) if last == key => place,
            _ => match self.place(key, series)? {
                Some(place) => place,
                None => return Some(()), // not noted: there are too many
            },
        };
        self.last = Some((key, place));
        same(self.texts[place as usize].as_bytes(), series).then_some(())
    }

    /// The place of series `key`, taking its text `series` if it is new and there are not
    /// too many (`Some(None)` when there are); `None` when the text is not UTF-8.
    fn place(&mut self, key: u64, series: &[u8]) -> Option<Option<u32>> {
        if let Some(&place) = self.keys.get(&key) {
            return Some(Some(place));
        }
        if self.texts.len() >= self.limit {
            return Some(None);
        }
        let place = u32::try_from(self.texts.len()).ok()?;
        self.texts.push(std::str::from_utf8(series).ok()?.into());
        self.keys.insert(key, place);
        Some(Some(place))
    }

    /// The series of `other` taken in; `None` when a key stands for two series.
    pub(super) fn join(&mut self, other: Series) -> Option<()> {
        for (key, place) in other.keys {
            let text = &other.texts[place as usize];
            let Some(ours) = self.place(key, text.as_bytes())? else {
                continue; // not noted: there are too many
            };
            if self.texts[ours as usize] != *text {
                return None;
            }
        }
        Some(())
    }

    /// Whether [`Series::id`] writes the id fingerprinted `fp` (exactly when).
    pub(super) fn holds(&self, fp: Fp) -> bool {
        self.noted(fp).is_some()
    }

    /// The id fingerprinted `fp`, when it is of a series noted.
    pub(super) fn id(&self, fp: Fp) -> Option<Text> {
        let (series, digits) = self.noted(fp)?;
        // Its number in `digits` digits (it has no more), zeros before it included.
        let (text, first) = crate::money::decimal(fp.0 & ((1 << 30) - 1), digits);
        let digits = std::str::from_utf8(&text[first..]).ok()?;
        // Kept inline, without an allocation, when short (as most ids are); the digits
        // appended at once, not character by character.
        let mut id = Text::with_capacity(series.len() + digits.len());
        id.push_str(series);
        id.push_str(digits);
        Some(id)
    }

    /// The text of the series of `fp`, when noted, and how many digits (1 to 15) follow it.
    fn noted(&self, fp: Fp) -> Option<(&str, usize)> {
        let (key, digits) = series_of(fp).filter(|&(_, digits)| digits > 0)?;
        Some((&self.texts[*self.keys.get(&key)? as usize], digits))
    }
}

fn hash(bytes: &[u8], seed: u64) -> u64 {
    foldhash::quality::FixedState::with_seed(seed).hash_one(bytes)
}

/// An invoice as the aging by due date needs it, packed: 24 bytes (its id's fingerprint,
/// open balance, due day, pool and flags). [`Rec`] adds what open items, risk and the
/// aging by issue date need.
#[derive(Clone, Copy)]
#[repr(C, packed(2))]
pub(super) struct Due {
    fp_lo: u64,
    fp_hi: u32,
    /// Open balance in hundredths (48 bits) and due day (16).
    net_due: u64,
    /// Pool (24 bits), whether its references paid it in part and left it open (bit 1;
    /// see [`Kept::touched`]) and whether it is dated after the as-of date (bit 0).
    pool_future: u32,
}

impl Due {
    /// An invoice of id fingerprint `fp`, open for `net` hundredths, due on day `due`, of
    /// pool `pool` (24 bits), dated after the as-of date or not.
    pub(super) fn new(fp: Fp, net: i64, due: u16, pool: u32, future: bool) -> Due {
        Due {
            fp_lo: fp.0,
            fp_hi: fp.1,
            net_due: ((net as u64) << 16) | u64::from(due),
            pool_future: (pool << 8) | u32::from(future),
        }
    }
}

/// What a spilled list (`super::spill`) writes of each item: its bytes, little-endian, and
/// the item read back from them.
pub(super) trait Packed: Copy {
    const BYTES: usize;
    /// Writes its `BYTES` bytes to `out`.
    fn put(&self, out: &mut [u8]);
    /// The item `put` wrote to `bytes`.
    fn take(bytes: &[u8]) -> Self;
}

/// Bytes written one field after another (no offsets to count by hand).
struct Out<'a>(&'a mut [u8]);

impl Out<'_> {
    fn put<const N: usize>(&mut self, bytes: [u8; N]) -> &mut Self {
        let (head, rest) = std::mem::take(&mut self.0).split_at_mut(N);
        head.copy_from_slice(&bytes);
        self.0 = rest;
        self
    }
}

/// Bytes read one field after another, as [`Out`] wrote them.
struct In<'a>(&'a [u8]);

impl In<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        let mut bytes = [0; N];
        bytes.copy_from_slice(head);
        bytes
    }
}

impl Packed for Due {
    const BYTES: usize = 24;
    fn put(&self, out: &mut [u8]) {
        (Out(out).put({ self.fp_lo }.to_le_bytes()))
            .put({ self.fp_hi }.to_le_bytes())
            .put({ self.net_due }.to_le_bytes())
            .put({ self.pool_future }.to_le_bytes());
    }
    fn take(bytes: &[u8]) -> Due {
        let mut i = In(bytes);
        Due {
            fp_lo: u64::from_le_bytes(i.take()),
            fp_hi: u32::from_le_bytes(i.take()),
            net_due: u64::from_le_bytes(i.take()),
            pool_future: u32::from_le_bytes(i.take()),
        }
    }
}

impl Packed for Rec {
    const BYTES: usize = 32;
    fn put(&self, out: &mut [u8]) {
        let (head, rest) = out.split_at_mut(Due::BYTES);
        self.head.put(head);
        (Out(rest).put({ self.date }.to_le_bytes()))
            .put({ self.at_lo }.to_le_bytes())
            .put({ self.at_hi }.to_le_bytes());
    }
    fn take(bytes: &[u8]) -> Rec {
        let (head, rest) = bytes.split_at(Due::BYTES);
        let mut i = In(rest);
        Rec {
            head: Due::take(head),
            date: u16::from_le_bytes(i.take()),
            at_lo: u32::from_le_bytes(i.take()),
            at_hi: u16::from_le_bytes(i.take()),
        }
    }
}

impl Packed for Lump {
    const BYTES: usize = 20;
    fn put(&self, out: &mut [u8]) {
        (Out(out).put({ self.value_day }.to_le_bytes()))
            .put({ self.at }.to_le_bytes())
            .put({ self.pool }.to_le_bytes());
    }
    fn take(bytes: &[u8]) -> Lump {
        let mut i = In(bytes);
        Lump {
            value_day: u64::from_le_bytes(i.take()),
            at: u64::from_le_bytes(i.take()),
            pool: u32::from_le_bytes(i.take()),
        }
    }
}

impl Packed for u64 {
    const BYTES: usize = 8;
    fn put(&self, out: &mut [u8]) {
        Out(out).put(self.to_le_bytes());
    }
    fn take(bytes: &[u8]) -> u64 {
        u64::from_le_bytes(In(bytes).take())
    }
}

/// An invoice, packed: 32 bytes, its [`Due`] and its issue day and the offset of its line.
#[derive(Clone, Copy)]
#[repr(C, packed(2))]
pub(super) struct Rec {
    head: Due,
    /// Issue day.
    date: u16,
    /// Where its line starts in the file (48 bits).
    at_lo: u32,
    at_hi: u16,
}

/// What the streamed path keeps of an invoice: [`Due`] for the aging by due date, [`Rec`]
/// for everything else.
pub(super) trait Invoice: Packed + Send + Sync + 'static {
    /// Whether it keeps what open items and risk need.
    const KEEPS: bool;
    fn new(head: Due, date: u16, at: u64) -> Self;
    fn head(&self) -> &Due;
    fn head_mut(&mut self) -> &mut Due;
    /// The open invoices listed for open items, risk and the aging by issue date (which
    /// only a [`Rec`] can give).
    fn listed(invoices: Vec<Self>) -> Option<Vec<Rec>>;

    fn fp(&self) -> Fp {
        let h = self.head();
        Fp(h.fp_lo, h.fp_hi)
    }
    fn net(&self) -> i64 {
        (self.head().net_due >> 16) as i64
    }
    fn set_net(&mut self, net: i64) {
        let h = self.head_mut();
        h.net_due = ((net as u64) << 16) | (h.net_due & 0xffff);
    }
    fn due(&self) -> u16 {
        self.head().net_due as u16
    }
    fn pool(&self) -> u32 {
        self.head().pool_future >> 8
    }
    fn set_pool(&mut self, pool: u32) {
        let h = self.head_mut();
        h.pool_future = (pool << 8) | (h.pool_future & 0xff);
    }
    fn future(&self) -> bool {
        self.head().pool_future & 1 == 1
    }
    /// Whether its references paid it in part and left it open (kept only for open items
    /// and risk): only then is it in [`Kept::touched`].
    fn touched(&self) -> bool {
        self.head().pool_future & 2 == 2
    }
    fn set_touched(&mut self) {
        self.head_mut().pool_future |= 2;
    }
    /// Where its line starts in the file (0 for a [`Due`], which open items never see).
    fn at(&self) -> u64;
}

impl Invoice for Due {
    const KEEPS: bool = false;
    fn new(head: Due, _: u16, _: u64) -> Due {
        head
    }
    fn head(&self) -> &Due {
        self
    }
    fn head_mut(&mut self) -> &mut Due {
        self
    }
    fn listed(_: Vec<Due>) -> Option<Vec<Rec>> {
        None
    }
    fn at(&self) -> u64 {
        0
    }
}

impl Invoice for Rec {
    const KEEPS: bool = true;
    fn new(head: Due, date: u16, at: u64) -> Rec {
        Rec {
            head,
            date,
            at_lo: at as u32,
            at_hi: (at >> 32) as u16,
        }
    }
    fn head(&self) -> &Due {
        &self.head
    }
    fn head_mut(&mut self) -> &mut Due {
        &mut self.head
    }
    fn listed(invoices: Vec<Rec>) -> Option<Vec<Rec>> {
        Some(invoices)
    }
    fn at(&self) -> u64 {
        (u64::from(self.at_hi) << 32) | u64::from(self.at_lo)
    }
}

impl Rec {
    pub(super) fn date(&self) -> u16 {
        self.date
    }
}

/// At most this many pools (24 bits: an invoice and a reference keep their pool in them).
pub(super) const MAX_POOLS: usize = 1 << 24;

/// The largest offset in a file this path reads (48 bits).
pub(super) const MAX_OFFSET: u64 = (1 << 48) - 1;

/// A credit's place in the order the engine takes credits, (date, line), when both are of
/// one file: its line's offset (47 bits), and whether it is a credit note (the low bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct At(u64);

impl At {
    pub(super) fn new(offset: u64, kind: DocKind) -> At {
        At((offset << 1) | u64::from(kind == DocKind::CreditNote))
    }
    pub(super) fn offset(self) -> u64 {
        self.0 >> 1
    }
    pub(super) fn kind(self) -> DocKind {
        if self.0 & 1 == 1 {
            DocKind::CreditNote
        } else {
            DocKind::Payment
        }
    }
}

/// Credit that a pool holds, one credit's worth (kept when a run lists open items or
/// grades risk): its pool, day, place and value. 20 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
pub(super) struct Lump {
    value_day: u64,
    at: u64,
    pub(super) pool: u32,
}

impl Lump {
    pub(super) fn new(value_day: u64, at: At, pool: u32) -> Lump {
        Lump {
            value_day,
            at: at.0,
            pool,
        }
    }
    /// The order the pools take their credits in: by pool, then (date, line); packed in
    /// one number (pool, day, and the 48 bits of its [`At`]), which sorts faster than the
    /// three.
    pub(super) fn key(&self) -> u128 {
        (u128::from(self.pool) << 64)
            | (u128::from(self.value_day as u16) << 48)
            | u128::from(self.at)
    }
    pub(super) fn value(&self) -> i64 {
        (self.value_day >> 16) as i64
    }
    pub(super) fn day(&self) -> u16 {
        self.value_day as u16
    }
    pub(super) fn at(&self) -> At {
        At(self.at)
    }
}

/// A credit's reference, packed: 29 bytes.
#[derive(Clone, Copy)]
#[repr(C, packed)]
pub(super) struct Ref {
    fp_lo: u64,
    fp_hi: u32,
    /// Value in hundredths (48 bits) and day (16).
    value_day: u64,
    /// Its [`At`] (48 bits).
    at_lo: u32,
    at_hi: u16,
    /// Its pool (24 bits).
    pool_lo: u16,
    pool_hi: u8,
}

/// Sorts references by [`Ref::key`]. References in file order (as a part reads them, and
/// writes and reads them back) take that order from a stable sort by invoice and date
/// alone, which compares one number instead of three (a 10M aging's sorts took 0.09 s a
/// core).
pub(super) fn sort_refs(refs: &mut [Ref]) {
    if refs.is_sorted_by_key(Ref::at) {
        refs.sort_by_key(Ref::invoice_day);
    } else {
        refs.sort_unstable_by_key(Ref::key);
    }
}

impl Ref {
    pub(super) fn new(fp: Fp, value_day: u64, at: At, pool: u32) -> Ref {
        Ref {
            fp_lo: fp.0,
            fp_hi: fp.1,
            value_day,
            at_lo: at.0 as u32,
            at_hi: (at.0 >> 32) as u16,
            pool_lo: pool as u16,
            pool_hi: (pool >> 16) as u8,
        }
    }
    /// The order references are followed in: by invoice, then (date, line).
    pub(super) fn key(&self) -> (Fp, u16, At) {
        (Fp(self.fp_lo, self.fp_hi), self.value_day as u16, self.at())
    }
    /// [`Ref::key`] without the line, in one number.
    fn invoice_day(&self) -> u128 {
        (u128::from(self.fp_lo) << 64)
            | (u128::from(self.fp_hi) << 16)
            | u128::from(self.value_day as u16)
    }
    pub(super) fn at(&self) -> At {
        At((u64::from(self.at_hi) << 32) | u64::from(self.at_lo))
    }
    pub(super) fn pool(&self) -> u32 {
        (u32::from(self.pool_hi) << 16) | u32::from(self.pool_lo)
    }
    pub(super) fn set_pool(&mut self, pool: u32) {
        (self.pool_lo, self.pool_hi) = (pool as u16, (pool >> 16) as u8);
    }
    pub(super) fn value(&self) -> i64 {
        (self.value_day >> 16) as i64
    }
    pub(super) fn day(&self) -> u16 {
        self.value_day as u16
    }
    /// What is left of it, as a pool's credit.
    pub(super) fn lump(&self, value: i64) -> Lump {
        Lump {
            value_day: ((value as u64) << 16) | (self.value_day & 0xffff),
            at: self.at().0,
            pool: self.pool(),
        }
    }
}

impl Packed for Ref {
    const BYTES: usize = 29;
    fn put(&self, out: &mut [u8]) {
        (Out(out).put({ self.fp_lo }.to_le_bytes()))
            .put({ self.fp_hi }.to_le_bytes())
            .put({ self.value_day }.to_le_bytes())
            .put({ self.at_lo }.to_le_bytes())
            .put({ self.at_hi }.to_le_bytes())
            .put({ self.pool_lo }.to_le_bytes())
            .put([self.pool_hi]);
    }
    fn take(bytes: &[u8]) -> Ref {
        let mut i = In(bytes);
        Ref {
            fp_lo: u64::from_le_bytes(i.take()),
            fp_hi: u32::from_le_bytes(i.take()),
            value_day: u64::from_le_bytes(i.take()),
            at_lo: u32::from_le_bytes(i.take()),
            at_hi: u16::from_le_bytes(i.take()),
            pool_lo: u16::from_le_bytes(i.take()),
            pool_hi: u8::from_le_bytes(i.take()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_sorted_by_invoice_date_and_line_in_file_order_or_not() {
        // Few invoices and days, so that many references share both; lines in file order,
        // then shuffled.
        let mut next = crate::draws(7u64);
        let mut refs: Vec<Ref> = (0..5000)
            .map(|line| {
                let fp = Fp(next(40) << 40, next(3) as u32);
                let kind = [DocKind::Payment, DocKind::CreditNote][next(2) as usize];
                Ref::new(fp, (line << 16) | next(5), At::new(line, kind), 1)
            })
            .collect();
        let order = |refs: &[Ref]| refs.iter().map(Ref::key).collect::<Vec<_>>();
        let mut want = order(&refs);
        want.sort_unstable();
        for shuffled in [false, true] {
            if shuffled {
                for i in (1..refs.len()).rev() {
                    refs.swap(i, next(i as u64 + 1) as usize);
                }
            }
            let mut sorted = refs.clone();
            sort_refs(&mut sorted);
            assert_eq!(order(&sorted), want, "shuffled: {shuffled}");
        }
    }

    #[test]
    fn ids_of_a_series_are_keyed_in_the_order_of_their_numbers_and_others_by_a_hash() {
        let key = |id: &str| fingerprint(id.as_bytes()).0;
        for series in ["FV-", "INV/2023/", "", "fe 1-", "Ñ-"] {
            let keys: Vec<u64> = (1..=20_000u64)
                .chain([999_999_999])
                .map(|n| key(&format!("{series}{n}")))
                .collect();
            assert!(
                keys.is_sorted() && keys.windows(2).all(|w| w[0] < w[1]),
                "{series}"
            );
            assert!(keys.iter().all(|k| k >> 63 == 0), "{series}");
        }
        // Leading zeros make another id; so does another series.
        let keyed = ["INV-1", "INV-01", "INV-001", "INV1", "NC-1", "1", "01"].map(fingerprint_of);
        for (i, k) in keyed.iter().enumerate() {
            assert!(!keyed[i + 1..].contains(k), "{i}");
        }
        // No digits at the end, or more than nine: a hash, the top bit set.
        for id in ["FV", "FV-1a", "1234567890", "", "1.5e"] {
            assert_eq!(key(id) >> 63, 1, "{id}");
        }
        assert_ne!(fingerprint(b"FV-1"), fingerprint(b"FV-2"));
        // Among 200,000 series, those whose 29 bits agree differ in the other 32.
        let mut seen = std::collections::HashMap::new();
        let mut alike = 0;
        for c in 0..200_000 {
            let id = format!("RC{c}-1");
            if let Some(other) = seen.insert(key(&id) >> 34, id.clone()) {
                alike += 1;
                assert_ne!(fingerprint_of(&id), fingerprint_of(&other));
            }
        }
        assert!(alike > 0);
    }

    #[test]
    fn ids_of_a_series_noted_are_written_again_from_their_fingerprints() {
        let numbered = [
            "FV-1",
            "FV-0007",
            "FV-10",
            "INV/2023/00017",
            "1001",
            "0",
            "000",
            "Ñ-12",
            "fe 1-999999999",
            "RC26453-1",
            "RC27087-1",
        ];
        let mut series = Series::default();
        for id in numbered {
            assert_eq!(
                series.note(id.as_bytes(), fingerprint_of(id)),
                Some(()),
                "{id}"
            );
        }
        for id in numbered {
            assert!(series.holds(fingerprint_of(id)), "{id}");
            assert_eq!(series.id(fingerprint_of(id)).as_deref(), Some(id));
        }
        // Ids of no series, and of a series not noted.
        for id in ["FV", "FA1X", "1234567890", "NC-1"] {
            assert!(!series.holds(fingerprint_of(id)), "{id}");
            assert_eq!(series.id(fingerprint_of(id)), None, "{id}");
            assert_eq!(series.note(id.as_bytes(), fingerprint_of(id)), Some(()));
        }
        // Another file part's series join.
        let mut more = Series::default();
        for id in ["NC-3", "FV-2"] {
            more.note(id.as_bytes(), fingerprint_of(id)).unwrap();
        }
        assert_eq!(series.join(more), Some(()));
        for id in ["NC-7", "FV-123", "RC26453-2"] {
            assert_eq!(series.id(fingerprint_of(id)).as_deref(), Some(id));
        }
        // Beyond its limit, a table notes no more series, but still refuses a collision.
        let mut few = Series {
            limit: 2,
            ..Series::default()
        };
        for id in ["A-1", "B-1", "C-1", "A-2", "D-3"] {
            assert_eq!(
                few.note(id.as_bytes(), fingerprint_of(id)),
                Some(()),
                "{id}"
            );
        }
        let held = ["A-9", "B-9", "C-9", "D-9"].map(|id| few.id(fingerprint_of(id)));
        assert_eq!(held, [Some("A-9".into()), Some("B-9".into()), None, None]);
        assert_eq!(few.note(b"Z-1", fingerprint_of("B-1")), None);
        let mut more = Series::default();
        for id in ["E-1", "A-1"] {
            more.note(id.as_bytes(), fingerprint_of(id)).unwrap();
        }
        assert_eq!(few.join(more), Some(()));
        assert!(!few.holds(fingerprint_of("E-1")) && few.holds(fingerprint_of("A-1")));
        // Two series under one key (a hash collision, forced here) are refused.
        let fp = fingerprint_of("FV-5");
        assert_eq!(series.note(b"XY-5", fp), None);
        let mut other = Series::default();
        other.note(b"XY-5", fp).unwrap();
        assert_eq!(series.join(other), None);
    }

    fn fingerprint_of(id: &str) -> Fp {
        fingerprint(id.as_bytes())
    }

    #[test]
    fn invoices_and_references_written_out_read_back_as_they_were() {
        fn again<T: Packed>(item: &T) -> T {
            let mut bytes = vec![0xaa; T::BYTES + 3];
            item.put(&mut bytes[..T::BYTES]);
            T::take(&bytes)
        }
        let fp = Fp(u64::MAX - 5, u32::MAX - 7);
        let mut head = Due::new(fp, (1 << 47) - 1, 65_534, (1 << 24) - 2, true);
        head.set_touched();
        let rec = Rec::new(head, 65_533, MAX_OFFSET - 1);
        let facts = |r: &Rec| {
            (
                r.fp(),
                r.net(),
                r.due(),
                r.pool(),
                r.future(),
                r.touched(),
                r.date(),
                r.at(),
            )
        };
        assert_eq!(facts(&again(&rec)), facts(&rec));
        let due = *rec.head();
        let head_facts = |d: &Due| (d.fp(), d.net(), d.due(), d.pool(), d.future(), d.touched());
        assert_eq!(head_facts(&again(&due)), head_facts(&due));
        let at = At::new(MAX_OFFSET >> 1, DocKind::CreditNote);
        let r = Ref::new(fp, ((1 << 47) - 1) << 16 | 65_535, at, (1 << 24) - 3);
        let ref_facts = |r: &Ref| (r.key(), r.value(), r.day(), r.pool());
        assert_eq!(ref_facts(&again(&r)), ref_facts(&r));
        assert_eq!(again(&u64::MAX.wrapping_sub(9)), u64::MAX - 9);
        let lump = r.lump(12_345);
        let lump_facts = |l: &Lump| (l.key(), l.value(), l.day(), l.at(), l.pool);
        assert_eq!(lump_facts(&again(&lump)), lump_facts(&lump));
    }

    #[test]
    fn invoices_references_and_lumps_pack_into_24_32_29_and_20_bytes_and_read_back() {
        assert_eq!(std::mem::size_of::<Due>(), 24);
        assert_eq!(std::mem::size_of::<Rec>(), 32);
        assert_eq!(std::mem::size_of::<Ref>(), 29);
        assert_eq!(std::mem::size_of::<Lump>(), 20);
        let head = Due {
            fp_lo: 7,
            fp_hi: 9,
            net_due: (((1i64 << 47) - 1) as u64) << 16 | 65_535,
            pool_future: ((MAX_POOLS as u32 - 1) << 8) | 1,
        };
        let mut due = head;
        due.set_net(3);
        due.set_touched();
        let read = (
            due.fp(),
            due.net(),
            due.due(),
            due.pool(),
            due.future(),
            due.touched(),
        );
        assert_eq!(read, (Fp(7, 9), 3, 65_535, (1 << 24) - 1, true, true));
        let mut rec = Rec::new(head, 65_535, MAX_OFFSET);
        assert_eq!(rec.at(), MAX_OFFSET);
        assert_eq!(rec.net(), (1 << 47) - 1);
        let read = (rec.due(), rec.pool(), rec.future(), rec.date());
        assert_eq!(read, (65_535, (1 << 24) - 1, true, 65_535));
        rec.set_net(5);
        rec.set_pool(2);
        let read = (rec.net(), rec.due(), rec.date(), rec.pool(), rec.future());
        assert_eq!(read, (5, 65_535, 65_535, 2, true));
        assert_eq!(rec.fp(), Fp(7, 9));
        let at = At::new(MAX_OFFSET >> 1, DocKind::CreditNote);
        assert_eq!(
            (at.offset(), at.kind()),
            (MAX_OFFSET >> 1, DocKind::CreditNote)
        );
        let mut r = Ref::new(Fp(1, 2), (((1u64 << 47) - 1) << 16) | 3, at, 5);
        assert_eq!(
            (r.key(), r.value(), r.day(), r.pool()),
            ((Fp(1, 2), 3, at), (1 << 47) - 1, 3, 5)
        );
        r.set_pool((1 << 24) - 1);
        assert_eq!((r.pool(), r.key().2), ((1 << 24) - 1, at));
        r.set_pool(5);
        let lump = r.lump(7);
        let key = (5 << 64) | (3 << 48) | u128::from(at.0);
        assert_eq!((lump.key(), lump.value(), lump.day()), (key, 7, 3));
        // Ordered as (pool, day, line).
        let lump = |pool, day: u64, offset| {
            Lump::new((9 << 16) | day, At::new(offset, DocKind::Payment), pool)
        };
        let mut keys = [
            lump(2, 1, 5),
            lump(1, 7, 9),
            lump(1, 7, 3),
            lump(1, 2, MAX_OFFSET >> 1),
        ]
        .map(|l| l.key());
        keys.sort_unstable();
        let want = [
            lump(1, 2, MAX_OFFSET >> 1),
            lump(1, 7, 3),
            lump(1, 7, 9),
            lump(2, 1, 5),
        ]
        .map(|l| l.key());
        assert_eq!(keys, want);
        assert_eq!(At::new(4, DocKind::Payment).kind(), DocKind::Payment);
    }
}
