//! One field of a native ledger row: text → typed value, or the message that says why not.
//! Messages start with the column (`column "date": …`); the caller adds the location.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::Role;
use super::infer::{Column, DateColumn, Mark, Reading, Unread};
use crate::error::sanitize;
use crate::model::DocKind;
use crate::money::{AmountError, Currency, MAX_DECIMALS, MAX_INTEGER_DIGITS, parse_localized};
use crate::policy::{InputSettings, fold};

/// A problem of a row: its stable code (the `code` column of a rejects file) and message.
pub type Problem = (&'static str, String);

/// Tags the message of a field that failed with the code of that kind of field.
pub fn coded(code: &'static str) -> impl FnOnce(String) -> Problem {
    move |message| (code, message)
}

/// The trimmed text of field `i`, or why it cannot be read.
pub fn text<'r>(rec: &'r csv::ByteRecord, i: usize, column: &str) -> Result<&'r str, Problem> {
    let Ok(value) = std::str::from_utf8(&rec[i]).map(trim) else {
        return Err((
            "bad_encoding",
            format!(
                "column \"{column}\": the text is not valid UTF-8 (hint: save the file as \"CSV UTF-8\", or read it with --encoding windows-1252 or the policy's [input] encoding = \"windows-1252\")"
            ),
        ));
    };
    // A quote opened and never closed swallows the next rows into one value: the rows
    // would vanish and their amounts land on the wrong customer.
    if value.bytes().any(|b| b == b'\n' || b == b'\r') {
        let lines = 1 + value.matches('\r').count() + value.matches('\n').count()
            - value.matches("\r\n").count();
        return Err((
            "unclosed_quote",
            format!(
                "column \"{column}\": the value runs over {lines} lines (hint: a double quote opened on this line is never closed, or a value holds a line break)"
            ),
        ));
    }
    Ok(value)
}

/// `str::trim`, without its Unicode walk when the value starts and ends with a visible
/// ASCII character (nearly every value of a ledger).
pub(crate) fn trim(value: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    let bytes = value.as_bytes();
    if value.is_empty() || (visible(bytes.first()) && visible(bytes.last())) {
        value
    } else {
        value.trim()
    }
}

/// The `type` column; an empty one takes the input's role (`--invoices`, `--payments`). A
/// payment in the invoices file, or an invoice in the payments file, is an error: most
/// likely a whole ledger was given under the wrong flag.
pub fn kind(
    text: &str,
    role: Role,
    column: &str,
    input: &InputSettings,
) -> Result<DocKind, String> {
    // The native words first (no allocation on the common path), then the built-in English
    // and Spanish words and the policy's [input.kinds], compared folded.
    let native = [
        ("invoice", DocKind::Invoice),
        ("payment", DocKind::Payment),
        ("credit_note", DocKind::CreditNote),
    ];
    let word = match native.iter().find(|(w, _)| text.eq_ignore_ascii_case(w)) {
        Some((_, kind)) => Some(*kind),
        None => {
            let folded = fold(text);
            match folded.as_str() {
                "invoice" | "factura" | "facturadeventa" => Some(DocKind::Invoice),
                "payment" | "pago" | "recibo" | "recibodecaja" | "abono" => Some(DocKind::Payment),
                "creditnote" | "notacredito" | "notadecredito" => Some(DocKind::CreditNote),
                _ => input.kinds.get(&folded).copied(),
            }
        }
    };
    let is = |kind: DocKind| word == Some(kind);
    let misplaced = |what: &str, file: &str, flag: &str| {
        format!(
            "column \"{column}\": {what} in the {file} file (hint: give a file that mixes invoices and payments as a ledger, without {flag})"
        )
    };
    match role {
        Role::Payments if is(DocKind::Invoice) => {
            Err(misplaced("an invoice", "payments", "--payments"))
        }
        Role::Invoices if is(DocKind::Payment) => {
            Err(misplaced("a payment", "invoices", "--invoices"))
        }
        _ if word.is_some() => Ok(word.expect("checked")),
        Role::Invoices if text.is_empty() => Ok(DocKind::Invoice),
        Role::Payments if text.is_empty() => Ok(DocKind::Payment),
        _ if text.is_empty() => Err(format!(
            "column \"{column}\": is empty (expected invoice, payment or credit_note)"
        )),
        _ => Err(format!(
            "column \"{column}\": unknown type \"{}\" (expected invoice, payment or credit_note, or factura, pago, nota crédito; hint: list this export's own codes in a policy's [input.kinds], such as invoice = [\"FV\"], and pass it with --policy)",
            shown(text)
        )),
    }
}

/// A document number or customer id as a spreadsheet may have exported it: `1930571429.0`
/// (a number column written as a float) is `1930571429`; `9.00123E+08` lost its digits to
/// scientific notation and cannot be read back.
pub fn identifier<'a>(text: &'a str, column: &str) -> Result<&'a str, String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((int, zeros)) = text.split_once('.')
        && digits(int)
        && !zeros.is_empty()
        && zeros.bytes().all(|b| b == b'0')
    {
        return Ok(int);
    }
    let mantissa = text.split_once(['e', 'E']).filter(|(m, exp)| {
        let exp = exp.trim_start_matches(['+', '-']);
        digits(exp)
            && !m.is_empty()
            && m.split_once('.')
                .map_or(digits(m), |(i, f)| digits(i) && digits(f))
    });
    if mantissa.is_some() {
        return Err(format!(
            "column \"{column}\": \"{}\" is a number in scientific notation: the spreadsheet dropped its digits (hint: format the column as text before exporting)",
            shown(text)
        ));
    }
    Ok(text)
}

/// A text that may not be empty; `needs` completes "every document needs its …".
pub fn required<'a>(text: &'a str, column: &str, needs: &str) -> Result<&'a str, String> {
    if text.is_empty() {
        return Err(format!(
            "column \"{column}\": is empty (every document needs its {needs})"
        ));
    }
    Ok(text)
}

/// A date, read as its column's dates are written (see [`infer`](super::infer)).
pub fn date(text: &str, column: &str, reading: &mut DateColumn) -> Result<NaiveDate, String> {
    let why = match reading.read(text) {
        Ok(date) => return Ok(date),
        Err(Unread::Ambiguous(how)) => format!(
            "cannot tell how the date is written: {how} (hint: set [input] date_format in the policy, or --date-format)"
        ),
        Err(Unread::Bad) => {
            let expected = match reading.candidates() {
                [one] => match one.label().as_str() {
                    "%Y-%m-%d" => "YYYY-MM-DD".to_string(),
                    "excel-serial" | "excel-serial-1904" => "an Excel serial day number".into(),
                    label => format!("the format {label}"),
                },
                // Undecided: no value of the column read yet.
                _ if text.get(4..5) == Some("-")
                    && text[..4].bytes().all(|b| b.is_ascii_digit()) =>
                {
                    "YYYY-MM-DD".to_string()
                }
                _ => {
                    "YYYY-MM-DD or DD/MM/YYYY; for other forms set [input] date_format".to_string()
                }
            };
            match text {
                "" => format!("is empty (expected a date as {expected})"),
                _ if reading.candidates().iter().any(|c| c.no_such_day(text)) => format!(
                    "\"{}\" is not a day of the calendar (hint: check its day and month)",
                    shown(text)
                ),
                _ => format!(
                    "cannot read \"{}\" as a date (expected {expected})",
                    shown(text)
                ),
            }
        }
    };
    Err(format!("column \"{column}\": {why}"))
}

/// The due date of an invoice: the column, else the issue date plus the default terms.
pub fn due(
    text: &str,
    column: &str,
    issued: NaiveDate,
    terms_days: u32,
    date_column: &str,
    reading: &mut DateColumn,
) -> Result<NaiveDate, String> {
    if !text.is_empty() {
        return date(text, column, reading);
    }
    // Dates are written YYYY-MM-DD, so a due date must stay within year 9999.
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date");
    issued.checked_add_days(Days::new(u64::from(terms_days))).filter(|d| *d <= last).ok_or_else(|| {
        format!("column \"{date_column}\": {issued} plus {terms_days} days of terms is after 9999-12-31")
    })
}

/// A non-negative amount (`-0` is zero), read with its column's decimal mark.
pub fn amount(text: &str, column: &str, reading: &mut Column<Mark>) -> Result<Decimal, String> {
    let value = signed_amount(text, column, reading)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!(
            "column \"{column}\": \"{}\" is negative (amounts are positive; the type gives the direction, so record a refund or reversal as a credit_note or payment)",
            shown(text)
        ));
    }
    Ok(value.abs())
}

/// An amount with its sign, or why it cannot be read.
fn signed_amount(text: &str, column: &str, reading: &mut Column<Mark>) -> Result<Decimal, String> {
    let why = match reading.read(text) {
        Ok(value) => return Ok(value),
        Err(Unread::Ambiguous(how)) => format!(
            "cannot tell the decimal mark: {how} (hint: set [input] decimal_mark in the policy, or --decimal-mark)"
        ),
        Err(Unread::Bad) if text.is_empty() => {
            "is empty (expected an amount such as 1234.50)".to_string()
        }
        Err(Unread::Bad) => {
            let errors: Vec<AmountError> = (reading.candidates().iter())
                .filter_map(|m| parse_localized(text, m.0).err())
                .collect();
            if errors.contains(&AmountError::TooLarge) {
                format!(
                    "\"{}\" is too large (at most {MAX_INTEGER_DIGITS} digits before the decimal point)",
                    shown(text)
                )
            } else if errors.contains(&AmountError::TooManyDecimals) {
                format!(
                    "\"{}\" has more than {MAX_DECIMALS} decimal places",
                    shown(text)
                )
            } else {
                let expected = match reading.candidates() {
                    [one] => format!("\"{}\" for decimals, thousands in groups of three", one.0),
                    _ => "a number such as 1234.50 or 1.234,50".to_string(),
                };
                format!(
                    "cannot read \"{}\" as an amount (expected {expected})",
                    shown(text)
                )
            }
        }
    };
    Err(format!("column \"{column}\": {why}"))
}

/// An amount has no more decimal places than its currency (`100.50` JPY is a mistake, and
/// `10.005` USD is not a sum of money); trailing zeros do not count.
pub fn within_minor_units(
    amount: Decimal,
    currency: Currency,
    text: &str,
    column: &str,
) -> Result<(), String> {
    let places = currency.minor_units();
    if amount.normalize().scale() <= places {
        return Ok(());
    }
    Err(format!(
        "column \"{column}\": \"{}\" has more decimal places than {currency} has ({places})",
        shown(text)
    ))
}

/// A currency code written with an amount (`USD 1,000.00`) must be the row's currency.
pub fn code_agrees(text: &str, currency: Currency, column: &str) -> Result<(), String> {
    let letters: String = text.chars().filter(char::is_ascii_alphabetic).collect();
    match Currency::parse(&letters) {
        Some(code) if letters.len() == 3 && code != currency => Err(format!(
            "column \"{column}\": \"{}\" is in {code}, but the row's currency is {currency}",
            shown(text)
        )),
        _ => Ok(()),
    }
}

/// The `withholding` or `discount` of a row: empty is zero; only payments carry one.
pub fn payment_part(
    text: &str,
    column: &str,
    kind: DocKind,
    currency: Currency,
    reading: &mut Column<Mark>,
) -> Result<Decimal, String> {
    if text.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let value = signed_amount(text, column, reading)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!(
            "column \"{column}\": \"{}\" is negative (it is a part of the invoice the customer settled without paying it in cash, so it is positive)",
            shown(text)
        ));
    }
    let value = value.abs();
    within_minor_units(value, currency, text, column)?;
    if !value.is_zero() && kind != DocKind::Payment {
        let row = if kind == DocKind::Invoice {
            "an invoice"
        } else {
            "a credit note"
        };
        return Err(format!(
            "column \"{column}\": only a payment can carry one (this row is {row})"
        ));
    }
    Ok(value)
}

/// The `currency` column; an empty one is the policy's default.
pub fn currency(text: &str, column: &str, default: Currency) -> Result<Currency, String> {
    if text.is_empty() {
        return Ok(default);
    }
    Currency::parse(text).ok_or_else(|| {
        format!(
            "column \"{column}\": cannot read \"{}\" as a currency (expected a 3-letter ISO 4217 code such as COP or USD)",
            shown(text)
        )
    })
}

/// A value as quoted in a message: control characters escaped, at most 60 characters.
pub fn shown(text: &str) -> String {
    let clean = sanitize(text);
    match clean.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_quick_trim_is_str_trim() {
        for value in [
            "",
            " ",
            "FV-1",
            " FV-1",
            "FV-1\t",
            "\u{a0}100\u{a0}",
            "\u{3000}x",
            "é",
            " é ",
            "a b",
            "x\u{2009}",
            "\u{feff}x",
        ] {
            assert_eq!(super::trim(value), value.trim(), "{value:?}");
        }
    }
}
