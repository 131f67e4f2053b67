//! Policy verdicts that are rules of the rules file: whether a customer on
//! special settlement terms keeps them (`[special_policy]`, seed 5.1.2 B),
//! and whether an order of a customer below the best grade may be raised to
//! a best-grade order (`[order_upgrade]`, seed 7.3).

use rust_decimal::Decimal;

use crate::model::Metrics;
use crate::rules::{OrderUpgrade, SpecialPolicy};

/// What the meeting is advised to do with a customer's special policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVerdict {
    /// The on-time ratio reaches `min_on_time_ratio`.
    Keep,
    /// The on-time ratio is below `min_on_time_ratio`.
    Review,
    /// No on-time ratio (no receipts ledger, or nothing settled by receipts
    /// in the window): review.
    NoPaymentData,
}

/// The special-policy verdict of a customer: keep when its on-time ratio
/// reaches the minimum (a ratio exactly on it keeps), review below it.
pub fn special_policy_verdict(metrics: &Metrics, policy: &SpecialPolicy) -> PolicyVerdict {
    match metrics.on_time_ratio {
        Some(r) if r >= policy.min_on_time_ratio => PolicyVerdict::Keep,
        Some(_) => PolicyVerdict::Review,
        None => PolicyVerdict::NoPaymentData,
    }
}

/// What the order-upgrade rule looks at in one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts {
    /// The order's price index (Σ amount / Σ quantity × reference price);
    /// `None` when it has no line with a quantity and a reference price.
    pub price_index: Option<Decimal>,
    /// Whether the order was settled in full by receipts on or before its
    /// due date (`false` when unsettled, settled late or unknown).
    pub paid_on_time: bool,
}

/// Whether an order may be put forward as a best-grade order (seed 7.3):
/// its customer's grade is below the best (`grade` > 0), its price index is
/// at least `min_price_index` (an index exactly on it qualifies), and, when
/// the rules ask for it, it was paid on time.
pub fn order_upgrade_eligible(grade: usize, order: &OrderFacts, rule: &OrderUpgrade) -> bool {
    grade > 0
        && order.price_index.is_some_and(|p| p >= rule.min_price_index)
        && (order.paid_on_time || !rule.paid_on_time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn special_policy_keep_review_no_data() {
        let policy = SpecialPolicy::default(); // 0.9
        let on_time = |r: Option<&str>| Metrics {
            on_time_ratio: r.map(d),
            ..Default::default()
        };
        assert_eq!(
            special_policy_verdict(&on_time(Some("0.95")), &policy),
            PolicyVerdict::Keep
        );
        assert_eq!(
            special_policy_verdict(&on_time(Some("0.9")), &policy),
            PolicyVerdict::Keep
        );
        assert_eq!(
            special_policy_verdict(&on_time(Some("0.8999")), &policy),
            PolicyVerdict::Review
        );
        assert_eq!(
            special_policy_verdict(&on_time(None), &policy),
            PolicyVerdict::NoPaymentData
        );
        let strict = SpecialPolicy {
            min_on_time_ratio: d("1"),
        };
        assert_eq!(
            special_policy_verdict(&on_time(Some("0.95")), &strict),
            PolicyVerdict::Review
        );
    }

    fn order(price_index: Option<&str>, paid_on_time: bool) -> OrderFacts {
        OrderFacts {
            price_index: price_index.map(d),
            paid_on_time,
        }
    }

    #[test]
    fn order_upgrade_needs_a_lower_grade_a_high_price_and_payment_on_time() {
        let rule = OrderUpgrade::default(); // 1.05, paid on time
        assert!(order_upgrade_eligible(1, &order(Some("1.08"), true), &rule));
        assert!(order_upgrade_eligible(2, &order(Some("1.05"), true), &rule)); // on the edge
        assert!(!order_upgrade_eligible(
            1,
            &order(Some("1.0499"), true),
            &rule
        ));
        assert!(!order_upgrade_eligible(
            1,
            &order(Some("1.20"), false),
            &rule
        ));
        assert!(!order_upgrade_eligible(1, &order(None, true), &rule));
        // The best grade has nothing to be raised to.
        assert!(!order_upgrade_eligible(
            0,
            &order(Some("1.20"), true),
            &rule
        ));
    }

    #[test]
    fn order_upgrade_without_the_payment_condition() {
        let rule = OrderUpgrade {
            min_price_index: d("1.10"),
            paid_on_time: false,
        };
        assert!(order_upgrade_eligible(
            1,
            &order(Some("1.10"), false),
            &rule
        ));
        assert!(order_upgrade_eligible(1, &order(Some("1.10"), true), &rule));
        assert!(!order_upgrade_eligible(
            1,
            &order(Some("1.09"), true),
            &rule
        ));
    }
}
