//! grade_all end to end on a hand-computed population (three-tier template).
//!
//! Sales total 10,000,000; A needs before < 7,000,000, B before < 9,000,000.
//!   a 6,200,000 before 0          → A
//!   b 1,500,000 before 6,200,000  → A
//!   c 1,300,000 before 7,700,000  → B
//!   d   700,000 before 9,000,000  → C (9,000,000 is not < 9,000,000)
//!   e   300,000 before 9,700,000  → C
//!   f         0 (no window lines) → C

use std::collections::HashMap;
use std::str::FromStr;

use super::*;
use crate::rules::Bound;

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) fn customer(key: &str, sales: &str) -> Metrics {
    Metrics {
        key: key.into(),
        name: key.into(),
        sales: d(sales),
        basis_sales: d(sales),
        has_window_lines: d(sales) != Decimal::ZERO,
        ..Default::default()
    }
}

pub(crate) fn population() -> Vec<Metrics> {
    let mut a = customer("a", "6200000");
    // price 1.06 → 100, collection 0.96 → 100, growth 0.25 → 100, overdue 0 → 100
    a.price_index = Some(d("1.06"));
    a.collection_rate = Some(d("0.96"));
    a.growth = Some(d("0.25"));
    a.max_days_overdue = Some(0);
    let mut b = customer("b", "1500000");
    // price 1.00 → 80×30, collection 0.90 → 80×25, growth 0.05 → 60×20, overdue 120 → 0×25
    // = (2400 + 2000 + 1200 + 0) / 100 = 56 → B
    b.price_index = Some(d("1.00"));
    b.collection_rate = Some(d("0.90"));
    b.growth = Some(d("0.05"));
    b.max_days_overdue = Some(120);
    let mut c = customer("c", "1300000");
    // price missing; collection 0.96 → 100×25, growth 0.20 (on the edge) → 100×20,
    // overdue 0 → 100×25: 100 over the 70 of weight present → A
    c.collection_rate = Some(d("0.96"));
    c.growth = Some(d("0.20"));
    c.max_days_overdue = Some(0);
    let mut dd = customer("d", "700000");
    // price 0.94 → 40 (only factor) → 40 → C
    dd.price_index = Some(d("0.94"));
    let e = customer("e", "300000"); // no composite factor at all
    let f = customer("f", "0");
    vec![a, b, c, dd, e, f]
}

pub(crate) fn previous() -> HashMap<String, String> {
    [
        ("a", "A"),
        ("b", "A类客户"),
        ("c", "C"),
        ("e", "X"),
        ("f", "A类客户"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[test]
fn grades_follow_the_steps() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    let volume: Vec<usize> = g.iter().map(|x| x.volume_tier).collect();
    assert_eq!(volume, vec![0, 0, 1, 2, 2, 2]);
    let scores: Vec<Option<Decimal>> = g.iter().map(|x| x.composite_score).collect();
    assert_eq!(
        scores,
        vec![
            Some(d("100")),
            Some(d("56")),
            Some(d("100")),
            Some(d("40")),
            None,
            None
        ]
    );
    let ct: Vec<Option<usize>> = g.iter().map(|x| x.composite_tier).collect();
    assert_eq!(ct, vec![Some(0), Some(1), Some(0), Some(2), None, None]);
    let grades: Vec<usize> = g.iter().map(|x| x.grade).collect();
    assert_eq!(grades, vec![0, 1, 1, 2, 2, 2]);
}

#[test]
fn change_against_previous() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    let changes: Vec<Change> = g.iter().map(|x| x.change).collect();
    assert_eq!(
        changes,
        vec![
            Change::Same,
            Change::Down,
            Change::Up,
            Change::New,
            Change::New,
            Change::Lost
        ]
    );
    assert_eq!(g[1].previous_grade.as_deref(), Some("A")); // normalised from the label
    assert_eq!(g[3].previous_grade, None);
    assert_eq!(g[4].previous_grade.as_deref(), Some("X")); // as given
    assert_eq!(
        g[4].reasons.last(),
        Some(&Reason::PreviousUnknown {
            previous: "X".into()
        })
    );
    assert_eq!(
        g[5].reasons.last(),
        Some(&Reason::Lost {
            previous: "A".into()
        })
    );
}

#[test]
fn change_function() {
    let r = Rules::three_tier();
    assert_eq!(change(Some("B"), 0, true, &r), Change::Up);
    assert_eq!(change(Some("A"), 1, true, &r), Change::Down);
    assert_eq!(change(Some("B类客户"), 1, true, &r), Change::Same);
    assert_eq!(change(None, 1, true, &r), Change::New);
    assert_eq!(change(Some("  "), 1, false, &r), Change::New);
    assert_eq!(change(Some("A"), 2, false, &r), Change::Lost);
    assert_eq!(change(Some("C"), 2, false, &r), Change::Lost);
    assert_eq!(Change::Lost.symbol(), "失");
    assert_eq!(Change::Up.as_str(), "up");
}

fn basis() -> MetricRef {
    Metric::BasisSales.into()
}

fn on_basis(tier: usize, rule: VolumeRule) -> Reason {
    Reason::Volume {
        metric: basis(),
        tier,
        rule,
    }
}

fn part(metric: Metric, value: &str, points: &str, weight: &str) -> FactorScore {
    FactorScore {
        metric: metric.into(),
        value: d(value),
        points: d(points),
        weight: d(weight),
    }
}

#[test]
fn reasons_name_rule_and_values() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    assert_eq!(
        g[1].reasons,
        vec![
            on_basis(
                0,
                VolumeRule::Within {
                    value: d("1500000"),
                    share: d("0.7")
                }
            ),
            Reason::ScoreDetail {
                score: d("56"),
                parts: vec![
                    part(Metric::PriceIndex, "1.00", "80", "30"),
                    part(Metric::CollectionRate, "0.90", "80", "25"),
                    part(Metric::Growth, "0.05", "60", "20"),
                    part(Metric::MaxDaysOverdue, "120", "0", "25"),
                ]
            },
            Reason::CompositeShort {
                score: d("56"),
                min: Some(d("75")),
                tier: 1
            },
            Reason::WorseOf {
                volume: 0,
                composite: 1,
                grade: 1
            },
            Reason::Gate {
                metric: Metric::MaxDaysOverdue.into(),
                value: d("120"),
                bound: Bound::Above(d("90")),
                cap: 1
            },
            // Only max_days_overdue present: 120 > 90 → 0 points.
            Reason::Credit {
                rating: "差".into(),
                score: d("0"),
                parts: vec![FactorScore {
                    metric: Metric::MaxDaysOverdue.into(),
                    value: d("120"),
                    points: d("0"),
                    weight: d("40"),
                }],
                missing: vec![Metric::OnTimeRatio.into(), Metric::CreditUsage.into()],
            },
        ]
    );
    assert_eq!(
        g[2].reasons[1],
        Reason::FactorsMissing {
            metrics: vec![Metric::PriceIndex.into()]
        }
    );
    assert_eq!(
        g[3].reasons[0],
        on_basis(
            2,
            VolumeRule::Outside {
                value: d("700000"),
                share: d("0.9")
            }
        )
    );
    assert_eq!(g[4].reasons[1], Reason::NoComposite);
    assert_eq!(
        g[5].reasons[0],
        on_basis(2, VolumeRule::NotPositive { value: d("0") })
    );
}

#[test]
fn distance_to_next_tier_lists_every_condition() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    assert_eq!(g[0].to_next_tier, None);
    assert_eq!(
        g[1].to_next_tier,
        Some(NextTier {
            tier: 0,
            needs: vec![
                Need::Score {
                    min: d("75"),
                    score: d("56")
                },
                Need::Gate {
                    metric: Metric::MaxDaysOverdue.into(),
                    bound: Bound::Above(d("90")),
                    value: d("120")
                },
            ]
        })
    );
    assert_eq!(
        g[2].to_next_tier,
        Some(NextTier {
            tier: 0,
            needs: vec![Need::Volume {
                metric: basis(),
                gap: d("200000")
            }]
        })
    );
    // d: 600,000 short of c's 1,300,000, and composite 40 short of 55.
    assert_eq!(
        g[3].to_next_tier,
        Some(NextTier {
            tier: 1,
            needs: vec![
                Need::Volume {
                    metric: basis(),
                    gap: d("600000")
                },
                Need::Score {
                    min: d("55"),
                    score: d("40")
                },
            ]
        })
    );
}

#[test]
fn no_composite_tier_means_volume_tier() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    // e has no factor: no score, no composite tier, grade = volume tier.
    assert_eq!(g[4].composite_tier, None);
    assert_eq!(g[4].grade, g[4].volume_tier);
    // Rules without [composite]: grades from volume and gates alone.
    let mut r = Rules::three_tier();
    r.composite = None;
    let g = grade_all(&population(), &previous(), &r);
    let grades: Vec<usize> = g.iter().map(|x| x.grade).collect();
    // b is A by volume, capped at B by its 120 days overdue.
    assert_eq!(grades, vec![0, 1, 1, 2, 2, 2]);
    assert!(g.iter().all(|x| x.composite_score.is_none()));
}

#[test]
fn near_boundary_flags() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    // b: composite 56 within 5% of 55 (2.75). c: 200,000 short of 1,500,000 (> 75,000),
    // 600,000 above d, composite 100 far from 75.
    let near: Vec<bool> = g.iter().map(|x| x.near_boundary).collect();
    assert_eq!(near, vec![false, true, false, false, false, false]);
}

#[test]
fn provisional_clients_say_so() {
    let rules = Rules::three_tier();
    let mut n = customer("n", "300000");
    n.provisional = true;
    n.months_active = Some(3);
    n.basis_sales = d("1200000"); // 300,000 × 12 / 3
    let g = grade_all(
        &[customer("big", "800000"), n.clone()],
        &HashMap::new(),
        &rules,
    );
    assert_eq!(
        g[1].reasons[0],
        Reason::Provisional {
            months: 3,
            annualized: Some(Annualized {
                sales: d("300000"),
                basis: d("1200000")
            })
        }
    );
    // On basis sales the new client ranks first: total 2,000,000, before 0 → A.
    assert_eq!(g[1].volume_tier, 0);
    assert_eq!(g[0].volume_tier, 0); // before 1,200,000 < 1,400,000
                                     // Not annualised when the volume metric is sales.
    let mut r = rules.clone();
    r.volume.metric = Metric::Sales.into();
    let g = grade_all(&[customer("big", "800000"), n], &HashMap::new(), &r);
    assert_eq!(
        g[1].reasons[0],
        Reason::Provisional {
            months: 3,
            annualized: None
        }
    );
}

#[test]
fn credit_ratings_per_customer() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules);
    // a: overdue 0 → 100 (only credit factor present) → 优; b: overdue 120 → 0 → 差;
    // d: no credit factor → none.
    assert_eq!(g[0].credit_rating.as_deref(), Some("优"));
    assert_eq!(g[1].credit_rating.as_deref(), Some("差"));
    assert_eq!(g[3].credit_rating, None);
}

#[test]
fn threshold_reasons_and_distance() {
    let mut r = Rules::three_tier();
    r.volume.method = VolumeMethod::Threshold;
    r.volume.share = None;
    r.volume.min = Some(
        [
            ("A".to_string(), d("5000000")),
            ("B".to_string(), d("1000000")),
        ]
        .into(),
    );
    r.composite = None;
    r.gates.clear();
    let ms = vec![
        customer("x", "4880000"),
        customer("y", "500000"),
        customer("z", "5000000"),
    ];
    let g = grade_all(&ms, &HashMap::new(), &r);
    assert_eq!(g.iter().map(|x| x.grade).collect::<Vec<_>>(), vec![1, 2, 0]);
    assert_eq!(
        g[0].reasons[0],
        on_basis(
            1,
            VolumeRule::MinMet {
                value: d("4880000"),
                min: d("1000000")
            }
        )
    );
    assert_eq!(
        g[0].to_next_tier,
        Some(NextTier {
            tier: 0,
            needs: vec![Need::Volume {
                metric: basis(),
                gap: d("120000")
            }]
        })
    );
    assert!(g[0].near_boundary); // 120,000 ≤ 5% of 5,000,000
    assert_eq!(
        g[1].reasons[0],
        on_basis(
            2,
            VolumeRule::MinShort {
                value: d("500000"),
                min: d("1000000")
            }
        )
    );
    assert!(!g[1].near_boundary);
    assert_eq!(
        g[2].reasons[0],
        on_basis(
            0,
            VolumeRule::MinMet {
                value: d("5000000"),
                min: d("5000000")
            }
        )
    );
    assert!(g[2].near_boundary); // exactly on the cut
}

#[test]
fn four_tier_template_with_master_attributes() {
    let rules = Rules::builtin("four-tier").unwrap();
    // total 1,000: VIP before < 500, 核心 < 800, 重点 < 950.
    let mut p = customer("p", "600"); // before 0 → VIP
    p.attrs.insert("员工人数".into(), d("350")); // [300, 80] → 80, the only factor → VIP
    let mut q = customer("q", "300"); // before 600 → 核心
    q.attrs.insert("年营业额".into(), d("60000000")); // [50,000,000, 80] → 80
    let r = customer("r", "100"); // before 900 → 重点, no factor
    let prev: HashMap<String, String> = [("q".to_string(), "重点级客户".to_string())].into();
    let g = grade_all(&[p, q, r], &prev, &rules);
    assert_eq!(
        g.iter()
            .map(|x| rules.tier_name(x.grade))
            .collect::<Vec<_>>(),
        vec!["VIP", "核心", "重点"]
    );
    let headcount = MetricRef::Attr("员工人数".into());
    assert_eq!(
        g[0].reasons[1],
        Reason::FactorsMissing {
            metrics: vec![
                Metric::PriceIndex.into(),
                Metric::CollectionRate.into(),
                Metric::OnTimeRatio.into(),
                Metric::Growth.into(),
                Metric::MonthsActive.into(),
                Metric::MaxDaysOverdue.into(),
                MetricRef::Attr("年营业额".into()),
            ]
        }
    );
    assert_eq!(
        g[0].reasons[2],
        Reason::ScoreDetail {
            score: d("80"),
            parts: vec![FactorScore {
                metric: headcount,
                value: d("350"),
                points: d("80"),
                weight: d("5"),
            }]
        }
    );
    assert!(g[0].near_boundary); // score 80 is exactly VIP's minimum
    assert_eq!(g[1].change, Change::Up);
    assert_eq!(g[1].previous_grade.as_deref(), Some("重点"));
    let volume_gap = |tier: usize, gap: &str| {
        Some(NextTier {
            tier,
            needs: vec![Need::Volume {
                metric: basis(),
                gap: d(gap),
            }],
        })
    };
    // q: 300 short of p's 600; r: 200 short of q's 300.
    assert_eq!(g[1].to_next_tier, volume_gap(0, "300"));
    assert_eq!(g[2].to_next_tier, volume_gap(1, "200"));
}

#[test]
fn special_policy_verdicts_for_special_customers_only() {
    let rules = Rules::three_tier(); // min_on_time_ratio 0.9
    let mut a = customer("a", "100");
    a.special_policy = Some("月结60天".into());
    a.on_time_ratio = Some(d("0.9"));
    let mut b = customer("b", "100");
    b.special_policy = Some("月结60天".into());
    b.on_time_ratio = Some(d("0.85"));
    let mut c = customer("c", "100");
    c.special_policy = Some("现款".into());
    let mut n = customer("n", "100");
    n.on_time_ratio = Some(d("0.99"));
    let g = grade_all(&[a, b, c, n], &HashMap::new(), &rules);
    let verdicts: Vec<Option<PolicyVerdict>> = g.iter().map(|x| x.special_policy).collect();
    assert_eq!(
        verdicts,
        vec![
            Some(PolicyVerdict::Keep),
            Some(PolicyVerdict::Review),
            Some(PolicyVerdict::NoPaymentData),
            None
        ]
    );
}
