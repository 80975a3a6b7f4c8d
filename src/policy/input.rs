//! `[input]`: how to read foreign exports (encoding, delimiter, decimal mark, date format,
//! preamble lines) and how their columns and type values map to the native ledger's.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::PolicyProblem;
use crate::error::sanitize;
use crate::input::{FIELDS, SHAPE_FIELDS};
use crate::model::DocKind;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputSettings {
    /// `None`: UTF-8 (a BOM is honoured).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `None`: sniffed among `,` `;` tab `|` (and Excel's `sep=` line).
    pub delimiter: Option<u8>,
    /// `None`: the native plain decimal (a point, no grouping).
    pub decimal_mark: Option<char>,
    /// `None`: ISO `YYYY-MM-DD`.
    pub date_format: Option<String>,
    /// Lines before the header.
    pub skip_rows: u32,
    /// Canonical field → header as written in the file.
    pub columns: BTreeMap<String, String>,
    /// Folded type value → kind, on top of the built-in English and Spanish words.
    pub kinds: HashMap<String, DocKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    encoding: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    decimal_mark: Option<Spanned<String>>,
    date_format: Option<Spanned<String>>,
    skip_rows: Option<Spanned<i64>>,
    columns: Option<BTreeMap<Spanned<String>, String>>,
    kinds: Option<BTreeMap<Spanned<String>, Vec<String>>>,
}

type At<'a> = &'a dyn Fn(Range<usize>, String) -> PolicyProblem;

pub(super) fn validate_input(
    raw: RawInput,
    at: At,
    problems: &mut Vec<PolicyProblem>,
) -> InputSettings {
    let mut s = InputSettings::default();
    if let Some(e) = raw.encoding {
        match parse_encoding(e.get_ref()) {
            Ok(enc) => s.encoding = enc,
            Err(m) => problems.push(at(e.span(), format!("input.encoding: {m}"))),
        }
    }
    if let Some(d) = raw.delimiter {
        match parse_delimiter(d.get_ref()) {
            Ok(b) => s.delimiter = Some(b),
            Err(m) => problems.push(at(d.span(), format!("input.delimiter: {m}"))),
        }
    }
    if let Some(m) = raw.decimal_mark {
        match parse_decimal_mark(m.get_ref()) {
            Ok(c) => s.decimal_mark = Some(c),
            Err(msg) => problems.push(at(m.span(), format!("input.decimal_mark: {msg}"))),
        }
    }
    if let Some(f) = raw.date_format {
        match check_date_format(f.get_ref()) {
            Ok(()) => s.date_format = Some(f.get_ref().clone()),
            Err(m) => problems.push(at(f.span(), format!("input.date_format: {m}"))),
        }
    }
    if let Some(n) = raw.skip_rows {
        match u32::try_from(*n.get_ref()).ok().filter(|n| *n <= 1000) {
            Some(v) => s.skip_rows = v,
            None => problems.push(at(
                n.span(),
                format!(
                    "input.skip_rows: {} is out of range (expected lines from 0 to 1000)",
                    n.get_ref()
                ),
            )),
        }
    }
    for (field, header) in raw.columns.unwrap_or_default() {
        let known = FIELDS.iter().chain(&SHAPE_FIELDS);
        if known.clone().any(|f| f == field.get_ref()) {
            s.columns.insert(field.get_ref().clone(), header);
        } else {
            problems.push(at(
                field.span(),
                format!(
                    "input.columns: \"{}\" is not a field (expected one of {})",
                    sanitize(field.get_ref()),
                    known.copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for (kind, values) in raw.kinds.unwrap_or_default() {
        let k = match kind.get_ref().as_str() {
            "invoice" => DocKind::Invoice,
            "payment" => DocKind::Payment,
            "credit_note" => DocKind::CreditNote,
            other => {
                problems.push(at(kind.span(), format!("input.kinds: \"{}\" is not a type (expected invoice, payment or credit_note)", sanitize(other))));
                continue;
            }
        };
        for v in values {
            s.kinds.insert(fold(&v), k);
        }
    }
    s
}

/// An encoding label (`windows-1252`, `latin1`, `utf-8`…); `None` for UTF-8.
pub fn parse_encoding(label: &str) -> Result<Option<&'static encoding_rs::Encoding>, String> {
    match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
        Some(e) if e == encoding_rs::UTF_8 => Ok(None),
        Some(e) => Ok(Some(e)),
        None => Err(format!(
            "\"{}\" is not an encoding (expected a label such as \"utf-8\" or \"windows-1252\")",
            sanitize(label)
        )),
    }
}

pub fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" => Ok(b'|'),
        other => Err(format!(
            "\"{}\" is not a delimiter (expected \",\", \";\", \"tab\" or \"|\")",
            sanitize(other)
        )),
    }
}

pub fn parse_decimal_mark(text: &str) -> Result<char, String> {
    match text {
        "." => Ok('.'),
        "," => Ok(','),
        other => Err(format!(
            "\"{}\" is not a decimal mark (expected \".\" or \",\")",
            sanitize(other)
        )),
    }
}

/// A chrono format that reads a date (`%d/%m/%Y`).
pub fn check_date_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    if matches!(format, "excel-serial" | "excel-serial-1904") {
        return Ok(());
    }
    if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) || format.trim().is_empty() {
        return Err(format!(
            "\"{}\" is not a date format (expected strftime codes such as \"%d/%m/%Y\")",
            sanitize(format)
        ));
    }
    Ok(())
}

/// Lower case, accents removed, only letters and digits: `Número de factura` →
/// `numerodefactura`. Headers and type values are compared folded.
pub fn fold(name: &str) -> String {
    fold_chars(name).collect()
}

/// [`fold`] without collecting: rows compare against folded names without allocating.
pub fn fold_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
}
