//! Calendar dates in the native format (ISO `YYYY-MM-DD`), parsed strictly.

use chrono::NaiveDate;

/// Parses `YYYY-MM-DD` with exactly that shape (no unpadded parts, no time): anything else
/// is refused rather than guessed.
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
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
