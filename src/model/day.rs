//! A day as arXiv counts them: a civil date on arXiv's clock (America/New_York).

use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;

/// arXiv's time zone; announcement days and `today` are counted on this clock.
pub const ARXIV_TZ: &str = "America/New_York";

/// A calendar day. Displayed as `2025-09-24`; the legacy reports write it as `24-Sep-2025`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day(Date);

/// Why a string is not a day.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "not a valid date: {input:?} ({why}; expected 2025-09-24, 24-Sep-2025, today or yesterday)"
)]
pub struct DayError {
    pub input: String,
    pub why: String,
}

pub fn arxiv_tz() -> TimeZone {
    TimeZone::get(ARXIV_TZ).unwrap_or(TimeZone::UTC)
}

impl Day {
    pub fn new(year: i16, month: i8, day: i8) -> Result<Day, DayError> {
        Date::new(year, month, day).map(Day).map_err(|e| DayError {
            input: format!("{year:04}-{month:02}-{day:02}"),
            why: e.to_string(),
        })
    }

    /// Today on arXiv's clock.
    pub fn today() -> Day {
        Day(jiff::Timestamp::now().to_zoned_datetime(arxiv_tz()).date())
    }

    /// Parses `YYYY-MM-DD`, `DD-Mon-YYYY`, `today` or `yesterday`.
    pub fn parse(input: &str) -> Result<Day, DayError> {
        let s = input.trim();
        let fail = |why: &str| DayError {
            input: input.to_string(),
            why: why.to_string(),
        };
        match s {
            "today" => return Ok(Day::today()),
            "yesterday" => return Ok(Day::today().pred()),
            _ => {}
        }
        // jiff's strptime does the parsing (month names case-insensitively); the shape checks
        // keep what it would also accept out (`2025-9-24`, `24-Sep-25`, a sign or spaces).
        let parts: Vec<&str> = s.split('-').collect();
        let format = match parts.as_slice() {
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => "%Y-%m-%d",
            [d, mon, y] if y.len() == 4 && d.len() == 2 && mon.len() == 3 => "%d-%b-%Y",
            _ => return Err(fail("unrecognised format")),
        };
        if !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(fail("unrecognised format"));
        }
        Date::strptime(format, s)
            .map(Day)
            .map_err(|e| fail(&e.to_string()))
    }

    pub fn date(self) -> Date {
        self.0
    }

    pub fn pred(self) -> Day {
        Day(self.0.yesterday().unwrap_or(self.0))
    }

    pub fn succ(self) -> Day {
        Day(self.0.tomorrow().unwrap_or(self.0))
    }

    /// The day `n` days before (saturating at the calendar's first day).
    pub fn sub_days(self, n: i64) -> Day {
        Day(self
            .0
            .checked_sub(jiff::Span::new().days(n))
            .unwrap_or(self.0))
    }

    /// Monday = 1 .. Sunday = 7.
    pub fn weekday_number(self) -> i8 {
        self.0.weekday().to_monday_one_offset()
    }

    /// The day as the number YYYYMMDD (how the index stores days: ordered, and a fast field).
    pub fn number(self) -> u64 {
        self.0.year() as u64 * 10_000 + self.0.month() as u64 * 100 + self.0.day() as u64
    }

    /// The day of a YYYYMMDD number; `None` for one that is not a date (0 included).
    pub fn from_number(n: u64) -> Option<Day> {
        let year = i16::try_from(n / 10_000).ok()?;
        Date::new(year, (n / 100 % 100) as i8, (n % 100) as i8)
            .ok()
            .map(Day)
    }

    /// Parses the `YYYY-MM-DD` that the store writes, without the user-facing forms of
    /// [`Day::parse`]: the index catch-up reads millions of them.
    pub fn from_iso(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u64, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
            })
        };
        Day::from_number(num(0..4)? * 10_000 + num(5..7)? * 100 + num(8..10)?)
    }

    /// `24-Sep-2025`, as the original script's `%d-%b-%Y`.
    pub fn legacy(self) -> String {
        self.0.strftime("%d-%b-%Y").to_string()
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

/// A day is written as `YYYY-MM-DD` wherever it is serialized (every `--json` and the API).
impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<Date> for Day {
    fn from(d: Date) -> Day {
        Day(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let d = Day::parse("2025-09-24").unwrap();
        assert_eq!(d.number(), 20250924);
        assert_eq!(Day::from_number(20250924), Some(d));
        assert_eq!(Day::from_iso("2025-09-24"), Some(d));
        assert_eq!(Day::from_number(0), None);
        assert_eq!(Day::from_number(20250231), None);
        assert_eq!(Day::from_iso("2025-9-24"), None);
    }

    #[test]
    fn parses_iso_and_legacy_forms() {
        let iso = Day::parse("2025-09-24").unwrap();
        assert_eq!(Day::parse("24-Sep-2025").unwrap(), iso);
        assert_eq!(Day::parse("24-sep-2025").unwrap(), iso);
        assert_eq!(iso.to_string(), "2025-09-24");
        assert_eq!(iso.legacy(), "24-Sep-2025");
        assert_eq!(Day::parse("2025-06-01").unwrap().legacy(), "01-Jun-2025");
        assert_eq!(iso.weekday_number(), 3);
    }

    #[test]
    fn rejects_impossible_dates_with_the_input_in_the_message() {
        for bad in [
            "2025-02-30",
            "31-Foo-2025",
            "2025-13-01",
            "2025/09/24",
            "",
            "24-Sep-25",
            "x-y-2025",
        ] {
            let err = Day::parse(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn today_and_yesterday_are_consecutive() {
        let today = Day::parse("today").unwrap();
        assert_eq!(Day::parse("yesterday").unwrap().succ(), today);
    }
}
