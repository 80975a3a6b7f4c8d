//! Calendar dates in the native format (ISO `YYYY-MM-DD`), parsed strictly.

use chrono::NaiveDate;

/// Parses `YYYY-MM-DD` with exactly that shape (no unpadded parts, no time): anything else
/// is refused rather than guessed.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iso_dates_only() {
        assert_eq!(
            parse_iso_date("2026-06-30"),
            NaiveDate::from_ymd_opt(2026, 6, 30)
        );
        assert_eq!(
            parse_iso_date(" 2024-02-29 "),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        for bad in [
            "2026-13-45",
            "2025-02-29",
            "2026-6-30",
            "30/06/2026",
            "2026-06-30T00:00",
            "",
            "２０２６-06-30",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad:?}");
        }
    }
}
