//! One line of a native ledger read straight from its bytes: split into its eleven fields
//! and each field read into a value, or `None` for anything but the plain form (the exact
//! path then reads the file and says what is wrong, or reads what is merely unusual).
//!
//! What is taken here is read exactly as the exact path reads it: the same trimming, id
//! and currency rules (the same functions); dates only as `YYYY-MM-DD` (the only reading a
//! native file's dates have); amounts only as digits with at most two decimals after a
//! point, which no other reading of the exact path reads otherwise.

use chrono::{Datelike, NaiveDate};
use wide::{i8x16, u8x16};

use crate::input::fields;
use crate::model::DocKind;
use crate::money::Currency;

/// The header of a native ledger, as cartera and its generator write it.
pub(super) const HEADER: &[u8] =
    b"type,id,customer_id,customer_name,date,due_date,amount,currency,ref,withholding,discount";

const FIELDS: usize = 11;

/// Amounts are kept in hundredths below this (2^47), so that a balance fits in 48 bits.
pub(super) const MAX_CENTS: i64 = 1 << 47;

/// The fields of a line: spans into the line, or into `scratch` for a quoted value with
/// doubled quotes in it.
#[derive(Default)]
pub(super) struct Fields {
    /// Where each field starts and ends (a line is at most [`super::MAX_LINE`] bytes).
    spans: [(u32, u32); FIELDS],
    /// A bit per field whose span is in `scratch`.
    in_scratch: u16,
    scratch: Vec<u8>,
    /// Whether the line is known to be UTF-8: ASCII, or checked once from its first byte
    /// not ASCII to its last (else each field is checked).
    utf8: bool,
    /// Whether each field is read as it stands: UTF-8, unquoted and with nothing to trim.
    plain: bool,
    /// Whether, besides, the ids (id, customer and reference) hold no point nor letter e,
    /// which could make them numbers.
    plain_ids: bool,
}

impl Fields {
    /// Splits `line` (without its line break) as the csv reader would, when its quoting
    /// is plain: a quoted field is quoted from its first byte to the delimiter, and an
    /// unquoted one holds no quote. False for anything else, and for a line with a
    /// carriage return (which ends a record for the csv reader).
    pub(super) fn split(&mut self, line: &[u8]) -> bool {
        self.scratch.clear();
        self.in_scratch = 0;
        self.utf8 = false;
        self.plain = false;
        self.plain_ids = false;
        if let Some(m) = masks(line) {
            return self.split_masked(line, m);
        } else if memchr::memchr(b'"', line).is_none() {
            let (mut n, mut start) = (0, 0);
            for k in memchr::memchr_iter(b',', line) {
                if n == FIELDS - 1 {
                    return false;
                }
                self.set(n, start, k);
                (n, start) = (n + 1, k + 1);
            }
            self.set(n, start, line.len());
            return n == FIELDS - 1 && memchr::memchr(b'\r', line).is_none();
        }
        if memchr::memchr(b'\r', line).is_some() {
            return false;
        }
        let mut pos = 0;
        for i in 0..FIELDS {
            if line.get(pos) == Some(&b'"') {
                let start = pos + 1;
                let mut from = start;
                // Where the value starts in `scratch`, once a doubled quote is met.
                let mut copied: Option<usize> = None;
                loop {
                    let Some(k) = memchr::memchr(b'"', &line[from..]).map(|k| from + k) else {
                        return false; // unclosed: the value runs over the line
                    };
                    if line.get(k + 1) == Some(&b'"') {
                        copied.get_or_insert(self.scratch.len());
                        self.scratch.extend_from_slice(&line[from..=k]);
                        from = k + 2;
                        continue;
                    }
                    match copied {
                        Some(at) => {
                            self.scratch.extend_from_slice(&line[from..k]);
                            self.set(i, at, self.scratch.len());
                            self.in_scratch |= 1 << i;
                        }
                        None => self.set(i, start, k),
                    }
                    pos = k + 1;
                    break;
                }
            } else {
                let end = memchr::memchr(b',', &line[pos..]).map_or(line.len(), |k| pos + k);
                if memchr::memchr(b'"', &line[pos..end]).is_some() {
                    return false;
                }
                self.set(i, pos, end);
                pos = end;
            }
            if i + 1 < FIELDS {
                if line.get(pos) != Some(&b',') {
                    return false;
                }
                pos += 1;
            } else if pos != line.len() {
                return false;
            }
        }
        true
    }

    /// [`Fields::split`] for a line of at most 128 bytes, from its masks: the commas
    /// outside quotes (an odd number of quotes before them) are the delimiters, found
    /// without a branch per comma; a field with a quote must be quoted from its first to
    /// its last byte, with only doubled quotes inside.
    fn split_masked(&mut self, line: &[u8], m: Masks) -> bool {
        if m.carriage_return {
            return false;
        }
        // Bit i of `inside`: an odd number of quotes up to byte i.
        let mut inside = m.quotes;
        if inside != 0 {
            for shift in [1, 2, 4, 8, 16, 32, 64] {
                inside ^= inside << shift;
            }
        }
        let delimiters = m.commas & !inside;
        if delimiters.count_ones() as usize != FIELDS - 1 {
            return false;
        }
        let (mut n, mut start) = (0, 0);
        for (half, mut rest) in [(0, delimiters as u64), (64, (delimiters >> 64) as u64)] {
            while rest != 0 {
                let at = half + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                self.set(n, start, at);
                (n, start) = (n + 1, at + 1);
            }
        }
        self.set(FIELDS - 1, start, line.len());
        // One check where a byte is not ASCII (a name's accent, most often), from the first
        // such byte to the last, not one of each field: the bytes around them are ASCII,
        // and a field of a UTF-8 line is UTF-8, since it is cut at ASCII bytes.
        self.utf8 = m.high == 0 || {
            let (first, last) = (m.high.trailing_zeros(), 127 - m.high.leading_zeros());
            std::str::from_utf8(&line[first as usize..=last as usize]).is_ok()
        };
        let (starts, ends) = if m.quotes == 0 {
            (
                (delimiters << 1) | 1,
                (delimiters >> 1) | (1 << (line.len() - 1)),
            )
        } else {
            // Only a field that starts with a quote may hold one: each such is unquoted,
            // and every quote of the line must be one of theirs.
            let mut theirs = 0;
            for i in 0..FIELDS {
                let (s, e) = self.span(i);
                if s < e && m.quotes >> s & 1 == 1 {
                    if !self.unquote(line, i, m.quotes) {
                        return false;
                    }
                    theirs |= span_bits(s, e);
                }
            }
            if m.quotes & !theirs != 0 {
                return false;
            }
            if self.in_scratch != 0 {
                return true; // a value with doubled quotes: each field is read apart
            }
            // Each field's first and last byte, unquoted.
            let (mut starts, mut ends) = (0, 0);
            for &(s, e) in &self.spans {
                if s < e {
                    (starts, ends) = (starts | 1 << s, ends | 1 << (e - 1));
                }
            }
            (starts, ends)
        };
        // No field starts or ends with a byte trimming could take: each field is what
        // `bytes` reads, as it stands.
        self.plain = self.utf8 && m.hidden & (starts | ends) == 0;
        // The id and the customer, side by side (and what stands between them: a comma,
        // quotes), and the reference.
        let ids =
            span_bits(self.span(1).0, self.span(2).1) | span_bits(self.span(8).0, self.span(8).1);
        self.plain_ids = self.plain && m.dots & ids == 0;
        true
    }

    /// Field `i`, split from `line` whose quotes are `quotes` (a bit per byte), unquoted
    /// if it is quoted; false when its quoting is not plain.
    fn unquote(&mut self, line: &[u8], i: usize, quotes: u128) -> bool {
        let (s, e) = self.span(i);
        // The field's quotes (`s < e <= 128`).
        let own = |from: usize, to: usize| {
            let below = !u128::MAX.checked_shl(to as u32).unwrap_or(0);
            quotes & below & (u128::MAX << from)
        };
        if s == e || own(s, e) == 0 {
            return true;
        }
        if e - s < 2 || line[s] != b'"' || line[e - 1] != b'"' {
            return false;
        }
        let mut inner = own(s + 1, e - 1);
        if inner == 0 {
            self.set(i, s + 1, e - 1);
            return true;
        }
        let at = self.scratch.len();
        let mut from = s + 1;
        while inner != 0 {
            let q = inner.trailing_zeros() as usize;
            if inner >> q & 3 != 3 {
                return false; // a lone quote inside
            }
            inner &= !(3 << q);
            self.scratch.extend_from_slice(&line[from..=q]);
            from = q + 2;
        }
        self.scratch.extend_from_slice(&line[from..e - 1]);
        self.set(i, at, self.scratch.len());
        self.in_scratch |= 1 << i;
        true
    }

    /// Field `i` spans bytes `s..e` (of the line, or of `scratch`).
    fn set(&mut self, i: usize, s: usize, e: usize) {
        self.spans[i] = (s as u32, e as u32);
    }

    fn span(&self, i: usize) -> (usize, usize) {
        let (s, e) = self.spans[i];
        (s as usize, e as usize)
    }

    /// Field `i` of `line` (the line the fields were split from), as written (and
    /// unquoted).
    fn raw<'a>(&'a self, line: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let (s, e) = self.span(i);
        if self.in_scratch >> i & 1 != 0 {
            self.scratch.get(s..e)
        } else {
            line.get(s..e)
        }
    }

    /// Field `i` of `line` read as UTF-8 and trimmed as the exact path trims it; `None`
    /// when it is not UTF-8.
    fn text<'a>(&'a self, line: &'a [u8], i: usize) -> Option<&'a str> {
        let text = std::str::from_utf8(self.raw(line, i)?).ok()?;
        Some(fields::trim(text))
    }

    /// Field `i` trimmed as the exact path trims it, as bytes; `None` when it is not UTF-8.
    /// Checked only where a byte is not ASCII and the line was not checked whole.
    fn bytes<'a>(&'a self, line: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let raw = self.raw(line, i)?;
        let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
        if (self.utf8 || raw.is_ascii())
            && (raw.is_empty() || (visible(raw.first()) && visible(raw.last())))
        {
            return Some(raw);
        }
        self.text(line, i).map(str::as_bytes)
    }

    /// Every field of `line` as [`Fields::bytes`] reads it (a plain line's as they stand).
    fn all<'a>(&'a self, line: &'a [u8]) -> Option<[&'a [u8]; FIELDS]> {
        let mut all = [&b""[..]; FIELDS];
        if self.plain {
            for (field, &(s, e)) in all.iter_mut().zip(&self.spans) {
                *field = line.get(s as usize..e as usize)?;
            }
        } else {
            for (i, field) in all.iter_mut().enumerate() {
                *field = self.bytes(line, i)?;
            }
        }
        Some(all)
    }

    /// An id field of the line (as [`Fields::all`] gives it), read as the exact path reads
    /// it ([`identifier`]).
    fn id<'a>(&self, field: &'a [u8]) -> Option<&'a [u8]> {
        if self.plain_ids {
            Some(field)
        } else {
            identifier(field)
        }
    }
}

/// A line of at most 128 bytes, one bit per byte.
struct Masks {
    commas: u128,
    quotes: u128,
    /// Bytes not ASCII.
    high: u128,
    /// Spaces, controls and bytes not ASCII: where a field starts or ends with one, it may
    /// need trimming (DEL, the one other byte not visible, is no whitespace).
    hidden: u128,
    /// Points and the letter e, either case: where an id holds one, it may be a number.
    dots: u128,
    carriage_return: bool,
}

/// The masks of a line of at most 128 bytes, read sixteen bytes at a time (SSE2 on
/// x86-64, through `wide`).
fn masks(line: &[u8]) -> Option<Masks> {
    if line.len() > 128 {
        return None;
    }
    let (chunks, rest) = line.as_chunks::<16>();
    // The last chunk filled with a byte that sets no mask.
    let mut last = [b'a'; 16];
    last[..rest.len()].copy_from_slice(rest);
    let last = (!rest.is_empty()).then_some(&last);
    // Each mask sixteen bits at a time, joined once at the end (not shifted in bit by
    // bit: 128-bit shifts cost several instructions each).
    let (mut commas, mut quotes, mut high, mut hidden, mut dots) =
        ([0u16; 8], [0; 8], [0; 8], [0; 8], [0; 8]);
    let mut cr = 0;
    for (k, chunk) in chunks.iter().chain(last).enumerate() {
        let v = u8x16::new(*chunk);
        let bits = |mask: u8x16| mask.to_bitmask() as u16;
        commas[k] = equal_bits(v, b',');
        quotes[k] = equal_bits(v, b'"');
        high[k] = bits(v);
        cr |= equal_bits(v, b'\r');
        // Signed, the bytes not ASCII are below the space too.
        hidden[k] = bits(v.cast_signed().simd_lt(i8x16::splat(0x21)).cast_unsigned());
        dots[k] = equal_bits(v | u8x16::splat(0x20), b'e') | equal_bits(v, b'.');
    }
    let join = |m: [u16; 8]| {
        let mut bytes = [0u8; 16];
        for (pair, bits) in bytes.chunks_exact_mut(2).zip(m) {
            pair.copy_from_slice(&bits.to_le_bytes());
        }
        u128::from_le_bytes(bytes)
    };
    Some(Masks {
        commas: join(commas),
        quotes: join(quotes),
        high: join(high),
        hidden: join(hidden),
        dots: join(dots),
        carriage_return: cr != 0,
    })
}

/// A bit per byte of `v` that is `b`, the first byte lowest (SSE2's compare and mask).
pub(super) fn equal_bits(v: u8x16, b: u8) -> u16 {
    v.simd_eq(u8x16::splat(b)).to_bitmask() as u16
}

/// The bits of bytes `s..e` (`s <= e <= 128`).
fn span_bits(s: usize, e: usize) -> u128 {
    let below = |n: usize| u128::MAX.checked_shr(128 - n as u32).unwrap_or(0);
    below(e) & !below(s)
}

/// A row read. Dates are day numbers ([`day_number`]); texts are UTF-8 ([`text`]).
pub(super) struct Row<'a> {
    pub kind: DocKind,
    pub id: &'a [u8],
    pub customer: &'a [u8],
    pub name: &'a [u8],
    pub date: u16,
    /// Invoices only: the due date, the issue date plus the terms when empty.
    pub due: u16,
    pub currency: Currency,
    /// In hundredths: amount, and amount + withholding + discount.
    pub amount: i64,
    pub value: i64,
    /// Credits only; empty when none.
    pub reference: &'a [u8],
}

/// A currency as written in three bytes.
type Code = [u8; 3];

/// What a field needs to be read.
pub(super) struct Reader {
    /// For an empty currency: `None` when the policy did not choose one (the exact path
    /// then reads the file, and warns of them).
    default_currency: Option<Currency>,
    terms_days: u32,
    /// The last four currencies met as three bytes, as written, and their minor units
    /// (`None`: not one), the latest met first (not moved when met again).
    currencies: [(Code, Option<(Currency, u32)>); 4],
    /// Dates read, as written, and their day numbers, each in the slot its day and the
    /// last digit of its month pick ([`date_slot`]): rows of a ledger come mostly in date
    /// order, and their due dates fall within a few months of them (with the last two
    /// dates only, half the due dates were read anew).
    days: Box<[((u64, u16), u16); 256]>,
}

/// The slot of a date written `YYYY-MM-DD`, as two numbers (its first eight bytes and its
/// last two): its day's digits and the last digit of its month.
fn date_slot((head, tail): (u64, u16)) -> usize {
    let day = usize::from(tail & 0x0f) * 10 + usize::from(tail >> 8 & 0x0f);
    let month = (head >> 48) as usize & 7;
    (month << 5 | day) & 255
}

impl Reader {
    pub(super) fn new(default_currency: Option<Currency>, terms_days: u32) -> Reader {
        Reader {
            default_currency,
            terms_days,
            currencies: [([0; 3], None); 4],
            days: Box::new(
                [(
                    (u64::from_le_bytes(*b"1970-01-"), u16::from_le_bytes(*b"01")),
                    1,
                ); 256],
            ),
        }
    }

    /// Reads a split line; `None` for anything but the plain form.
    pub(super) fn row<'a>(&mut self, fields: &'a Fields, line: &'a [u8]) -> Option<Row<'a>> {
        let f = fields.all(line)?;
        let kind = match f[0] {
            b"invoice" => DocKind::Invoice,
            b"payment" => DocKind::Payment,
            b"credit_note" => DocKind::CreditNote,
            _ => return None,
        };
        let id = fields.id(f[1])?;
        let customer = fields.id(f[2])?;
        if id.is_empty() || customer.is_empty() {
            return None;
        }
        let name = f[3];
        let date = self.day(f[4])?;
        let (currency, minor) = self.currency(f[7])?;
        let amount = cents(f[6], minor)?;
        let reference = fields.id(f[8])?;
        let withholding = part(f[9], minor)?;
        let discount = part(f[10], minor)?;
        if (withholding != 0 || discount != 0) && kind != DocKind::Payment {
            return None;
        }
        let value = amount.checked_add(withholding)?.checked_add(discount)?;
        // The exact path refuses a value of 10^15 or more; this path keeps 48 bits.
        if value >= MAX_CENTS {
            return None;
        }
        // Every row's due date tells the exact path how the column is written, so a credit's
        // must read as an invoice's would (or be empty).
        let due = match (kind, f[5]) {
            (DocKind::Invoice, b"") => u16::try_from(u32::from(date) + self.terms_days).ok()?,
            (_, b"") => date,
            (DocKind::Invoice, due) => self.day(due)?,
            (_, due) => self.day(due).map(|_| date)?,
        };
        Some(Row {
            kind,
            id,
            customer,
            name,
            date,
            due,
            currency,
            amount,
            value,
            reference,
        })
    }

    /// `YYYY-MM-DD` as a day number ([`day`]).
    fn day(&mut self, bytes: &[u8]) -> Option<u16> {
        // The ten bytes as two numbers, compared at once.
        let (head, tail) = bytes.split_first_chunk::<8>()?;
        let text = (
            u64::from_le_bytes(*head),
            u16::from_le_bytes(tail.try_into().ok()?),
        );
        let slot = &mut self.days[date_slot(text)];
        if slot.0 == text {
            return Some(slot.1);
        }
        let n = day(bytes)?;
        *slot = (text, n);
        Some(n)
    }

    /// The currency and its minor units; an empty one is the policy's default, when it chose
    /// one (`None` otherwise: the exact path reads it and warns of it).
    fn currency(&mut self, bytes: &[u8]) -> Option<(Currency, u32)> {
        if bytes.is_empty() {
            return self.default_currency.map(|c| (c, c.minor_units()));
        }
        let code = <[u8; 3]>::try_from(bytes).ok();
        if let Some(code) = code
            && let Some((_, read)) = self.currencies.iter().find(|(c, _)| *c == code)
        {
            return *read;
        }
        let text = std::str::from_utf8(bytes).ok()?;
        let read = fields::currency(text, "", Currency::XXX) // not empty: no default
            .ok()
            .map(|c| (c, c.minor_units()));
        if let Some(code) = code {
            // The oldest one met makes room (a ledger has a few currencies).
            self.currencies.rotate_right(1);
            self.currencies[0] = (code, read);
        }
        read
    }
}

/// A document or customer id, as the exact path reads it (`1930571429.0` is
/// `1930571429`); `None` for a number in scientific notation.
fn identifier(bytes: &[u8]) -> Option<&[u8]> {
    // Only a point or an exponent makes the exact path read an id otherwise.
    if !bytes.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return Some(bytes);
    }
    fields::identifier(text(bytes)?, "").ok().map(str::as_bytes)
}

/// A text of a [`Row`] (checked to be UTF-8 when read) as a `str`.
pub(super) fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// `YYYY-MM-DD` as a day number ([`day_number`]), for years 1970 to 2149.
fn day(b: &[u8]) -> Option<u16> {
    let b: &[u8; 10] = b.try_into().ok()?;
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1970..=2149).contains(&y) || d == 0 || d > days_in_month {
        return None;
    }
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil), plus one.
    let (y, m, d) = (i64::from(y) - i64::from(m <= 2), i64::from(m), i64::from(d));
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u16::try_from(era * 146_097 + doe - 719_468 + 1).ok()
}

/// The day before the first day this path numbers (day 1 is 1970-01-01).
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1969, 12, 31).expect("a valid date")
}

/// The date of day number `day`.
pub(super) fn date_of(day: u16) -> NaiveDate {
    epoch() + chrono::Days::new(u64::from(day))
}

/// A date as a day number in 16 bits (1970-01-01 is 1), or `None` outside them.
pub(super) fn day_number(date: NaiveDate) -> Option<u16> {
    if date.year() < 1970 {
        return None;
    }
    u16::try_from((date - epoch()).num_days()).ok()
}

/// An amount written as digits with at most two decimals after a point (and no more than
/// the currency has), in hundredths.
fn cents(bytes: &[u8], minor_units: u32) -> Option<i64> {
    // One pass: the digits' value, and where the point is (if there is one).
    let (mut n, mut point) = (0i64, None);
    for (k, &b) in bytes.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d <= 9 {
            // At most 17 digits are taken (below), so this cannot overflow before then.
            n = n.wrapping_mul(10).wrapping_add(i64::from(d));
        } else if b == b'.' && point.is_none() {
            point = Some(k);
        } else {
            return None;
        }
    }
    // At most 15 digits before the point, one or two after it (if there is one).
    let (int, places) = match point {
        Some(k) => (k, bytes.len() - k - 1),
        None => (bytes.len(), 0),
    };
    if int == 0
        || int > 15
        || (point.is_some() && (places == 0 || places > 2.min(minor_units as usize)))
    {
        return None;
    }
    let cents = n * [100, 10, 1][places];
    (cents < MAX_CENTS).then_some(cents)
}

/// A withholding or discount: empty is zero.
fn part(bytes: &[u8], minor_units: u32) -> Option<i64> {
    if bytes.is_empty() {
        Some(0)
    } else {
        cents(bytes, minor_units)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    /// The fields of a line as the reader reads them (`all`, each one checked against
    /// `text`), and its ids as `id` reads them.
    fn split_ids(line: &str) -> Option<(Vec<String>, Vec<Option<String>>)> {
        let mut f = Fields::default();
        let line = line.as_bytes();
        f.split(line).then(|| {
            let all = f.all(line).unwrap();
            let fields = (0..FIELDS)
                .map(|i| {
                    let read = text(all[i]).unwrap();
                    assert_eq!(read, f.text(line, i).unwrap());
                    read.to_string()
                })
                .collect();
            let ids = [1, 2, 8]
                .map(|i| f.id(all[i]).map(|id| text(id).unwrap().to_string()))
                .to_vec();
            (fields, ids)
        })
    }

    fn split(line: &str) -> Option<Vec<String>> {
        split_ids(line).map(|(fields, _)| fields)
    }

    /// What the csv crate reads from the same line.
    fn csv_fields(line: &str) -> Vec<String> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        rec.iter().map(str::to_string).collect()
    }

    #[test]
    fn plain_lines_split_as_the_csv_reader_splits_them() {
        for line in [
            "invoice,FV-1,900,Tienda,2026-01-01,,10.50,COP,,,",
            r#"invoice,FV-1,900,"Almacén ""Martínez"", Ltda.",2026-01-01,,10,COP,,,"#,
            r#""payment","P-1","900","","2026-01-01","","10","COP","FV-1","""1""","2""""""#,
            r#"invoice,FV-1,900,"a,b",2026-01-01,,10,COP,,"",x"#,
        ] {
            assert_eq!(split(line).unwrap(), csv_fields(line), "{line}");
        }
    }

    #[test]
    fn lines_of_any_length_split_alike_whether_read_sixteen_bytes_at_a_time_or_not() {
        // Lines up to 128 bytes are read sixteen bytes at a time, longer ones by memchr: every
        // length around the words and the limit, with the name (and its accents) anywhere.
        for len in 0..150 {
            for (fill, ending) in [("a", ",,"), ("é", ",,"), ("a", ",5,1"), ("ñ", ",,7")] {
                let name = fill.repeat(len);
                for line in [
                    format!("payment,P-1,900,{name},2026-01-01,,10.50,COP,FV-1{ending}"),
                    format!("invoice,FV-1,900,X,2026-01-01,,10.50,COP,{name}{ending}"),
                    format!("invoice,{name}1,900,X,2026-01-01,,10.50,COP,,,{name}"),
                    format!(
                        "payment,P-1,900,\"{name}, \"\"Ltda\"\"\",2026-01-01,,1,COP,\"\"{ending}"
                    ),
                    format!(
                        "payment,\"P-1\",900,\"\"\"{name}\",2026-01-01,,1,COP,\"a,\"\"\"{ending}"
                    ),
                ] {
                    assert_eq!(split(&line).unwrap(), csv_fields(&line), "{line}");
                    let ten_commas = format!("{line},");
                    assert_eq!(split(&ten_commas), None, "{ten_commas}");
                }
            }
        }
    }

    #[test]
    fn whatever_line_is_split_is_split_as_the_csv_reader_splits_it() {
        // Random lines of eleven fields, plain, quoted (with commas and doubled quotes) or
        // empty, short and long, one in three with a stray quote, comma or carriage
        // return: each one split is split into the csv reader's fields (trimmed as the
        // exact path trims them); the others go to the exact path.
        // The forms that need no trimming first, then the other unquoted ones: one line in
        // three takes only the first (but for one field), one in three only unquoted ones.
        let forms = [
            "",
            "a",
            "12.0",
            "1e3",
            "FE-1",
            "\u{7f}",
            "Peña S.A.",
            " b ",
            "\tc",
            "c ",
            "\u{a0}é",
            "\"x, \"\"y\"\"\"",
            "\"\"",
            "\"é,\"",
        ];
        let unquoted = forms.iter().take_while(|f| !f.contains('"')).count();
        let untrimmed = forms.iter().take_while(|f| fields::trim(f) == **f).count();
        let strays = ["\"", ",", "\r", "\"\""];
        let mut draw = crate::draws(0x2545_f491_4f6c_dd1d_u64);
        let mut next = |n: usize| draw(n as u64) as usize;
        let (tried, mut split_some) = (20_000, 0);
        for _ in 0..tried {
            let kinds = [untrimmed, unquoted, forms.len()][next(3)];
            // A line of forms that need no trimming has one field that may.
            let odd = (kinds == untrimmed).then(|| next(FIELDS));
            let fields: Vec<String> = (0..FIELDS)
                .map(|i| {
                    let kinds = if odd == Some(i) { unquoted } else { kinds };
                    forms[next(kinds)].repeat(1 + next(4) * next(6))
                })
                .collect();
            let mut line = fields.join(",");
            if next(3) == 0 {
                let at = (0..=next(line.len() + 1))
                    .rev()
                    .find(|&k| line.is_char_boundary(k));
                line.insert_str(at.unwrap_or(0), strays[next(strays.len())]);
            }
            if let Some((fields, ids)) = split_ids(&line) {
                split_some += 1;
                // Trimmed as the exact path trims them.
                let read: Vec<_> = csv_fields(&line)
                    .iter()
                    .map(|f| fields::trim(f).to_string())
                    .collect();
                assert_eq!(fields, read, "{line}");
                // Ids as the exact path reads them (`1.0` is `1`).
                let read_ids = [1, 2, 8].map(|i| {
                    fields::identifier(&read[i], "")
                        .ok()
                        .map(|id| id.to_string())
                });
                assert_eq!(ids, read_ids, "{line}");
            }
        }
        assert!(split_some > tried / 50, "{split_some} of {tried}");
    }

    #[test]
    fn a_carriage_return_or_a_byte_not_ascii_where_only_ascii_is_read_is_refused() {
        let mut f = Fields::default();
        let mut reader = Reader::new(Currency::parse("COP"), 30);
        let mut row = |line: &str| {
            (f.split(line.as_bytes()) && reader.row(&f, line.as_bytes()).is_some()).then_some(())
        };
        assert!(row("invoice,FV-1,900,Tiénda,2026-01-01,,10.50,COP,,,").is_some());
        // A no-break space around a value is trimmed, as the exact path trims it.
        assert!(row("invoice,FV-1,900,Tienda,2026-01-01,,10.50\u{a0},COP,,,").is_some());
        for bad in [
            "invoice,FV-1,900,Tienda,2026-01-01,,10.50,COP,,,\r",
            "invoice,FV-1,900,Tie\rnda,2026-01-01,,10.50,COP,,,",
            "invoice,FV-1,900,\"Tie\rnda\",2026-01-01,,10.50,COP,,,",
            "invoicé,FV-1,900,Tienda,2026-01-01,,10.50,COP,,,",
            "invoice,FV-1,900,Tienda,2026-01-0١,,10.50,COP,,,",
            "invoice,FV-1,900,Tienda,2026-01-01,,1٠.50,COP,,,",
            "invoice,FV-1,900,Tienda,2026-01-01,,10.50,CÖP,,,",
        ] {
            assert!(row(bad).is_none(), "{bad:?}");
        }
        // Bytes that are not UTF-8, in a text field, short line or long.
        for long in [false, true] {
            let name = if long { "x".repeat(130) } else { String::new() };
            let mut line = format!("invoice,FV-1,900,{name}Ti").into_bytes();
            line.extend_from_slice(b"\xe9nda,2026-01-01,,10.50,COP,,,");
            assert!(f.split(&line) && reader.row(&f, &line).is_none());
        }
    }

    #[test]
    fn anything_but_plain_quoting_or_eleven_fields_is_left_to_the_exact_path() {
        for line in [
            "invoice,FV-1,900,Tienda,2026-01-01,,10.50,COP,,",
            "invoice,FV-1,900,Tienda,2026-01-01,,10.50,COP,,,,",
            r#"invoice,FV-1,900,"Tienda,2026-01-01,,10,COP,,,"#,
            r#"invoice,FV-1,900,Tie"nda,2026-01-01,,10,COP,,,"#,
            r#"invoice,FV-1,900,"Tienda" S.A.,2026-01-01,,10,COP,,,"#,
            r#"invoice,FV-1,900,"Tie"nda",2026-01-01,,10,COP,,,"#,
            r#"invoice,FV-1,900,"Tienda"",2026-01-01,,10,COP,,,"#,
            r#"invoice,FV-1,900,Tienda,2026-01-01,,10,COP,,,""#,
            r#""invoice,FV-1,900,Tienda,2026-01-01,,10,COP,,,"#,
        ] {
            assert_eq!(split(line), None, "{line}");
        }
    }

    #[test]
    fn amounts_are_read_in_hundredths_only_in_their_plain_form() {
        assert_eq!(cents(b"4436380.84", 2), Some(443_638_084));
        assert_eq!(cents(b"10.5", 2), Some(1050));
        assert_eq!(cents(b"007", 0), Some(700));
        for bad in [
            "", ".5", "5.", "1.234", "1,5", "-5", "+5", " 5", "1e3", "5.00x",
        ] {
            assert_eq!(cents(bad.as_bytes(), 2), None, "{bad}");
        }
        assert_eq!(cents(b"10.5", 0), None); // JPY has no decimals
        // Random strings of digits, points and other bytes: each one read is what the exact
        // path reads, and each one of the plain form is read.
        let mut draw = crate::draws(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |n: usize| draw(n as u64) as usize;
        let alphabet = b"0123456789.0123456789x-";
        for _ in 0..50_000 {
            let text: String = (0..next(20))
                .map(|_| char::from(alphabet[next(alphabet.len())]))
                .collect();
            let plain = match text.split_once('.') {
                Some((int, frac)) => {
                    (1..=2).contains(&frac.len())
                        && frac.bytes().all(|b| b.is_ascii_digit())
                        && !int.is_empty()
                }
                None => !text.is_empty(),
            } && text
                .bytes()
                .filter(|&b| b != b'.')
                .all(|b| b.is_ascii_digit())
                && text.split('.').next().is_some_and(|int| int.len() <= 15);
            let read = cents(text.as_bytes(), 2);
            if !plain {
                assert_eq!(read, None, "{text}");
                continue;
            }
            let exact = crate::money::parse_amount(&text).unwrap();
            if exact * Decimal::ONE_HUNDRED < Decimal::from(MAX_CENTS) {
                assert_eq!(read.map(|r| Decimal::new(r, 2)), Some(exact), "{text}");
            } else {
                assert_eq!(read, None, "{text}");
            }
        }
        assert_eq!(cents(b"1407374883553.28", 2), None); // 2^47 hundredths
        assert_eq!(cents(b"1407374883553.27", 2), Some(MAX_CENTS - 1));
    }

    #[test]
    fn currencies_read_through_the_memory_of_the_last_four_as_the_plain_reading() {
        let cop = Currency::parse("COP").unwrap();
        let mut reader = Reader::new(Some(cop), 30);
        let codes = [
            "COP", "USD", "EUR", "JPY", "MXN", "cop", "XYZ", "", "USD", "XYZ", "COPS",
        ];
        for code in codes.iter().cycle().take(50) {
            let plain = fields::currency(code, "", cop)
                .ok()
                .map(|c| (c, c.minor_units()));
            assert_eq!(reader.currency(code.as_bytes()), plain, "{code}");
        }
        // With no default chosen, an empty currency is left to the exact path (which warns).
        let mut reader = Reader::new(None, 30);
        assert_eq!(reader.currency(b""), None);
        assert_eq!(reader.currency(b"COP"), Some((cop, 2)));
    }

    #[test]
    fn dates_are_day_numbers_in_sixteen_bits() {
        let d = |s: &str| day(s.as_bytes());
        let mut date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        while date.year() < 2150 {
            assert_eq!(d(&date.to_string()), day_number(date), "{date}");
            date = date + chrono::Days::new(1);
        }
        assert_eq!(d("1970-01-01"), Some(1));
        // Dates read through a reader's memory of the dates it read as the plain reading:
        // eight years of days (many in one slot), each read twice in random order, and
        // texts that are no date among them.
        let mut reader = Reader::new(Currency::parse("COP"), 30);
        let first = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let mut texts: Vec<String> = (0..2 * 8 * 366)
            .map(|k| (first + chrono::Days::new(k / 2)).to_string())
            .collect();
        texts.extend(["1970-01-01", "2026-02-30", "2026-13-31", "2026-01-3x"].map(String::from));
        texts.push("\0".repeat(10));
        let mut next = crate::draws(11);
        for i in (1..texts.len()).rev() {
            texts.swap(i, next(i as u64 + 1) as usize);
        }
        for text in texts.iter().chain(&texts) {
            assert_eq!(reader.day(text.as_bytes()), d(text), "{text:?}");
        }
        let last = epoch() + chrono::Days::new(65_535);
        assert_eq!(d(&last.to_string()), Some(65_535));
        assert_eq!(d(&(last + chrono::Days::new(1)).to_string()), None);
        for bad in [
            "2026-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "26-06-30",
            "2026/06/30",
            "1969-12-31",
            "2200-01-01",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
        assert_eq!(
            d("2024-02-29"),
            day_number(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
    }
}
