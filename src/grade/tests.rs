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

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn customer(key: &str, sales: &str) -> Metrics {
    Metrics {
        key: key.into(),
        name: key.into(),
        sales: d(sales),
        basis_sales: d(sales),
        has_window_lines: d(sales) != Decimal::ZERO,
        ..Default::default()
    }
}

fn population() -> Vec<Metrics> {
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

fn previous() -> HashMap<String, String> {
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
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhCn);
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
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhCn);
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
    assert!(
        g[4].reasons.iter().any(|r| r.contains("“X”")),
        "{:?}",
        g[4].reasons
    );
    assert!(
        g[5].reasons.iter().any(|r| r.contains("流失")),
        "{:?}",
        g[5].reasons
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
    assert_eq!(Change::Down.label(Lang::ZhTw), "降級");
    assert_eq!(Change::New.label(Lang::En), "new");
}

#[test]
fn reasons_in_simplified_chinese() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhCn);
    assert_eq!(
        g[1].reasons,
        vec![
            "销售额 ¥1,500,000 位于前70% → A",
            "综合得分 56：价格指数 1.000 → 80分，回款率 90% → 80分，增长率 5% → 60分，最长逾期 120 天 → 0分",
            "综合得分 56 < 75 → B",
            "取销量等级 A 与综合等级 B 中较低者 → B",
            "最长逾期 120 天 > 90 → 最高 B",
            "资信等级 差（得分 0）", // only max_days_overdue present: 120 > 90 → 0 points
        ]
    );
    assert_eq!(
        g[1].to_next_tier.as_deref(),
        Some("距A级: 综合得分需达 75（现 56），且最长逾期需不超过 90 天（现 120 天）")
    );
    assert_eq!(g[2].reasons[1], "价格指数 缺失，权重分配给其余指标");
    assert_eq!(
        g[2].to_next_tier.as_deref(),
        Some("距A级: 销售额还差 ¥200,000")
    );
    assert_eq!(g[3].reasons[0], "销售额 ¥700,000 不在前90%内 → C");
    assert_eq!(
        g[3].to_next_tier.as_deref(),
        Some("距B级: 销售额还差 ¥600,000，且综合得分需达 55（现 40）")
    );
    assert_eq!(g[4].reasons[1], "综合指标均缺失，不评综合等级");
    assert_eq!(g[5].reasons[0], "销售额 ¥0 不为正 → C");
    assert_eq!(g[0].to_next_tier, None);
}

#[test]
fn reasons_in_english_and_traditional_chinese() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules, Lang::En);
    assert_eq!(g[1].reasons[0], "sales ¥1,500,000 within the top 70% → A");
    assert_eq!(g[1].reasons[2], "composite 56 < 75 → B");
    assert_eq!(g[1].reasons[4], "max days overdue 120 > 90 → capped at B");
    assert_eq!(
        g[1].to_next_tier.as_deref(),
        Some("to A: composite 75 (now 56), and max days overdue at most 90 (now 120)")
    );
    assert_eq!(
        g[2].to_next_tier.as_deref(),
        Some("to A: ¥200,000 more sales")
    );
    assert_eq!(
        g[2].reasons[1],
        "price index missing, weight shared out among the other factors"
    );
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhTw);
    assert_eq!(g[1].reasons[0], "銷售額 ¥1,500,000 位於前70% → A");
    assert_eq!(g[1].reasons[4], "最長逾期 120 天 > 90 → 最高 B");
    assert_eq!(
        g[2].to_next_tier.as_deref(),
        Some("距A級: 銷售額還差 ¥200,000")
    );
}

#[test]
fn no_composite_tier_means_volume_tier() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhCn);
    // e has no factor: no score, no composite tier, grade = volume tier.
    assert_eq!(g[4].composite_tier, None);
    assert_eq!(g[4].grade, g[4].volume_tier);
    // Rules without [composite]: grades from volume and gates alone.
    let mut r = Rules::three_tier();
    r.composite = None;
    let g = grade_all(&population(), &previous(), &r, Lang::ZhCn);
    let grades: Vec<usize> = g.iter().map(|x| x.grade).collect();
    // b is A by volume, capped at B by its 120 days overdue.
    assert_eq!(grades, vec![0, 1, 1, 2, 2, 2]);
    assert!(g.iter().all(|x| x.composite_score.is_none()));
}

#[test]
fn near_boundary_flags() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhCn);
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
        &[customer("big", "800000"), n],
        &HashMap::new(),
        &rules,
        Lang::ZhCn,
    );
    assert_eq!(
        g[1].reasons[0],
        "新客户，合作 3 个月，销售额按年化计算（¥300,000 → ¥1,200,000），暂定等级"
    );
    // On basis sales the new client ranks first: total 2,000,000, before 0 → A.
    assert_eq!(g[1].volume_tier, 0);
    assert_eq!(g[0].volume_tier, 0); // before 1,200,000 < 1,400,000
}

#[test]
fn credit_ratings_per_customer() {
    let rules = Rules::three_tier();
    let g = grade_all(&population(), &previous(), &rules, Lang::ZhCn);
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
    let g = grade_all(&ms, &HashMap::new(), &r, Lang::ZhCn);
    assert_eq!(g.iter().map(|x| x.grade).collect::<Vec<_>>(), vec![1, 2, 0]);
    assert_eq!(g[0].reasons[0], "销售额 ¥4,880,000 ≥ ¥1,000,000 → B");
    assert_eq!(
        g[0].to_next_tier.as_deref(),
        Some("距A级: 销售额还差 ¥120,000")
    );
    assert!(g[0].near_boundary); // 120,000 ≤ 5% of 5,000,000
    assert_eq!(g[1].reasons[0], "销售额 ¥500,000 < ¥1,000,000 → C");
    assert!(!g[1].near_boundary);
    assert_eq!(g[2].reasons[0], "销售额 ¥5,000,000 ≥ ¥5,000,000 → A");
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
    let g = grade_all(&[p, q, r], &prev, &rules, Lang::ZhCn);
    assert_eq!(
        g.iter()
            .map(|x| rules.tier_name(x.grade))
            .collect::<Vec<_>>(),
        vec!["VIP", "核心", "重点"]
    );
    assert!(
        g[0].reasons[2].contains("员工人数 350 → 80分"),
        "{:?}",
        g[0].reasons
    );
    assert!(g[0].reasons[1].starts_with("价格指数、回款率、"));
    assert!(g[0].near_boundary); // score 80 is exactly VIP's minimum
    assert_eq!(g[1].change, Change::Up);
    assert_eq!(g[1].previous_grade.as_deref(), Some("重点"));
    assert_eq!(
        g[1].to_next_tier.as_deref(),
        Some("距VIP级: 销售额还差 ¥300")
    );
    assert_eq!(
        g[2].to_next_tier.as_deref(),
        Some("距核心级: 销售额还差 ¥200")
    );
}
