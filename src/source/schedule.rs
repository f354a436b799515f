//! arXiv's announcement schedule (US Eastern): submissions received before 14:00 on a weekday are
//! announced at 20:00 that evening (Sunday to Thursday), and the feed of that announcement is dated
//! the next day. Used to estimate, from a submission time, the day a version was first listed.
//! Holidays shift mailings and are not computed: the result is an estimate, stored as one.

use jiff::Timestamp;
use jiff::civil::{Time, Weekday};

use crate::model::{Day, day::arxiv_tz};

/// The feed day on which a version submitted at `submitted` was (most likely) first listed.
pub(crate) fn listing_day(submitted: Timestamp) -> Day {
    let et = submitted.to_zoned_datetime(arxiv_tz());
    let cutoff = Time::constant(14, 0, 0, 0);
    let mut closes = et.date();
    if et.time() >= cutoff {
        closes = closes.tomorrow().unwrap_or(closes);
    }
    listing_day_for_window(closes.into())
}

/// The feed day for a submission known only by its day, assumed before the cutoff (the `arXiv`
/// OAI format and Kaggle's `created` without time).
pub(crate) fn listing_day_from_date(day: Day) -> Day {
    listing_day_for_window(day)
}

/// `closes`: the day at whose 14:00 ET the submission window closed.
fn listing_day_for_window(closes: Day) -> Day {
    let d = closes.date();
    let add = |n: i64| -> Day { d.checked_add(jiff::Span::new().days(n)).unwrap_or(d).into() };
    match d.weekday() {
        // Tue 14:00 closes -> announced Tue 20:00 -> feed Wed; likewise Wed, Thu.
        Weekday::Tuesday | Weekday::Wednesday | Weekday::Thursday => add(1),
        // Fri 14:00 closes -> announced Sun 20:00 -> feed Mon.
        Weekday::Friday => add(3),
        // Fri 14:00 .. Mon 14:00 -> announced Mon 20:00 -> feed Tue.
        Weekday::Saturday => add(3),
        Weekday::Sunday => add(2),
        Weekday::Monday => add(1),
    }
}

/// Parses OAI arXivRaw / Kaggle version dates: `Mon, 22 Sep 2025 17:03:11 GMT`. The weekday is
/// ignored: the date says which day it is, and a wrong weekday name must not lose a record.
pub(crate) fn parse_submission(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let s = match s.split_once(", ") {
        Some((weekday, rest))
            if weekday.len() == 3 && weekday.bytes().all(|b| b.is_ascii_alphabetic()) =>
        {
            rest
        }
        _ => s,
    };
    jiff::fmt::rfc2822::parse(s).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        // s in America/New_York local time, e.g. "2025-09-22T13:59"
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned_datetime(arxiv_tz()).unwrap().timestamp()
    }

    #[test]
    fn every_weekday_both_sides_of_the_cutoff() {
        // Week of Mon 2025-09-22.
        let cases = [
            ("2025-09-22T13:59", "2025-09-23"), // Mon before cutoff -> Mon 20:00 -> Tue
            ("2025-09-22T14:00", "2025-09-24"), // Mon after -> Tue 20:00 -> Wed
            ("2025-09-23T13:59", "2025-09-24"),
            ("2025-09-23T14:01", "2025-09-25"),
            ("2025-09-24T09:00", "2025-09-25"),
            ("2025-09-24T15:00", "2025-09-26"),
            ("2025-09-25T13:00", "2025-09-26"),
            ("2025-09-25T14:30", "2025-09-29"), // Thu after -> Sun 20:00 -> Mon
            ("2025-09-26T10:00", "2025-09-29"), // Fri before -> Mon
            ("2025-09-26T16:00", "2025-09-30"), // Fri after -> Mon 20:00 -> Tue
            ("2025-09-27T12:00", "2025-09-30"), // Sat
            ("2025-09-28T23:00", "2025-09-30"), // Sun
        ];
        for (when, want) in cases {
            assert_eq!(listing_day(at(when)).to_string(), want, "{when}");
        }
    }

    #[test]
    fn both_dst_changes() {
        // 2025-03-09 (spring forward) and 2025-11-02 (fall back) are Sundays.
        assert_eq!(
            listing_day(at("2025-03-10T13:59")).to_string(),
            "2025-03-11"
        );
        assert_eq!(
            listing_day(at("2025-03-10T14:00")).to_string(),
            "2025-03-12"
        );
        assert_eq!(
            listing_day(at("2025-11-03T13:59")).to_string(),
            "2025-11-04"
        );
        assert_eq!(
            listing_day(at("2025-11-03T14:00")).to_string(),
            "2025-11-05"
        );
        // GMT strings: 18:30 GMT is 14:30 EDT in summer, 13:30 EST in winter.
        let summer = parse_submission("Mon, 22 Sep 2025 18:30:00 GMT").unwrap();
        assert_eq!(listing_day(summer).to_string(), "2025-09-24");
        let winter = parse_submission("Mon, 24 Nov 2025 18:30:00 GMT").unwrap();
        assert_eq!(listing_day(winter).to_string(), "2025-11-25");
        // a wrong weekday name does not matter
        assert_eq!(
            parse_submission("Wed, 10 Apr 2007 23:38:10 GMT"),
            parse_submission("10 Apr 2007 23:38:10 GMT")
        );
        assert!(parse_submission("Wed, 10 Apr 2007 23:38:10 GMT").is_some());
    }

    #[test]
    fn a_day_alone_is_taken_as_before_the_cutoff() {
        assert_eq!(
            listing_day_from_date(Day::parse("2026-01-09").unwrap()).to_string(),
            "2026-01-12"
        );
        assert_eq!(
            listing_day_from_date(Day::parse("2026-01-06").unwrap()).to_string(),
            "2026-01-07"
        );
    }
}
