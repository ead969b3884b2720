//! Calendar dates for suppression and collection expiry, without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parse `YYYY-MM-DD`, rejecting impossible dates such as `2027-02-30`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Today in UTC, or `CONSENTLINT_TODAY` (YYYY-MM-DD) when set, for reproducible runs.
    pub fn today() -> Date {
        if let Some(date) = std::env::var("CONSENTLINT_TODAY")
            .ok()
            .and_then(|v| Date::parse(&v))
        {
            return date;
        }
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// Days since 1970-01-01 (the inverse of [`Date::from_days`]).
    pub fn days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days later, or 9999-12-31 when that is later still (a policy may
    /// allow any number of days; a date has four digits).
    pub fn after_days(self, days: u64) -> Date {
        let last = Date {
            year: 9999,
            month: 12,
            day: 31,
        };
        match i64::try_from(days) {
            Ok(days) if days <= self.days_until(last) => Date::from_days(self.days() + days),
            _ => last,
        }
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days() - self.days()
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_only() {
        assert_eq!(
            Date::parse("2027-03-01"),
            Some(Date {
                year: 2027,
                month: 3,
                day: 1
            })
        );
        assert_eq!(Date::parse("2028-02-29").map(|d| d.day), Some(29));
        assert_eq!(Date::parse("2027-02-29"), None);
        assert_eq!(Date::parse("2027-13-01"), None);
        assert_eq!(Date::parse("tomorrow"), None);
    }

    #[test]
    fn converts_days_since_epoch() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_780).to_string(), "2026-11-23");
        for days in [-800_000, -1, 0, 59, 60, 365, 11_016, 20_780, 2_932_896] {
            assert_eq!(
                Date::from_days(days).days(),
                days,
                "{}",
                Date::from_days(days)
            );
        }
        let today = Date::parse("2026-12-04").unwrap();
        assert_eq!(today.after_days(730).to_string(), "2028-12-03");
        assert_eq!(today.after_days(u64::MAX).to_string(), "9999-12-31");
        assert_eq!(today.after_days(2_916_000).to_string(), "9999-12-31");
        assert_eq!(today.days_until(Date::parse("2027-01-01").unwrap()), 28);
        assert_eq!(today.days_until(Date::parse("2026-12-01").unwrap()), -3);
    }
}
