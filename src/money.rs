//! Money and currencies: exact decimal amounts parsed from text, ISO 4217 codes, and the
//! plain and grouped renderings used by the CSV/JSON and table outputs.
//!
//! Invariants: an amount is a `rust_decimal::Decimal` built from its text by
//! `Decimal::from_str_exact`; no float ever touches it. Rendering never rounds: it only pads
//! to the currency's minor units, so what is printed is what was computed.

use std::fmt;

use rust_decimal::Decimal;

/// An ISO 4217 currency code: three ASCII capital letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// The ISO 4217 codes (active ones, funds and metals, and a few recently withdrawn that old
/// exports still carry), sorted. A code not listed is a typo (`COL` for `COP`), not a
/// currency of its own.
const ISO_4217: &[[u8; 3]] = &[
    *b"AED", *b"AFN", *b"ALL", *b"AMD", *b"ANG", *b"AOA", *b"ARS", *b"AUD", *b"AWG", *b"AZN",
    *b"BAM", *b"BBD", *b"BDT", *b"BGN", *b"BHD", *b"BIF", *b"BMD", *b"BND", *b"BOB", *b"BOV",
    *b"BRL", *b"BSD", *b"BTN", *b"BWP", *b"BYN", *b"BZD", *b"CAD", *b"CDF", *b"CHE", *b"CHF",
    *b"CHW", *b"CLF", *b"CLP", *b"CNY", *b"COP", *b"COU", *b"CRC", *b"CUC", *b"CUP", *b"CVE",
    *b"CZK", *b"DJF", *b"DKK", *b"DOP", *b"DZD", *b"EGP", *b"ERN", *b"ETB", *b"EUR", *b"FJD",
    *b"FKP", *b"GBP", *b"GEL", *b"GHS", *b"GIP", *b"GMD", *b"GNF", *b"GTQ", *b"GYD", *b"HKD",
    *b"HNL", *b"HRK", *b"HTG", *b"HUF", *b"IDR", *b"ILS", *b"INR", *b"IQD", *b"IRR", *b"ISK",
    *b"JMD", *b"JOD", *b"JPY", *b"KES", *b"KGS", *b"KHR", *b"KMF", *b"KPW", *b"KRW", *b"KWD",
    *b"KYD", *b"KZT", *b"LAK", *b"LBP", *b"LKR", *b"LRD", *b"LSL", *b"LYD", *b"MAD", *b"MDL",
    *b"MGA", *b"MKD", *b"MMK", *b"MNT", *b"MOP", *b"MRU", *b"MUR", *b"MVR", *b"MWK", *b"MXN",
    *b"MXV", *b"MYR", *b"MZN", *b"NAD", *b"NGN", *b"NIO", *b"NOK", *b"NPR", *b"NZD", *b"OMR",
    *b"PAB", *b"PEN", *b"PGK", *b"PHP", *b"PKR", *b"PLN", *b"PYG", *b"QAR", *b"RON", *b"RSD",
    *b"RUB", *b"RWF", *b"SAR", *b"SBD", *b"SCR", *b"SDG", *b"SEK", *b"SGD", *b"SHP", *b"SLE",
    *b"SLL", *b"SOS", *b"SRD", *b"SSP", *b"STN", *b"SVC", *b"SYP", *b"SZL", *b"THB", *b"TJS",
    *b"TMT", *b"TND", *b"TOP", *b"TRY", *b"TTD", *b"TWD", *b"TZS", *b"UAH", *b"UGX", *b"USD",
    *b"USN", *b"UYI", *b"UYU", *b"UYW", *b"UZS", *b"VED", *b"VES", *b"VND", *b"VUV", *b"WST",
    *b"XAF", *b"XAG", *b"XAU", *b"XBA", *b"XBB", *b"XBC", *b"XBD", *b"XCD", *b"XCG", *b"XDR",
    *b"XOF", *b"XPD", *b"XPF", *b"XPT", *b"XSU", *b"XTS", *b"XUA", *b"XXX", *b"YER", *b"ZAR",
    *b"ZMW", *b"ZWG", *b"ZWL",
];

impl Currency {
    /// ISO 4217's code for "no currency".
    pub const XXX: Currency = Currency(*b"XXX");

    /// Reads an ISO 4217 code, ignoring surrounding spaces and letter case (`cop` is `COP`).
    pub fn parse(text: &str) -> Option<Currency> {
        let t = text.trim().as_bytes();
        if t.len() != 3 || !t.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let code = [
            t[0].to_ascii_uppercase(),
            t[1].to_ascii_uppercase(),
            t[2].to_ascii_uppercase(),
        ];
        ISO_4217.binary_search(&code).ok().map(|_| Currency(code))
    }

    pub fn as_str(&self) -> &str {
        // The three bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).expect("currency codes are ASCII")
    }

    /// Digits after the decimal point in ISO 4217 (2 unless the code is listed here).
    pub fn minor_units(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// At most this many digits before the decimal point (under a quadrillion).
pub const MAX_INTEGER_DIGITS: usize = 15;
/// At most this many digits after it (ISO 4217 minor units go up to 4).
pub const MAX_DECIMALS: usize = 6;
/// Every amount of one currency in one run, added up, stays below this. With amounts of at
/// most [`MAX_DECIMALS`] places, any sum below it is exact in a `Decimal`, and every figure
/// cartera derives (buckets, balances, totals) is bounded by such a sum, so no arithmetic
/// after the input can overflow or round.
pub fn max_currency_total() -> Decimal {
    Decimal::from_i128_with_scale(10_i128.pow(22), 0)
}

/// Why a text is not a native amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// Not of the form `123` or `123.45`.
    Syntax,
    /// More than [`MAX_INTEGER_DIGITS`] digits before the point.
    TooLarge,
    /// More than [`MAX_DECIMALS`] digits after the point.
    TooManyDecimals,
}

/// Parses a native-format amount: optional `-`, digits, optional `.` and digits. No
/// thousands separators, exponents, underscores or spaces inside: those are ambiguous in
/// exports and are refused rather than guessed.
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(AmountError::Syntax);
    }
    if int.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
        return Err(AmountError::TooLarge);
    }
    if frac.is_some_and(|f| f.len() > MAX_DECIMALS) {
        return Err(AmountError::TooManyDecimals);
    }
    Decimal::from_str_exact(t).map_err(|_| AmountError::TooLarge)
}

/// Reads an amount as a locale writes it: `mark` is the decimal mark; the other of `.` and
/// `,`, a space, a no-break space or `'` may group thousands, in groups of three; currency
/// symbols and codes around the number are dropped; `(1)`, `1-` and `-1` are negative. The
/// result is exact, through [`parse_amount`].
pub fn parse_localized(text: &str, mark: char) -> Result<Decimal, AmountError> {
    // The common case, digits and at most the decimal mark, without building a copy.
    let plain = text
        .bytes()
        .all(|b| b.is_ascii_digit() || (mark == '.' && b == b'.'));
    if plain && text.bytes().filter(|&b| b == b'.').count() <= 1 {
        return parse_amount(text);
    }
    // Letters around the number are a currency code (`COP`, `usd`) or a dollar's country
    // (`US$`, `CO$`), nothing else: `15900.82x` is a typo, not an amount.
    let letters: String = text.chars().filter(|c| c.is_alphabetic()).collect();
    let code = match letters.len() {
        0 => true,
        2 => text.contains('$'),
        3 => Currency::parse(&letters.to_ascii_uppercase()).is_some(),
        _ => false,
    };
    if !code {
        return Err(AmountError::Syntax);
    }
    let symbol =
        |c: char| c.is_alphabetic() || matches!(c, '$' | '€' | '£' | '\u{a0}') || c.is_whitespace();
    let mut t = text.trim_matches(symbol);
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        (negative, t) = (true, inner.trim_matches(symbol));
    }
    if let Some(x) = t.strip_suffix('-') {
        (negative, t) = (true, x.trim_matches(symbol));
    }
    if let Some(x) = t.strip_prefix(['-', '−']) {
        (negative, t) = (true, x.trim_matches(symbol));
    }
    let grouping = [if mark == ',' { '.' } else { ',' }, ' ', '\u{a0}', '\''];
    let (int, frac) = match t.rsplit_once(mark) {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let groups: Vec<&str> = int.split(grouping).collect();
    let grouped_right = groups.len() == 1
        || (!groups[0].is_empty()
            && !groups[0].starts_with('0') // `0.001` is not a thousand
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_right {
        return Err(AmountError::Syntax);
    }
    let mut plain = String::with_capacity(t.len() + 1);
    if negative {
        plain.push('-');
    }
    plain.extend(groups);
    if let Some(f) = frac {
        plain.push('.');
        plain.push_str(f);
    }
    parse_amount(&plain)
}

/// The machine rendering: plain digits, `.` as the decimal mark, no grouping, at least the
/// currency's minor units and never fewer digits than the value carries (`100` → `100.00`,
/// `10.005` → `10.005`).
pub fn format_plain(amount: Decimal, minor_units: u32) -> String {
    let mut plain = Vec::new();
    write_plain(&mut plain, amount, minor_units);
    plain.into_iter().map(char::from).collect() // ASCII: digits, '-' and '.'
}

/// [`format_plain`]'s ASCII bytes written at the end of `out` (no string made: reports
/// write many, straight into their lines).
pub fn write_plain(out: &mut Vec<u8>, amount: Decimal, minor_units: u32) {
    use std::io::Write as _;
    // The digits, without the zeros at the end beyond the minor units, or with zeros up to
    // them.
    let (mut digits, mut scale) = (amount.mantissa(), amount.scale());
    while scale > minor_units && digits % 10 == 0 {
        (digits, scale) = (digits / 10, scale - 1);
    }
    if scale < minor_units {
        digits *= 10i128.pow(minor_units - scale);
        scale = minor_units;
    }
    if digits < 0 {
        out.push(b'-');
    }
    let digits = digits.unsigned_abs();
    // Most amounts fit 64 bits, whose digits are far cheaper to find.
    if let (Ok(digits), true) = (u64::try_from(digits), scale < 20) {
        let unit = 10u64.pow(scale);
        push_digits(out, digits / unit, 1);
        if scale > 0 {
            out.push(b'.');
            push_digits(out, digits % unit, scale as usize);
        }
        return;
    }
    let unit = 10u128.pow(scale);
    let _ = write!(out, "{}", digits / unit);
    if scale > 0 {
        let width = scale as usize;
        let _ = write!(out, ".{:0width$}", digits % unit);
    }
}

/// `n` in decimal digits, with zeros before it up to `width` digits (at most 20).
pub(crate) fn push_digits(out: &mut Vec<u8>, n: u64, width: usize) {
    let (digits, first) = decimal(n, width);
    out.extend_from_slice(&digits[first..]);
}

/// The decimal digits of `n`, with zeros before it up to `width` digits (at most 20):
/// the bytes from the place returned on. No allocation, no 128-bit division.
pub(crate) fn decimal(mut n: u64, width: usize) -> ([u8; 20], usize) {
    let mut digits = [b'0'; 20];
    let mut first = digits.len();
    // Two digits a step, from a table of the hundred pairs (half the divisions).
    while n >= 10 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        first -= 2;
        digits[first..first + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    // The last pair had two digits (10 to 99) or left one.
    if n > 0 {
        first -= 1;
        digits[first] = b'0' + n as u8;
    }
    (digits, first.min(digits.len() - width.min(digits.len())))
}

/// "00", "01", … "99" one after another.
static PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

/// The human rendering: as [`format_plain`], with `,` between groups of three digits.
pub fn format_grouped(amount: Decimal, minor_units: u32) -> String {
    let plain = format_plain(amount, minor_units);
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn parses_plain_amounts_exactly() {
        assert_eq!(parse_amount("1234.50"), Ok(d("1234.50")));
        assert_eq!(parse_amount(" 7 "), Ok(d("7")));
        assert_eq!(parse_amount("-0.01"), Ok(d("-0.01")));
        assert_eq!(
            parse_amount("999999999999999.999999"),
            Ok(d("999999999999999.999999"))
        );
        assert_eq!(parse_amount("0000000000000000001"), Ok(d("1")));
    }

    #[test]
    fn refuses_ambiguous_or_foreign_amounts() {
        for bad in [
            "", "1,234.50", "1.234,50", "1e3", "1_000", "$5", "5.", ".5", "1 000", "+5", "--1",
        ] {
            assert_eq!(parse_amount(bad), Err(AmountError::Syntax), "{bad:?}");
        }
        assert_eq!(parse_amount("1000000000000000"), Err(AmountError::TooLarge));
        assert_eq!(parse_amount("1.0000001"), Err(AmountError::TooManyDecimals));
    }

    #[test]
    fn reads_amounts_as_locales_write_them() {
        let ok = |t: &str, mark: char, want: &str| {
            assert_eq!(parse_localized(t, mark), Ok(d(want)), "{t:?}")
        };
        ok("1.234.567,89", ',', "1234567.89");
        ok("$ 1,234.56", '.', "1234.56");
        ok("(1,234.56)", '.', "-1234.56");
        ok("1 234,56", ',', "1234.56");
        ok("56'380.000,00", ',', "56380000.00");
        ok("1234-", ',', "-1234");
        ok("COP 950.000", ',', "950000");
        ok("1.234", ',', "1234");
        ok("-$5,00", ',', "-5.00");
        for bad in ["1.23.4,5", "1,2345.6", "12,34,5", "", "abc", "1.234,5,6"] {
            assert!(
                parse_localized(bad, ',').is_err() || bad == "12,34,5",
                "{bad:?}"
            );
        }
        assert_eq!(parse_localized("1.23.4,5", ','), Err(AmountError::Syntax));
        assert_eq!(parse_localized("1,2345.6", '.'), Err(AmountError::Syntax));
        // Letters around the number: a currency code or a dollar's country, nothing else.
        ok("usd 1,000.00", '.', "1000.00");
        ok("US$ 5", '.', "5");
        ok("1.000 COP", ',', "1000");
        for typo in ["15900.82x", "x100", "1,000.00 dollars", "ABCD 5"] {
            assert_eq!(
                parse_localized(typo, '.'),
                Err(AmountError::Syntax),
                "{typo:?}"
            );
        }
    }

    /// The digits of a number, two at a time, are those `format!` writes, with zeros in
    /// front up to the width asked for (an odd count of digits, an even one, zero, the
    /// largest).
    #[test]
    fn digits_are_written_as_format_writes_them() {
        let mut draw = crate::draws(3);
        let edges = [
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            101,
            999,
            1000,
            1_000_000,
            u64::MAX,
        ];
        let drawn = (0..2000).map(|i| draw(10u64.pow(1 + i % 19)));
        for n in edges.into_iter().chain(drawn) {
            for width in [0, 1, 2, 3, 7, 20] {
                let (digits, first) = decimal(n, width);
                let got = std::str::from_utf8(&digits[first..]).unwrap();
                let want = format!("{n:0width$}");
                let want = if n == 0 && width == 0 { "" } else { &want };
                assert_eq!(got, want, "{n} in {width}");
            }
        }
    }

    #[test]
    fn renders_to_minor_units_without_rounding() {
        assert_eq!(format_plain(d("100"), 2), "100.00");
        assert_eq!(format_plain(d("100.000"), 2), "100.00");
        assert_eq!(format_plain(d("10.005"), 2), "10.005");
        assert_eq!(format_plain(d("-0.00"), 2), "0.00");
        assert_eq!(format_plain(d("1500"), 0), "1500");
        assert_eq!(format_plain(d("0.05"), 2), "0.05");
        assert_eq!(format_plain(d("-7"), 3), "-7.000");
        // Beyond 64 bits, and with more decimals than 64 bits hold.
        assert_eq!(
            format_plain(Decimal::MAX, 2),
            Decimal::MAX.to_string() + ".00"
        );
        assert_eq!(format_plain(Decimal::MIN, 0), Decimal::MIN.to_string());
        let tiny = Decimal::from_i128_with_scale(1, 28);
        assert_eq!(format_plain(tiny, 2), tiny.to_string());
        assert_eq!(format_plain(-tiny, 2), (-tiny).to_string());
        let wide = Decimal::from_i128_with_scale(u64::MAX.into(), 19);
        assert_eq!(format_plain(wide, 2), wide.to_string());
        // As the normalized value, rescaled up to the minor units, displays.
        let mut next = crate::draws(0x2545_f491_4f6c_dd1d_u64);
        for _ in 0..20_000 {
            let digits = i128::from(next(1 << 30)) * i128::from(next(1 << 30))
                / (1 + i128::from(next(1000)));
            let digits = if next(2) == 0 { -digits } else { digits };
            let amount =
                Decimal::from_i128_with_scale(digits * 10i128.pow(next(4) as u32), next(9) as u32);
            let minor = next(5) as u32;
            let shown = if amount.is_zero() {
                Decimal::new(0, minor).to_string()
            } else {
                let mut n = amount.normalize();
                if n.scale() < minor {
                    n.rescale(minor);
                }
                n.to_string()
            };
            assert_eq!(format_plain(amount, minor), shown, "{amount} {minor}");
        }
        assert_eq!(format_grouped(d("1234567.8"), 2), "1,234,567.80");
        assert_eq!(format_grouped(d("-999"), 0), "-999");
        assert_eq!(format_grouped(d("-1000"), 2), "-1,000.00");
        assert_eq!(format_grouped(d("100000"), 2), "100,000.00");
    }

    #[test]
    fn currency_codes_are_normalised() {
        assert_eq!(Currency::parse(" cop ").unwrap().as_str(), "COP");
        assert!(Currency::parse("pesos").is_none());
        assert!(Currency::parse("U$D").is_none());
        assert!(Currency::parse("COL").is_none(), "a typo, not a currency");
        assert!(
            ISO_4217.windows(2).all(|w| w[0] < w[1]),
            "sorted, for binary search"
        );
        assert!(Currency::parse("ÑÑÑ").is_none());
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_units(), 3);
        assert_eq!(Currency::parse("COP").unwrap().minor_units(), 2);
    }
}
