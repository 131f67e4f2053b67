//! The grader's structured reasons and distance to the next tier as
//! sentences in the output language (SPEC 7.1 steps 5 and 7), from the
//! phrase tables of [`crate::labels::reasons`]: `销售额 ¥6,200,000 位于前70% → A`.
//! Each metric's value is shown in its natural format ([`fmt_value`]).

use rust_decimal::Decimal;

use crate::grade::{
    Annualized, Change, CustomerGrade, FactorScore, Need, NextTier, Reason, VolumeRule,
};
use crate::labels::finance::finance;
use crate::labels::reasons::{metric_label, phrases};
use crate::labels::{fill, Lang};
use crate::model::metrics::{Format, Metric, MetricRef};
use crate::rules::{Bound, Rules};
use crate::text::{fmt_money, fmt_number, fmt_percent};

/// The display name of a metric (`attr:员工人数` → `员工人数`).
pub fn metric_name(metric: &MetricRef, lang: Lang) -> String {
    match metric {
        MetricRef::Metric(m) => metric_label(*m, lang).to_string(),
        MetricRef::Attr(attr) => attr.trim().to_string(),
    }
}

/// A metric value in its natural format; `unit` adds the day unit to days.
pub fn fmt_value(metric: &MetricRef, value: Decimal, lang: Lang, unit: bool) -> String {
    match metric.format() {
        Format::Money => fmt_money(value),
        Format::Percent => fmt_percent(value),
        Format::Index => format!("{:.3}", value.round_dp(3)),
        Format::Days => {
            let n = fmt_number(value, 0);
            if unit {
                format!("{n}{}", phrases(lang).day_unit)
            } else {
                n
            }
        }
        Format::Number => fmt_number(value, 2),
    }
}

/// A score or points figure: at most two decimals.
pub fn fmt_score(score: Decimal) -> String {
    fmt_number(score, 2)
}

/// The word for a change shown in the workbook (升级 / 升級 / up …).
pub fn change_label(change: Change, lang: Lang) -> &'static str {
    let i = match change {
        Change::Up => 0,
        Change::Down => 1,
        Change::Same => 2,
        Change::New => 3,
        Change::Lost => 4,
    };
    phrases(lang).change[i]
}

/// Every reason of a customer as a sentence, in order.
pub fn reason_texts(reasons: &[Reason], rules: &Rules, lang: Lang) -> Vec<String> {
    reasons
        .iter()
        .map(|r| reason_text(r, rules, lang))
        .collect()
}

/// One reason as a sentence.
pub fn reason_text(reason: &Reason, rules: &Rules, lang: Lang) -> String {
    let p = phrases(lang);
    let tier = |i: usize| rules.tier_name(i);
    let score = |s: &Decimal| fmt_score(*s);
    match reason {
        Reason::Provisional { months, annualized } => provisional(*months, annualized, lang),
        Reason::Volume {
            metric,
            tier: t,
            rule,
        } => volume(metric, tier(*t), rule, lang),
        Reason::FactorsMissing { metrics } => {
            let names: Vec<String> = metrics.iter().map(|m| metric_name(m, lang)).collect();
            fill(p.factor_missing, &[("metrics", &names.join(p.enum_sep))])
        }
        Reason::ScoreDetail { score: s, parts } => score_detail(*s, parts, lang),
        Reason::CompositeMet {
            score: s,
            min,
            tier: t,
        } => fill(
            p.score_met,
            &[
                ("score", &score(s)),
                ("min", &score(min)),
                ("tier", tier(*t)),
            ],
        ),
        Reason::CompositeShort {
            score: s,
            min,
            tier: t,
        } => {
            let min = min.as_ref().map_or_else(|| "—".to_string(), score);
            fill(
                p.score_short,
                &[("score", &score(s)), ("min", &min), ("tier", tier(*t))],
            )
        }
        Reason::NoComposite => p.no_composite.to_string(),
        Reason::WorseOf {
            volume,
            composite,
            grade,
        } => fill(
            p.grade_worse,
            &[
                ("volume", tier(*volume)),
                ("composite", tier(*composite)),
                ("tier", tier(*grade)),
            ],
        ),
        Reason::Gate {
            metric,
            value,
            bound,
            cap,
        } => {
            let (template, limit) = match bound {
                Bound::Above(l) => (p.gate_above, l),
                Bound::Below(l) => (p.gate_below, l),
            };
            fill(
                template,
                &[
                    ("metric", &metric_name(metric, lang)),
                    ("value", &fmt_value(metric, *value, lang, true)),
                    ("limit", &fmt_value(metric, *limit, lang, false)),
                    ("tier", tier(*cap)),
                ],
            )
        }
        Reason::Credit {
            rating,
            score: s,
            parts,
            missing,
        } => credit(rating, *s, parts, missing, lang),
        Reason::OverCreditLimit { usage } => {
            fill(finance(lang).over_limit, &[("usage", &fmt_percent(*usage))])
        }
        Reason::PreviousUnknown { previous } => fill(p.previous_unknown, &[("previous", previous)]),
        Reason::Lost { previous } => fill(p.lost, &[("previous", previous)]),
    }
}

/// The credit rating with the points of each credit factor and the factors
/// the customer lacks.
fn credit(
    rating: &str,
    score: Decimal,
    parts: &[FactorScore],
    missing: &[MetricRef],
    lang: Lang,
) -> String {
    let (p, f) = (phrases(lang), finance(lang));
    let head = fill(
        p.credit,
        &[("rating", rating), ("score", &fmt_score(score))],
    );
    let mut items: Vec<String> = parts.iter().map(|x| score_part(x, lang)).collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|m| metric_name(m, lang)).collect();
        items.push(fill(
            f.credit_missing,
            &[("metrics", &names.join(p.enum_sep))],
        ));
    }
    fill(
        f.credit_parts,
        &[("credit", &head), ("parts", &items.join(p.list_sep))],
    )
}

/// One factor's points: `价格指数 1.020 → 80分`.
fn score_part(f: &FactorScore, lang: Lang) -> String {
    fill(
        phrases(lang).score_part,
        &[
            ("metric", &metric_name(&f.metric, lang)),
            ("value", &fmt_value(&f.metric, f.value, lang, true)),
            ("points", &fmt_score(f.points)),
        ],
    )
}

/// A new client's provisional grade.
fn provisional(months: i64, annualized: &Option<Annualized>, lang: Lang) -> String {
    let p = phrases(lang);
    let months = months.to_string();
    match annualized {
        Some(a) => fill(
            p.provisional_annualized,
            &[
                ("months", &months),
                (
                    "sales",
                    &fmt_value(&Metric::Sales.into(), a.sales, lang, true),
                ),
                (
                    "basis",
                    &fmt_value(&Metric::BasisSales.into(), a.basis, lang, true),
                ),
            ],
        ),
        None => fill(p.provisional, &[("months", &months)]),
    }
}

/// A step-1 sentence: the metric, its value, the share or minimum compared
/// and the tier.
fn volume(metric: &MetricRef, tier: &str, rule: &VolumeRule, lang: Lang) -> String {
    let p = phrases(lang);
    let name = metric_name(metric, lang);
    let limit = |min: &Decimal| fmt_value(metric, *min, lang, false);
    let (template, value, extra) = match rule {
        VolumeRule::Within { value, share } => {
            (p.volume_within, value, Some(("share", fmt_percent(*share))))
        }
        VolumeRule::Outside { value, share } => (
            p.volume_outside,
            value,
            Some(("share", fmt_percent(*share))),
        ),
        VolumeRule::NotPositive { value } => (p.volume_not_positive, value, None),
        VolumeRule::MinMet { value, min } => (p.volume_min_met, value, Some(("min", limit(min)))),
        VolumeRule::MinShort { value, min } => {
            (p.volume_min_short, value, Some(("min", limit(min))))
        }
        VolumeRule::Missing => {
            return fill(p.volume_missing, &[("metric", &name), ("tier", tier)]);
        }
    };
    let value = fmt_value(metric, *value, lang, true);
    let mut args = vec![
        ("metric", name.as_str()),
        ("value", value.as_str()),
        ("tier", tier),
    ];
    if let Some((key, text)) = &extra {
        args.push((key, text.as_str()));
    }
    fill(template, &args)
}

/// The composite score with the points of every factor.
fn score_detail(score: Decimal, parts: &[FactorScore], lang: Lang) -> String {
    let p = phrases(lang);
    let parts: Vec<String> = parts.iter().map(|f| score_part(f, lang)).collect();
    fill(
        p.score_detail,
        &[
            ("score", &fmt_score(score)),
            ("parts", &parts.join(p.list_sep)),
        ],
    )
}

/// A customer's distance to the next tier as one sentence (`距A级: 销售额还差
/// ¥200,000，且综合得分需达 75（现 56）`); `None` for the best tier.
pub fn next_tier_text(grade: &CustomerGrade, rules: &Rules, lang: Lang) -> Option<String> {
    grade
        .to_next_tier
        .as_ref()
        .map(|next| next_tier_sentence(next, rules, lang))
}

fn next_tier_sentence(next: &NextTier, rules: &Rules, lang: Lang) -> String {
    let p = phrases(lang);
    let tier = rules.tier_name(next.tier);
    let parts: Vec<String> = next
        .needs
        .iter()
        .map(|need| match need {
            Need::Volume { metric, gap } => fill(
                p.next_volume,
                &[
                    ("metric", &metric_name(metric, lang)),
                    ("amount", &fmt_value(metric, *gap, lang, true)),
                ],
            ),
            Need::NoVolumeCut => fill(p.next_volume_unset, &[("tier", tier)]),
            Need::Score { min, score } => fill(
                p.next_score,
                &[("min", &fmt_score(*min)), ("score", &fmt_score(*score))],
            ),
            Need::NoScoreMin => fill(p.next_score_unset, &[("tier", tier)]),
            Need::Gate {
                metric,
                bound,
                value,
            } => {
                let (template, limit) = match bound {
                    Bound::Above(l) => (p.next_gate_above, l),
                    Bound::Below(l) => (p.next_gate_below, l),
                };
                fill(
                    template,
                    &[
                        ("metric", &metric_name(metric, lang)),
                        ("limit", &fmt_value(metric, *limit, lang, true)),
                        ("value", &fmt_value(metric, *value, lang, true)),
                    ],
                )
            }
        })
        .collect();
    format!(
        "{}{}",
        fill(p.next_prefix, &[("tier", tier)]),
        parts.join(p.next_and)
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::grade::tests::{customer, d, population, previous};
    use crate::grade::{grade_all, CustomerGrade};

    fn graded(lang: Lang) -> (Vec<CustomerGrade>, Rules, Lang) {
        let rules = Rules::three_tier();
        (grade_all(&population(), &previous(), &rules), rules, lang)
    }

    fn texts(g: &CustomerGrade, rules: &Rules, lang: Lang) -> Vec<String> {
        reason_texts(&g.reasons, rules, lang)
    }

    #[test]
    fn spec_examples_of_step_5() {
        // Volume 6,200,000 first of 10,000,000 (A); composite 68 below A's 75;
        // overdue 120 days above the gate's 90.
        // x: price 1.00 → 80×30, collection 0.90 → 80×25, growth −0.20 → 20×20,
        //    overdue 15 → 80×25: (2400 + 2000 + 400 + 2000) / 100 = 68 → B.
        let rules = Rules::three_tier();
        let mut x = customer("x", "6200000");
        x.price_index = Some(d("1.00"));
        x.collection_rate = Some(d("0.90"));
        x.growth = Some(d("-0.20"));
        x.max_days_overdue = Some(15);
        let mut y = customer("y", "3800000");
        y.max_days_overdue = Some(120);
        let g = grade_all(&[x, y], &HashMap::new(), &rules);
        let x = texts(&g[0], &rules, Lang::ZhCn);
        assert_eq!(x[0], "销售额 ¥6,200,000 位于前70% → A");
        assert_eq!(x[2], "综合得分 68 < 75 → B");
        let y = texts(&g[1], &rules, Lang::ZhCn);
        assert!(
            y.contains(&"最长逾期 120 天 > 90 → 最高 B".to_string()),
            "{y:?}"
        );
    }

    #[test]
    fn credit_rating_gives_its_factors_and_flags_usage_over_the_limit() {
        // on_time 0.80 → 60 × 40, overdue 45 → 40 × 40, usage 1.25 → 0 × 20
        // (beyond every band): (2400 + 1600) / 100 = 40 → 差.
        let rules = Rules::three_tier();
        let mut x = customer("x", "100");
        x.on_time_ratio = Some(d("0.80"));
        x.max_days_overdue = Some(45);
        x.credit_usage = Some(d("1.25"));
        let g = grade_all(&[x], &HashMap::new(), &rules);
        let t = texts(&g[0], &rules, Lang::ZhCn);
        let n = t.len();
        assert_eq!(
            t[n - 2],
            "资信等级 差（得分 40）：按期付款率 80% → 60分，最长逾期 45 天 → 40分，信用额度使用率 125% → 0分"
        );
        assert_eq!(t[n - 1], "信用额度使用率 125% > 100%，超出信用额度");
        let en = texts(&g[0], &rules, Lang::En);
        assert_eq!(en[n - 1], "credit usage 125% > 100%: over the credit limit");
    }

    #[test]
    fn reasons_in_simplified_chinese() {
        let (g, rules, lang) = graded(Lang::ZhCn);
        assert_eq!(
            texts(&g[1], &rules, lang),
            vec![
                "销售额 ¥1,500,000 位于前70% → A",
                "综合得分 56：价格指数 1.000 → 80分，回款率 90% → 80分，增长率 5% → 60分，最长逾期 120 天 → 0分",
                "综合得分 56 < 75 → B",
                "取销量等级 A 与综合等级 B 中较低者 → B",
                "最长逾期 120 天 > 90 → 最高 B",
                "资信等级 差（得分 0）：最长逾期 120 天 → 0分，按期付款率、信用额度使用率 缺失，权重分配给其余资信指标",
            ]
        );
        assert_eq!(
            next_tier_text(&g[1], &rules, lang).as_deref(),
            Some("距A级: 综合得分需达 75（现 56），且最长逾期需不超过 90 天（现 120 天）")
        );
        assert_eq!(
            texts(&g[2], &rules, lang)[1],
            "价格指数 缺失，权重分配给其余指标"
        );
        assert_eq!(
            next_tier_text(&g[2], &rules, lang).as_deref(),
            Some("距A级: 销售额还差 ¥200,000")
        );
        assert_eq!(
            texts(&g[3], &rules, lang)[0],
            "销售额 ¥700,000 不在前90%内 → C"
        );
        assert_eq!(
            next_tier_text(&g[3], &rules, lang).as_deref(),
            Some("距B级: 销售额还差 ¥600,000，且综合得分需达 55（现 40）")
        );
        assert_eq!(
            texts(&g[4], &rules, lang)[1],
            "综合指标均缺失，不评综合等级"
        );
        assert_eq!(
            texts(&g[4], &rules, lang).last().map(String::as_str),
            Some("上年等级“X”不是本规则的等级，按新客户处理")
        );
        assert_eq!(texts(&g[5], &rules, lang)[0], "销售额 ¥0 不为正 → C");
        assert_eq!(
            texts(&g[5], &rules, lang).last().map(String::as_str),
            Some("评定期内无销售（上年 A）→ 流失")
        );
        assert_eq!(next_tier_text(&g[0], &rules, lang), None);
    }

    #[test]
    fn reasons_in_english_and_traditional_chinese() {
        let (g, rules, lang) = graded(Lang::En);
        let b = texts(&g[1], &rules, lang);
        assert_eq!(b[0], "sales ¥1,500,000 within the top 70% → A");
        assert_eq!(b[2], "composite 56 < 75 → B");
        assert_eq!(b[4], "max days overdue 120 > 90 → capped at B");
        assert_eq!(
            next_tier_text(&g[1], &rules, lang).as_deref(),
            Some("to A: composite 75 (now 56), and max days overdue at most 90 (now 120)")
        );
        assert_eq!(
            next_tier_text(&g[2], &rules, lang).as_deref(),
            Some("to A: ¥200,000 more sales")
        );
        assert_eq!(
            texts(&g[2], &rules, lang)[1],
            "price index missing, weight shared out among the other factors"
        );
        let lang = Lang::ZhTw;
        let b = texts(&g[1], &rules, lang);
        assert_eq!(b[0], "銷售額 ¥1,500,000 位於前70% → A");
        assert_eq!(b[4], "最長逾期 120 天 > 90 → 最高 B");
        assert_eq!(
            next_tier_text(&g[2], &rules, lang).as_deref(),
            Some("距A級: 銷售額還差 ¥200,000")
        );
    }

    #[test]
    fn provisional_and_threshold_sentences() {
        let mut rules = Rules::three_tier();
        let mut n = customer("n", "300000");
        n.provisional = true;
        n.months_active = Some(3);
        n.basis_sales = d("1200000");
        let g = grade_all(&[n], &HashMap::new(), &rules);
        assert_eq!(
            texts(&g[0], &rules, Lang::ZhCn)[0],
            "新客户，合作 3 个月，销售额按年化计算（¥300,000 → ¥1,200,000），暂定等级"
        );
        rules.volume.method = crate::rules::VolumeMethod::Threshold;
        rules.volume.share = None;
        rules.volume.min = Some(
            [
                ("A".to_string(), d("5000000")),
                ("B".to_string(), d("1000000")),
            ]
            .into(),
        );
        rules.composite = None;
        let g = grade_all(
            &[customer("x", "4880000"), customer("y", "500000")],
            &HashMap::new(),
            &rules,
        );
        assert_eq!(
            texts(&g[0], &rules, Lang::ZhCn)[0],
            "销售额 ¥4,880,000 ≥ ¥1,000,000 → B"
        );
        assert_eq!(
            next_tier_text(&g[0], &rules, Lang::ZhCn).as_deref(),
            Some("距A级: 销售额还差 ¥120,000")
        );
        assert_eq!(
            texts(&g[1], &rules, Lang::ZhCn)[0],
            "销售额 ¥500,000 < ¥1,000,000 → C"
        );
    }

    #[test]
    fn master_columns_by_their_header() {
        let rules = Rules::builtin("four-tier").expect("four-tier");
        let mut p = customer("p", "600");
        p.attrs.insert("员工人数".into(), d("350"));
        let g = grade_all(&[p, customer("q", "300")], &HashMap::new(), &rules);
        let p = texts(&g[0], &rules, Lang::ZhCn);
        assert!(p[2].contains("员工人数 350 → 80分"), "{p:?}");
        assert!(p[1].starts_with("价格指数、回款率、"), "{p:?}");
        assert_eq!(
            next_tier_text(&g[1], &rules, Lang::ZhCn).as_deref(),
            Some("距VIP级: 销售额还差 ¥300")
        );
    }

    #[test]
    fn values_in_natural_format() {
        let m = |m: Metric| MetricRef::from(m);
        assert_eq!(
            fmt_value(&m(Metric::Sales), d("6200000"), Lang::ZhCn, true),
            "¥6,200,000"
        );
        assert_eq!(
            fmt_value(&m(Metric::CollectionRate), d("0.955"), Lang::En, true),
            "95.5%"
        );
        assert_eq!(
            fmt_value(&m(Metric::PriceIndex), d("1"), Lang::En, true),
            "1.000"
        );
        assert_eq!(
            fmt_value(&m(Metric::PriceIndex), d("1.04567"), Lang::En, true),
            "1.046"
        );
        let days = m(Metric::MaxDaysOverdue);
        assert_eq!(fmt_value(&days, d("120"), Lang::ZhCn, true), "120 天");
        assert_eq!(fmt_value(&days, d("120"), Lang::En, true), "120");
        assert_eq!(fmt_value(&days, d("120"), Lang::ZhCn, false), "120");
        let headcount = MetricRef::Attr("员工人数".into());
        assert_eq!(fmt_value(&headcount, d("350"), Lang::ZhCn, true), "350");
        assert_eq!(metric_name(&headcount, Lang::En), "员工人数");
        assert_eq!(metric_name(&days, Lang::ZhTw), "最長逾期");
    }

    #[test]
    fn change_words() {
        assert_eq!(change_label(Change::Down, Lang::ZhTw), "降級");
        assert_eq!(change_label(Change::New, Lang::En), "new");
        assert_eq!(change_label(Change::Up, Lang::ZhCn), "升级");
    }
}
