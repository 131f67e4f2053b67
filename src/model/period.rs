//! The period of a run (SPEC 4, 9, 10): the as-of date, the grading window
//! `(as_of − months, as_of]` and the prior window before it, resolved once,
//! before anything is folded; and the calendar arithmetic they need (Excel's
//! EDATE month steps, months active).

use chrono::{Datelike, NaiveDate};

use super::ModelError;
use crate::read::LatestDates;

/// The grading window and the prior window before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day included.
    pub start: NaiveDate,
    /// Last day included (= as_of).
    pub end: NaiveDate,
    pub months: u32,
    pub prior_start: NaiveDate,
    pub prior_end: NaiveDate,
}

impl Window {
    /// The window of `months` months ending on `as_of` (SPEC 9: the prior
    /// window is `(as_of − 2·months, as_of − months]`).
    pub fn new(as_of: NaiveDate, months: u32) -> Window {
        let m = months as i32;
        let cut = add_months(as_of, -m);
        let prior_cut = add_months(as_of, -2 * m);
        Window {
            start: cut.succ_opt().unwrap_or(cut),
            end: as_of,
            months,
            prior_start: prior_cut.succ_opt().unwrap_or(prior_cut),
            prior_end: cut,
        }
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.start && d <= self.end
    }
    pub fn in_prior(&self, d: NaiveDate) -> bool {
        d >= self.prior_start && d <= self.prior_end
    }
    /// Days in the window (for DSO).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// The as-of date and the windows of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub as_of: NaiveDate,
    pub window: Window,
}

/// A default as-of date more than this many days after the next latest
/// ledger date is refused (SPEC 10: one stray far-future row).
pub const STRAY_DAYS: i64 = 31;

impl Period {
    /// The period of a run: `as_of` when given, else the latest valid ledger
    /// date; the window of `months` months ending on it.
    ///
    /// # Errors
    /// No as-of date given and no dated ledger line ([`ModelError::NoAsOf`]);
    /// no as-of date given and the latest date stands more than 31 days after
    /// the next latest ([`ModelError::StrayLatest`], naming its row).
    pub fn resolve(
        as_of: Option<NaiveDate>,
        dates: &LatestDates,
        months: u32,
    ) -> Result<Period, ModelError> {
        let as_of = match as_of {
            Some(d) => d,
            None => {
                let Some((latest, file, sheet, row)) = &dates.latest else {
                    return Err(ModelError::NoAsOf);
                };
                if let Some(next) = dates.next {
                    let gap = (*latest - next).num_days();
                    if gap > STRAY_DAYS {
                        return Err(ModelError::StrayLatest {
                            date: *latest,
                            next,
                            file: file.clone(),
                            sheet: sheet.clone(),
                            row: *row,
                        });
                    }
                }
                *latest
            }
        };
        Ok(Period {
            as_of,
            window: Window::new(as_of, months),
        })
    }
}

/// `date + n` calendar months, clamped to the month's last day (Excel's
/// EDATE): 2025-05-31 + 6 months = 2025-11-30.
pub fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let mut day = date.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, day) {
            return d;
        }
        if day <= 28 {
            // Out of chrono's range: keep the input rather than panic.
            return date;
        }
        day -= 1;
    }
}

/// Calendar months from `first`'s month to `as_of`'s, both counted
/// (SPEC 4 months_active).
pub fn months_active(first: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of.year() as i64 * 12 + as_of.month() as i64)
        - (first.year() as i64 * 12 + first.month() as i64)
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn edate_clamps_to_month_end() {
        assert_eq!(add_months(date(2025, 5, 31), 6), date(2025, 11, 30));
        assert_eq!(add_months(date(2024, 2, 29), 12), date(2025, 2, 28));
        assert_eq!(add_months(date(2025, 3, 31), -1), date(2025, 2, 28));
        assert_eq!(add_months(date(2025, 1, 15), -12), date(2024, 1, 15));
    }

    #[test]
    fn months_active_counts_both_ends() {
        assert_eq!(months_active(date(2025, 3, 31), date(2025, 3, 31)), 1);
        assert_eq!(months_active(date(2024, 12, 1), date(2025, 1, 31)), 2);
    }

    #[test]
    fn default_as_of_refuses_one_stray_far_future_row() {
        let mut dates = LatestDates::default();
        dates.see(date(2025, 12, 30), "a.xlsx", "12月", 40);
        dates.see(date(2025, 12, 31), "a.xlsx", "12月", 41);
        dates.see(date(2026, 2, 1), "a.xlsx", "12月", 42);
        // 2026-02-01 is 32 days after 2025-12-31.
        match Period::resolve(None, &dates, 12) {
            Err(ModelError::StrayLatest { row, next, .. }) => {
                assert_eq!(row, 42);
                assert_eq!(next, date(2025, 12, 31));
            }
            other => panic!("expected a stray-date error, got {other:?}"),
        }
        // 31 days after is accepted; a given as-of date is always taken.
        let mut ok = LatestDates::default();
        ok.see(date(2025, 12, 31), "a.xlsx", "12月", 41);
        ok.see(date(2026, 1, 31), "a.xlsx", "12月", 42);
        assert_eq!(
            Period::resolve(None, &ok, 12).map(|p| p.as_of).ok(),
            Some(date(2026, 1, 31))
        );
        assert_eq!(
            Period::resolve(Some(date(2025, 6, 30)), &dates, 12)
                .map(|p| p.as_of)
                .ok(),
            Some(date(2025, 6, 30))
        );
    }
}
