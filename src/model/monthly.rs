//! Monthly sales per customer for the monthly follow-up (SPEC 7.4): the
//! thirteen calendar months up to the as-of month (that month counted up to
//! the as-of date), the last three months `(as_of − 3 months, as_of]` and
//! the same three months a year before `(as_of − 15 months, as_of − 12
//! months]`. Filled while the sales fold runs, one call per line; off (and
//! free) unless the run asks for it.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::period::add_months;
use super::{checked_add, ModelError};

/// Calendar months in the monthly sales table.
pub const MONTHS: usize = 13;

/// One customer's monthly sales.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlySales {
    /// Sales per calendar month, oldest first; the last is the as-of month.
    pub months: [Decimal; MONTHS],
    /// Sales in `(as_of − 3 months, as_of]`.
    pub last_three: Decimal,
    /// Sales in `(as_of − 15 months, as_of − 12 months]`.
    pub year_before: Decimal,
}

/// The accumulators of a run's monthly sales.
#[derive(Debug, Default)]
pub struct MonthlyFold {
    on: bool,
    as_of: NaiveDate,
    /// `year·12 + month0` of the oldest month of the table.
    first_month: i32,
    /// Lines dated after this go to `last_three`.
    three_cut: NaiveDate,
    /// Lines dated in `(year_start, year_end]` go to `year_before`.
    year_start: NaiveDate,
    year_end: NaiveDate,
    /// Lines dated after this can count anywhere.
    earliest: NaiveDate,
    /// Per customer accumulator (the fold's index).
    pub sales: Vec<MonthlySales>,
}

fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

impl MonthlyFold {
    /// A fold for `as_of`; `on: false` makes every call a no-op.
    pub fn new(as_of: NaiveDate, on: bool) -> MonthlyFold {
        let first_month = month_index(as_of) - (MONTHS as i32 - 1);
        let year_start = add_months(as_of, -15);
        let table_start = Self::month_starts(as_of)[0];
        MonthlyFold {
            on,
            as_of,
            first_month,
            three_cut: add_months(as_of, -3),
            year_start,
            year_end: add_months(as_of, -12),
            earliest: year_start.min(table_start.pred_opt().unwrap_or(table_start)),
            sales: Vec::new(),
        }
    }

    /// Counts a line of customer `ci` dated on or before the as-of date.
    ///
    /// # Errors
    /// A sum overflows (naming the row through `what`).
    pub fn line(
        &mut self,
        ci: usize,
        date: NaiveDate,
        amount: Decimal,
        what: impl Fn() -> String,
    ) -> Result<(), ModelError> {
        if !self.on || date <= self.earliest || date > self.as_of {
            return Ok(());
        }
        if self.sales.len() <= ci {
            self.sales.resize(ci + 1, MonthlySales::default());
        }
        let acc = &mut self.sales[ci];
        let m = month_index(date) - self.first_month;
        if let Some(slot) = usize::try_from(m).ok().and_then(|m| acc.months.get_mut(m)) {
            checked_add(slot, amount, &what)?;
        }
        if date > self.three_cut {
            checked_add(&mut acc.last_three, amount, &what)?;
        }
        if date > self.year_start && date <= self.year_end {
            checked_add(&mut acc.year_before, amount, &what)?;
        }
        Ok(())
    }

    /// Whether the run asked for monthly sales.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The first day of each month of the table, oldest first.
    pub fn month_starts(as_of: NaiveDate) -> [NaiveDate; MONTHS] {
        let first = month_index(as_of) - (MONTHS as i32 - 1);
        std::array::from_fn(|k| {
            let m = first + k as i32;
            NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1)
                .unwrap_or(as_of)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn months_and_three_month_windows() {
        let as_of = day(2025, 6, 15);
        let mut f = MonthlyFold::new(as_of, true);
        let what = || "row".to_string();
        for (date, amount) in [
            (day(2024, 5, 31), 1),   // before the table, in the year-before window
            (day(2024, 6, 1), 10),   // first month of the table
            (day(2025, 6, 15), 100), // as-of day: this month, last three
            (day(2025, 3, 15), 7),   // on as_of − 3 months: not in the last three
            (day(2025, 3, 16), 1000),
            (day(2024, 3, 16), 20), // first day of the year-before window
            (day(2024, 3, 15), 2),  // on its cut: out
            (day(2024, 6, 15), 30), // its last day
        ] {
            f.line(0, date, Decimal::from(amount), what).expect("line");
        }
        let s = &f.sales[0];
        assert_eq!(s.months[0], Decimal::from(40));
        assert_eq!(s.months[9], Decimal::from(1007), "March 2025");
        assert_eq!(s.months[12], Decimal::from(100));
        assert_eq!(s.last_three, Decimal::from(1100));
        assert_eq!(s.year_before, Decimal::from(61), "1 + 10 + 20 + 30");
        assert_eq!(MonthlyFold::month_starts(as_of)[0], day(2024, 6, 1));
        assert_eq!(MonthlyFold::month_starts(as_of)[12], day(2025, 6, 1));
    }

    #[test]
    fn off_keeps_nothing() {
        let mut f = MonthlyFold::new(day(2025, 6, 15), false);
        f.line(3, day(2025, 6, 1), Decimal::ONE, String::new)
            .expect("line");
        assert!(f.sales.is_empty());
    }
}
