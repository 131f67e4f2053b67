//! The ledger's control totals (SPEC 7.6): nothing is lost, and any break
//! is an error, not a footnote.

use rust_decimal::Decimal;

use super::ModelError;
use crate::read::SheetStats;

/// The ledger's control totals (SPEC 7.6).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerTotals {
    pub rows_read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub totals_rows: u64,
    pub accepted_amount: Decimal,
    pub in_window: Decimal,
    pub before_window: Decimal,
    pub after_as_of: Decimal,
    pub customer_sales: Decimal,
}

impl LedgerTotals {
    /// Adds a sheet's row counts and accepted amount.
    ///
    /// # Errors
    /// [`ModelError::Overflow`] when the accepted amounts overflow.
    pub fn add_sheet(&mut self, st: &SheetStats) -> Result<(), ModelError> {
        self.rows_read += st.rows_read;
        self.accepted += st.accepted;
        self.rejected += st.rejected;
        self.totals_rows += st.totals_rows;
        super::checked_add(&mut self.accepted_amount, st.accepted_amount, || {
            "the sum of accepted amounts".into()
        })
    }
}

/// SPEC 7.6: rows read = accepted + rejected + totals rows; Σ accepted =
/// in window + before window + after as-of; Σ in window = Σ customer sales.
///
/// # Errors
/// [`ModelError::Totals`] naming the total that does not hold.
pub fn check_totals(t: &LedgerTotals) -> Result<(), ModelError> {
    if t.rows_read != t.accepted + t.rejected + t.totals_rows {
        return Err(ModelError::Totals(format!(
            "rows read {} ≠ accepted {} + rejected {} + totals rows {}",
            t.rows_read, t.accepted, t.rejected, t.totals_rows
        )));
    }
    let parts = t
        .in_window
        .checked_add(t.before_window)
        .and_then(|x| x.checked_add(t.after_as_of));
    if parts != Some(t.accepted_amount) {
        return Err(ModelError::Totals(format!(
            "accepted amount {} ≠ in window {} + before window {} + after as-of {}",
            t.accepted_amount, t.in_window, t.before_window, t.after_as_of
        )));
    }
    if t.in_window != t.customer_sales {
        return Err(ModelError::Totals(format!(
            "in-window amount {} ≠ sum of customer sales {}",
            t.in_window, t.customer_sales
        )));
    }
    Ok(())
}
