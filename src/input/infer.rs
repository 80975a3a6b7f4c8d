//! How the dates and amounts of one column are read when the policy does not say: every
//! candidate format (or decimal mark) that reads all the column's values so far, narrowed
//! value by value. A value that reads the same under every candidate tells nothing (`2480`,
//! `05/05/2026`); one that reads under fewer narrows the set (`1.234,50`, `25/03/2026`); one
//! that reads differently under two candidates that remain is ambiguous (`1.234`,
//! `05/03/2026`), and the column cannot be read until a later value tells them apart.
//!
//! The reader looks ahead ([`LOOKAHEAD_ROWS`]) until every column is decided, so that the
//! first rows of a file, often ambiguous, are read the way the rest of the file says.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::Columns;
use super::fields::shown;
use crate::dates::parse_iso_date;
use crate::money::parse_localized;
use crate::policy::InputSettings;

/// Rows held back, at most, to decide how a column is written.
pub const LOOKAHEAD_ROWS: usize = 50_000;

/// Date formats tried when `date_format` is not set (besides ISO, tried first).
const DATE_CANDIDATES: [&str; 9] = [
    "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%b-%Y", "%d/%b/%Y",
    "%d %b %Y",
];

/// One way of writing a value.
pub trait Reading {
    type Value: PartialEq + std::fmt::Display;
    fn read(&self, text: &str) -> Option<Self::Value>;
    /// How the setting is written (`%d/%m/%Y`, `,`).
    fn label(&self) -> String;
}

/// A date format: ISO (with or without a time), a chrono pattern, or Excel's serial day
/// numbers (only when the policy says so: five-digit numbers are also invoice numbers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateFormat {
    Iso,
    Pattern(String),
    /// Days since 1899-12-30 (`excel-serial`), or since 1904-01-01 (`excel-serial-1904`).
    ExcelSerial {
        epoch_1904: bool,
    },
}

impl DateFormat {
    /// Whether `text` is written in this format but names no day of the calendar
    /// (`2026-02-30`, `31/04/2026`, `2026-13-01`).
    pub fn no_such_day(&self, text: &str) -> bool {
        let text = text.trim();
        match self {
            DateFormat::Iso => {
                let b = text.as_bytes();
                b.len() == 10
                    && (b.iter().enumerate()).all(|(i, c)| {
                        if i == 4 || i == 7 {
                            *c == b'-'
                        } else {
                            c.is_ascii_digit()
                        }
                    })
                    && parse_iso_date(text).is_none()
            }
            DateFormat::Pattern(format) => {
                // Read in full (a day and a month in their ranges, a year), with no such day.
                let no_such_day = |t: &str| {
                    let mut parsed = chrono::format::Parsed::new();
                    let items = chrono::format::StrftimeItems::new(format);
                    chrono::format::parse(&mut parsed, t, items).is_ok()
                        && matches!(
                            (parsed.year(), parsed.month(), parsed.day()),
                            (Some(y), Some(m @ 1..=12), Some(d @ 1..=31))
                                if NaiveDate::from_ymd_opt(y, m, d).is_none()
                        )
                };
                spellings(format, text, no_such_day)
            }
            DateFormat::ExcelSerial { .. } => false,
        }
    }

    /// The policy's `date_format` (already checked).
    pub fn from_setting(setting: &str) -> DateFormat {
        match setting {
            "excel-serial" => DateFormat::ExcelSerial { epoch_1904: false },
            "excel-serial-1904" => DateFormat::ExcelSerial { epoch_1904: true },
            other => DateFormat::Pattern(other.to_string()),
        }
    }
}

impl Reading for DateFormat {
    type Value = NaiveDate;

    fn read(&self, text: &str) -> Option<NaiveDate> {
        let date_part = || text.split([' ', 'T']).next().unwrap_or("");
        match self {
            DateFormat::Iso => parse_iso_date(text).or_else(|| parse_iso_date(date_part())),
            DateFormat::Pattern(format) => {
                let read = |t: &str| NaiveDate::parse_from_str(t, format).ok();
                let mut date = None;
                spellings(format, text, |t| {
                    date = read(t).or_else(|| t.split([' ', 'T']).next().and_then(read));
                    date.is_some()
                });
                date
            }
            DateFormat::ExcelSerial { epoch_1904 } => excel_serial(text, *epoch_1904),
        }
    }

    fn label(&self) -> String {
        match self {
            DateFormat::Iso => "%Y-%m-%d".to_string(),
            DateFormat::Pattern(p) => p.clone(),
            DateFormat::ExcelSerial { epoch_1904: false } => "excel-serial".to_string(),
            DateFormat::ExcelSerial { epoch_1904: true } => "excel-serial-1904".to_string(),
        }
    }
}

/// A date format as the policy set it, or as guessed (a guess must give a four-digit year:
/// chrono reads `%Y` from two digits too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateReading {
    Set(DateFormat),
    Guess(DateFormat),
}

impl DateReading {
    /// See [`DateFormat::no_such_day`].
    pub fn no_such_day(&self, text: &str) -> bool {
        match self {
            DateReading::Set(f) | DateReading::Guess(f) => f.no_such_day(text),
        }
    }
}

impl Reading for DateReading {
    type Value = NaiveDate;

    fn read(&self, text: &str) -> Option<NaiveDate> {
        use chrono::Datelike;
        match self {
            DateReading::Set(f) => f.read(text),
            DateReading::Guess(f) => f.read(text).filter(|d| d.year() >= 1000),
        }
    }

    fn label(&self) -> String {
        match self {
            DateReading::Set(f) | DateReading::Guess(f) => f.label(),
        }
    }
}

/// `45352` → 2024-03-02. Serial 60 is Excel's 29 February 1900, which never was, so the
/// 1900 system starts at 61 (1900-03-01); a fraction is the time of day.
fn excel_serial(text: &str, epoch_1904: bool) -> Option<NaiveDate> {
    let (days, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.len() <= 7 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(days) || !digits(fraction) {
        return None;
    }
    let n: u64 = days.parse().ok()?;
    let (epoch, first) = if epoch_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, 0)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, 61)
    };
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)?;
    (n >= first)
        .then(|| epoch.checked_add_days(Days::new(n)))
        .flatten()
        .filter(|d| *d <= last)
}

/// Whether `f` holds for `text` as a `format` reads it: as written, or for `%b`, with its
/// Spanish months in English and then, if that fails and it differs, also without the
/// points after them (`16-dic.-2025`; a format that writes the point, `%d-%b.-%Y`, reads it
/// as written).
fn spellings(format: &str, text: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    if !format.contains("%b") {
        return f(text);
    }
    let english = spanish_months_in_english(text);
    f(&english) || {
        let bare = without_abbreviation_points(&english);
        bare != english && f(&bare)
    }
}

/// `15-ene-2026` → `15-jan-2026`, so chrono's `%b` reads Spanish abbreviations (`sept` too,
/// as Spanish systems also write it).
fn spanish_months_in_english(text: &str) -> String {
    const MONTHS: [(&str, &str); 6] = [
        ("sept", "sep"),
        ("ene", "jan"),
        ("abr", "apr"),
        ("ago", "aug"),
        ("dic", "dec"),
        ("set", "sep"),
    ];
    let lower = text.to_lowercase();
    MONTHS.iter().fold(lower, |t, (es, en)| t.replace(es, en))
}

/// The text without a point after a word before a separator or the end (`16-dec.-2025`,
/// `3 sep. 2026`), as abbreviations are written.
fn without_abbreviation_points(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let point_after_word = |i: usize| {
        chars[i] == '.'
            && i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric())
    };
    (0..chars.len())
        .filter(|&i| !point_after_word(i))
        .map(|i| chars[i])
        .collect()
}

/// A decimal mark: `.` or `,` (the other may group thousands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark(pub char);

impl Reading for Mark {
    type Value = Decimal;

    fn read(&self, text: &str) -> Option<Decimal> {
        parse_localized(text, self.0).ok()
    }

    fn label(&self) -> String {
        self.0.to_string()
    }
}

/// The readings still possible for one column.
#[derive(Clone)]
pub struct Column<F> {
    candidates: Vec<F>,
    /// A value read differently by candidates that remain, and its line.
    ambiguous: Option<(String, u64)>,
}

/// Why a value of a column cannot be read.
pub enum Unread {
    /// No candidate reads it.
    Bad,
    /// The candidates that remain read it differently (this says how).
    Ambiguous(String),
}

impl<F: Reading> Column<F> {
    pub fn new(candidates: Vec<F>) -> Self {
        Column {
            candidates,
            ambiguous: None,
        }
    }

    /// The candidates that remain.
    pub fn candidates(&self) -> &[F] {
        &self.candidates
    }

    /// Narrows the candidates to those that read `text` (unless none does: a bad value
    /// tells nothing about the column), and returns what they read.
    fn narrow(&mut self, text: &str) -> Vec<F::Value> {
        if text.is_empty() {
            return Vec::new();
        }
        let readings: Vec<Option<F::Value>> =
            self.candidates.iter().map(|f| f.read(text)).collect();
        if readings.iter().all(Option::is_none) {
            return Vec::new();
        }
        if readings.iter().any(Option::is_none) {
            let mut keep = readings.iter().map(Option::is_some);
            self.candidates.retain(|_| keep.next().unwrap_or(false));
            self.forget_settled_example();
        }
        readings.into_iter().flatten().collect()
    }

    /// Drops the ambiguous example once the candidates left read it alike.
    fn forget_settled_example(&mut self) {
        if let Some((example, _)) = &self.ambiguous {
            let values: Vec<_> = (self.candidates.iter())
                .filter_map(|f| f.read(example))
                .collect();
            if values.windows(2).all(|w| w[0] == w[1]) {
                self.ambiguous = None;
            }
        }
    }

    /// Looks at a value ahead of reading the column.
    pub fn observe(&mut self, text: &str, line: u64) {
        let values = self.narrow(text);
        if self.ambiguous.is_none() && values.windows(2).any(|w| w[0] != w[1]) {
            self.ambiguous = Some((text.to_string(), line));
        }
    }

    /// One candidate is left.
    pub fn decided(&self) -> bool {
        self.candidates.len() <= 1
    }

    /// Reads a value.
    pub fn read(&mut self, text: &str) -> Result<F::Value, Unread> {
        if let [only] = self.candidates.as_slice() {
            return only.read(text).ok_or(Unread::Bad); // decided: the common case
        }
        let values = self.narrow(text);
        let Some(first) = values.first() else {
            return Err(Unread::Bad);
        };
        if values.iter().all(|v| v == first) {
            return Ok(values.into_iter().next().expect("not empty"));
        }
        Err(Unread::Ambiguous(self.readings_of(text)))
    }

    /// `"05/03/2026" reads as 2026-03-05 (%d/%m/%Y) or 2026-05-03 (%m/%d/%Y)`.
    fn readings_of(&self, text: &str) -> String {
        let ways: Vec<String> = (self.candidates.iter())
            .filter_map(|f| f.read(text).map(|v| format!("{v} ({})", f.label())))
            .collect();
        format!("\"{}\" reads as {}", shown(text), ways.join(" or "))
    }

    /// After the look-ahead: the value no later value told apart, if any, with its line.
    pub fn still_ambiguous(&self) -> Option<(String, u64)> {
        let (text, line) = self.ambiguous.as_ref()?;
        (!self.decided()).then(|| (self.readings_of(text), *line))
    }
}

/// The readings of a date column.
pub type DateColumn = Column<DateReading>;

/// How each date and amount column of one input is read.
#[derive(Clone)]
pub struct Readings {
    dates: Vec<(usize, DateColumn)>,
    amounts: Vec<(usize, Column<Mark>)>,
    input: InputSettings,
}

/// The readings of a date column: the policy's format, else ISO and the common ones.
pub fn date_column(input: &InputSettings) -> DateColumn {
    Column::new(match &input.date_format {
        Some(setting) => vec![DateReading::Set(DateFormat::from_setting(setting))],
        None => std::iter::once(DateFormat::Iso)
            .chain(DATE_CANDIDATES.map(|p| DateFormat::Pattern(p.to_string())))
            .map(DateReading::Guess)
            .collect(),
    })
}

/// The readings of an amount column: the policy's decimal mark, else `.` or `,`.
pub fn amount_column(input: &InputSettings) -> Column<Mark> {
    Column::new(match input.decimal_mark {
        Some(mark) => vec![Mark(mark)],
        None => vec![Mark('.'), Mark(',')],
    })
}

impl Readings {
    pub fn new(cols: &Columns, input: &InputSettings) -> Readings {
        let dates = [Some(cols.date), cols.due, cols.paid_date];
        let amounts = [Some(cols.amount), cols.paid_amount]
            .into_iter()
            .flatten()
            .chain(cols.withholding.iter().copied())
            .chain(cols.discount.iter().copied());
        Readings {
            dates: (dates.into_iter().flatten())
                .map(|i| (i, date_column(input)))
                .collect(),
            amounts: amounts.map(|i| (i, amount_column(input))).collect(),
            input: input.clone(),
        }
    }

    /// Every column has one reading left.
    pub fn decided(&self) -> bool {
        self.dates.iter().all(|(_, c)| c.decided()) && self.amounts.iter().all(|(_, c)| c.decided())
    }

    /// The readings one pass over a file would have after its second part, given this
    /// (where the first part ended) and `tail` (what a reader of the second part alone,
    /// started from an earlier state, was left with). Each of `tail`'s values narrowed its
    /// column to the candidates that read it; as long as one of ours is among those left,
    /// ours read each of its values alike (fewer candidates, same agreement), so the second
    /// part's documents are exactly one pass's, and the candidates left are both sets'.
    /// `None` when a column has none in common: some value of `tail` was read by candidates
    /// one pass no longer had. This holds only for a `tail` read without a problem (a value
    /// no candidate reads narrows nothing; an ambiguous one is an error): `absorb` checks.
    pub fn meet(&self, tail: &Readings) -> Option<Readings> {
        fn both<F: Reading + Clone + PartialEq>(
            ours: &Column<F>,
            theirs: &Column<F>,
        ) -> Option<Column<F>> {
            let mut met = ours.clone();
            met.candidates.retain(|c| theirs.candidates.contains(c));
            met.forget_settled_example();
            (!met.candidates.is_empty()).then_some(met)
        }
        if (self.dates.len(), self.amounts.len()) != (tail.dates.len(), tail.amounts.len()) {
            return None;
        }
        let mut met = self.clone();
        for ((i, ours), (j, theirs)) in met.dates.iter_mut().zip(&tail.dates) {
            *ours = (i == j).then(|| both(ours, theirs)).flatten()?;
        }
        for ((i, ours), (j, theirs)) in met.amounts.iter_mut().zip(&tail.amounts) {
            *ours = (i == j).then(|| both(ours, theirs)).flatten()?;
        }
        Some(met)
    }

    /// Looks at a row ahead of reading it.
    pub fn observe(&mut self, rec: &csv::ByteRecord, line: u64) {
        let text = |i: usize| {
            rec.get(i)
                .and_then(|f| std::str::from_utf8(f).ok())
                .map(str::trim)
        };
        for (i, col) in &mut self.dates {
            col.observe(text(*i).unwrap_or(""), line);
        }
        for (i, col) in &mut self.amounts {
            col.observe(text(*i).unwrap_or(""), line);
        }
    }

    /// After the look-ahead: a column whose values could be read two ways, as a message
    /// (`line: column "x": …`), asking for the setting.
    pub fn problem(&self, cols: &Columns) -> Option<(u64, String)> {
        let dates = self.dates.iter().filter_map(|(i, c)| {
            let (how, line) = c.still_ambiguous()?;
            Some((line, format!(
                "column \"{}\": cannot tell how the dates are written: {how}, and no other date tells them apart (hint: set [input] date_format in the policy, or --date-format)",
                cols.names[*i]
            )))
        });
        let amounts = self.amounts.iter().filter_map(|(i, c)| {
            let (how, line) = c.still_ambiguous()?;
            Some((line, format!(
                "column \"{}\": cannot tell the decimal mark: {how}, and no other amount tells them apart (hint: set [input] decimal_mark in the policy, or --decimal-mark)",
                cols.names[*i]
            )))
        });
        dates.chain(amounts).min_by_key(|(line, _)| *line)
    }

    /// The reading of date column `i`.
    pub fn date(&mut self, i: usize) -> &mut DateColumn {
        let input = &self.input;
        column_of(&mut self.dates, i, || date_column(input))
    }

    /// The reading of amount column `i`.
    pub fn amount(&mut self, i: usize) -> &mut Column<Mark> {
        let input = &self.input;
        column_of(&mut self.amounts, i, || amount_column(input))
    }
}

/// The reading of column `i`, made when it is not there yet.
fn column_of<F>(
    columns: &mut Vec<(usize, Column<F>)>,
    i: usize,
    make: impl FnOnce() -> Column<F>,
) -> &mut Column<F> {
    let at = match columns.iter().position(|(c, _)| *c == i) {
        Some(at) => at,
        None => {
            columns.push((i, make()));
            columns.len() - 1
        }
    };
    &mut columns[at].1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(values: &[&str]) -> DateColumn {
        let mut c = date_column(&InputSettings::default());
        for (n, v) in values.iter().enumerate() {
            c.observe(v, n as u64 + 2);
        }
        c
    }

    fn labels<F: Reading>(c: &Column<F>) -> Vec<String> {
        c.candidates().iter().map(Reading::label).collect()
    }

    #[test]
    fn a_later_day_above_twelve_decides_day_first() {
        let mut c = dates(&["05/03/2026", "25/03/2026"]);
        assert_eq!(labels(&c), ["%d/%m/%Y"]);
        assert!(c.still_ambiguous().is_none());
        let d = c.read("05/03/2026").ok().unwrap();
        assert_eq!(d.to_string(), "2026-03-05");
    }

    #[test]
    fn days_never_above_twelve_stay_ambiguous_with_both_readings_named() {
        let c = dates(&["05/03/2026", "01/02/2026"]);
        let (how, line) = c.still_ambiguous().unwrap();
        assert_eq!(line, 2);
        assert_eq!(
            how,
            "\"05/03/2026\" reads as 2026-03-05 (%d/%m/%Y) or 2026-05-03 (%m/%d/%Y)"
        );
    }

    #[test]
    fn iso_timestamps_spanish_months_and_dotted_dates_decide_at_once() {
        assert_eq!(labels(&dates(&["2026-01-05T10:30:00-05:00"])), ["%Y-%m-%d"]);
        assert_eq!(labels(&dates(&["15-ene-2026"])), ["%d-%b-%Y"]);
        assert_eq!(labels(&dates(&["15.01.2026"])), ["%d.%m.%Y"]);
        // As Spanish systems also write them: sept, and a point after the abbreviation.
        for (text, label, day) in [
            ("16-SEPT-2026", "%d-%b-%Y", (2026, 9, 16)),
            ("16-dic.-2025", "%d-%b-%Y", (2025, 12, 16)),
            ("3 sept. 2026", "%d %b %Y", (2026, 9, 3)),
            ("16.dic.2025", "%d.%b.%Y", (2025, 12, 16)),
        ] {
            let format = DateFormat::Pattern(label.to_string());
            let want = NaiveDate::from_ymd_opt(day.0, day.1, day.2);
            assert_eq!(format.read(text), want, "{text}");
        }
        // A format that writes the point itself reads it as written.
        for (text, label) in [
            ("16-dic.-2025", "%d-%b.-%Y"),
            ("Dec. 16, 2025", "%b. %d, %Y"),
        ] {
            let format = DateFormat::Pattern(label.to_string());
            assert_eq!(
                format.read(text),
                NaiveDate::from_ymd_opt(2025, 12, 16),
                "{text}"
            );
        }
    }

    #[test]
    fn only_a_day_or_month_the_calendar_lacks_is_no_such_day() {
        let pattern = |p: &str| DateFormat::Pattern(p.to_string());
        assert!(pattern("%d/%m/%Y").no_such_day("31/02/2026"));
        assert!(pattern("%d-%b-%Y").no_such_day("29-feb.-2026"));
        assert!(DateFormat::Iso.no_such_day("2026-02-30"));
        // Not days at all, or a day the calendar has named by the wrong weekday.
        assert!(!pattern("%d/%m/%Y").no_such_day("hello"));
        assert!(!pattern("%d/%m/%Y").no_such_day("28/02/2026"));
        assert!(!pattern("%a %d/%m/%Y").no_such_day("Mon 16/09/2026"));
        assert!(!DateFormat::Iso.no_such_day("2026-2-3"));
        // Two-digit years are not guessed.
        assert!(dates(&["15/01/26"]).candidates().len() > 1);
    }

    #[test]
    fn a_bad_value_does_not_narrow_the_column() {
        let c = dates(&["31/02/2026", "hello", "13/01/2026"]);
        assert_eq!(labels(&c), ["%d/%m/%Y"]);
    }

    #[test]
    fn decimal_marks_are_told_apart_by_any_value_that_reads_one_way() {
        let mut c = amount_column(&InputSettings::default());
        c.observe("250.000", 2);
        c.observe("2480", 3);
        assert!(!c.decided());
        assert!(c.still_ambiguous().is_some());
        c.observe("1.234.567,89", 4);
        assert!(c.decided() && c.still_ambiguous().is_none());
        assert_eq!(c.read("250.000").ok().unwrap(), Decimal::from(250_000));
        let mut plain = amount_column(&InputSettings::default());
        plain.observe("12500000.00", 2);
        assert_eq!(labels(&plain), ["."]);
        match plain.read("1,234") {
            Ok(v) => assert_eq!(v, Decimal::from(1234)),
            Err(_) => panic!("grouping by commas reads with a point decimal"),
        }
    }

    #[test]
    fn excel_serials_count_from_1899_12_30_and_refuse_the_fake_leap_day() {
        let f = DateFormat::from_setting("excel-serial");
        assert_eq!(f.read("45352").unwrap().to_string(), "2024-03-01");
        assert_eq!(f.read("45352.75").unwrap().to_string(), "2024-03-01");
        assert_eq!(f.read("61").unwrap().to_string(), "1900-03-01");
        assert_eq!(f.read("60"), None);
        assert_eq!(f.read("-3"), None);
        assert_eq!(f.read("4.5e4"), None);
        let mac = DateFormat::from_setting("excel-serial-1904");
        assert_eq!(mac.read("0").unwrap().to_string(), "1904-01-01");
    }
}
