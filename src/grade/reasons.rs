//! Every sentence the grader writes, in one table per language: metric
//! display names, how each metric's value is shown, and the sentence
//! templates of the reasons and of the distance to the next tier.
//!
//! Templates use `{name}` placeholders filled by [`fill`]. Tiers are shown by
//! their name (`A`, `核心`), never by their label.

use rust_decimal::Decimal;

use crate::labels::Lang;
use crate::text::{fmt_money, fmt_number, fmt_percent};

/// The sentence templates of one language.
#[derive(Debug)]
pub struct Phrases {
    /// cumulative_share, inside a tier: `{metric} {value} 位于前{share} → {tier}`.
    pub volume_within: &'static str,
    /// cumulative_share, beyond the last listed share.
    pub volume_outside: &'static str,
    /// cumulative_share, metric ≤ 0.
    pub volume_not_positive: &'static str,
    /// threshold, a min reached.
    pub volume_min_met: &'static str,
    /// threshold, below every min.
    pub volume_min_short: &'static str,
    /// The volume metric is missing for the customer.
    pub volume_missing: &'static str,
    pub provisional: &'static str,
    pub provisional_annualized: &'static str,
    /// `{metrics}` is a list joined with `enum_sep`.
    pub factor_missing: &'static str,
    pub score_detail: &'static str,
    pub score_part: &'static str,
    pub list_sep: &'static str,
    /// Between the names of a list of metrics (`价格指数、回款率`).
    pub enum_sep: &'static str,
    pub score_met: &'static str,
    pub score_short: &'static str,
    pub no_composite: &'static str,
    pub grade_worse: &'static str,
    pub gate_above: &'static str,
    pub gate_below: &'static str,
    pub credit: &'static str,
    pub no_credit: &'static str,
    pub previous_unknown: &'static str,
    pub lost: &'static str,
    pub next_prefix: &'static str,
    pub next_volume: &'static str,
    pub next_volume_unset: &'static str,
    pub next_score: &'static str,
    pub next_score_unset: &'static str,
    pub next_gate_above: &'static str,
    pub next_gate_below: &'static str,
    pub next_and: &'static str,
    /// Appended to a count of days (`120 天`); empty in English.
    pub day_unit: &'static str,
    /// Change labels: up, down, same, new, lost.
    pub change: [&'static str; 5],
}

pub const ZH_CN: Phrases = Phrases {
    volume_within: "{metric} {value} 位于前{share} → {tier}",
    volume_outside: "{metric} {value} 不在前{share}内 → {tier}",
    volume_not_positive: "{metric} {value} 不为正 → {tier}",
    volume_min_met: "{metric} {value} ≥ {min} → {tier}",
    volume_min_short: "{metric} {value} < {min} → {tier}",
    volume_missing: "{metric} 缺失 → {tier}",
    provisional: "新客户，合作 {months} 个月，暂定等级",
    provisional_annualized:
        "新客户，合作 {months} 个月，销售额按年化计算（{sales} → {basis}），暂定等级",
    factor_missing: "{metrics} 缺失，权重分配给其余指标",
    score_detail: "综合得分 {score}：{parts}",
    score_part: "{metric} {value} → {points}分",
    list_sep: "，",
    enum_sep: "、",
    score_met: "综合得分 {score} ≥ {min} → {tier}",
    score_short: "综合得分 {score} < {min} → {tier}",
    no_composite: "综合指标均缺失，不评综合等级",
    grade_worse: "取销量等级 {volume} 与综合等级 {composite} 中较低者 → {tier}",
    gate_above: "{metric} {value} > {limit} → 最高 {tier}",
    gate_below: "{metric} {value} < {limit} → 最高 {tier}",
    credit: "资信等级 {rating}（得分 {score}）",
    no_credit: "资信指标均缺失，不评资信等级",
    previous_unknown: "上年等级“{previous}”不是本规则的等级，按新客户处理",
    lost: "评定期内无销售（上年 {previous}）→ 流失",
    next_prefix: "距{tier}级: ",
    next_volume: "{metric}还差 {amount}",
    next_volume_unset: "{tier}级未设销量指标",
    next_score: "综合得分需达 {min}（现 {score}）",
    next_score_unset: "{tier}级未设综合得分",
    next_gate_above: "{metric}需不超过 {limit}（现 {value}）",
    next_gate_below: "{metric}需不低于 {limit}（现 {value}）",
    next_and: "，且",
    day_unit: " 天",
    change: ["升级", "降级", "持平", "新客户", "流失"],
};

pub const ZH_TW: Phrases = Phrases {
    volume_within: "{metric} {value} 位於前{share} → {tier}",
    volume_outside: "{metric} {value} 不在前{share}內 → {tier}",
    volume_not_positive: "{metric} {value} 不為正 → {tier}",
    volume_min_met: "{metric} {value} ≥ {min} → {tier}",
    volume_min_short: "{metric} {value} < {min} → {tier}",
    volume_missing: "{metric} 缺失 → {tier}",
    provisional: "新客戶，合作 {months} 個月，暫定等級",
    provisional_annualized:
        "新客戶，合作 {months} 個月，銷售額按年化計算（{sales} → {basis}），暫定等級",
    factor_missing: "{metrics} 缺失，權重分配給其餘指標",
    score_detail: "綜合得分 {score}：{parts}",
    score_part: "{metric} {value} → {points}分",
    list_sep: "，",
    enum_sep: "、",
    score_met: "綜合得分 {score} ≥ {min} → {tier}",
    score_short: "綜合得分 {score} < {min} → {tier}",
    no_composite: "綜合指標均缺失，不評綜合等級",
    grade_worse: "取銷量等級 {volume} 與綜合等級 {composite} 中較低者 → {tier}",
    gate_above: "{metric} {value} > {limit} → 最高 {tier}",
    gate_below: "{metric} {value} < {limit} → 最高 {tier}",
    credit: "資信等級 {rating}（得分 {score}）",
    no_credit: "資信指標均缺失，不評資信等級",
    previous_unknown: "上年等級「{previous}」不是本規則的等級，按新客戶處理",
    lost: "評定期內無銷售（上年 {previous}）→ 流失",
    next_prefix: "距{tier}級: ",
    next_volume: "{metric}還差 {amount}",
    next_volume_unset: "{tier}級未設銷量指標",
    next_score: "綜合得分需達 {min}（現 {score}）",
    next_score_unset: "{tier}級未設綜合得分",
    next_gate_above: "{metric}需不超過 {limit}（現 {value}）",
    next_gate_below: "{metric}需不低於 {limit}（現 {value}）",
    next_and: "，且",
    day_unit: " 天",
    change: ["升級", "降級", "持平", "新客戶", "流失"],
};

pub const EN: Phrases = Phrases {
    volume_within: "{metric} {value} within the top {share} → {tier}",
    volume_outside: "{metric} {value} outside the top {share} → {tier}",
    volume_not_positive: "{metric} {value} not positive → {tier}",
    volume_min_met: "{metric} {value} ≥ {min} → {tier}",
    volume_min_short: "{metric} {value} < {min} → {tier}",
    volume_missing: "{metric} missing → {tier}",
    provisional: "new client, {months} months of cooperation: provisional grade",
    provisional_annualized: "new client, {months} months of cooperation: sales annualised ({sales} → {basis}), provisional grade",
    factor_missing: "{metrics} missing, weight shared out among the other factors",
    score_detail: "composite {score}: {parts}",
    score_part: "{metric} {value} → {points}",
    list_sep: ", ",
    enum_sep: ", ",
    score_met: "composite {score} ≥ {min} → {tier}",
    score_short: "composite {score} < {min} → {tier}",
    no_composite: "no composite factor available: no composite tier",
    grade_worse: "the worse of volume tier {volume} and composite tier {composite} → {tier}",
    gate_above: "{metric} {value} > {limit} → capped at {tier}",
    gate_below: "{metric} {value} < {limit} → capped at {tier}",
    credit: "credit rating {rating} (score {score})",
    no_credit: "no credit factor available: no credit rating",
    previous_unknown: "previous grade \"{previous}\" is not a tier of these rules: treated as new",
    lost: "no sales in the window (previous {previous}) → lost",
    next_prefix: "to {tier}: ",
    next_volume: "{amount} more {metric}",
    next_volume_unset: "{tier} has no volume cut",
    next_score: "composite {min} (now {score})",
    next_score_unset: "{tier} has no composite minimum",
    next_gate_above: "{metric} at most {limit} (now {value})",
    next_gate_below: "{metric} at least {limit} (now {value})",
    next_and: ", and ",
    day_unit: "",
    change: ["up", "down", "same", "new", "lost"],
};

/// The phrase table of a language.
pub fn phrases(lang: Lang) -> &'static Phrases {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}

/// Metric display names: (metric, zh-CN, zh-TW, en).
pub const METRIC_LABELS: &[(&str, &str, &str, &str)] = &[
    ("sales", "销售额", "銷售額", "sales"),
    ("prior_sales", "上期销售额", "上期銷售額", "prior sales"),
    ("growth", "增长率", "增長率", "growth"),
    ("quantity", "销量", "銷量", "quantity"),
    ("orders", "订单数", "訂單數", "orders"),
    ("months_active", "合作月数", "合作月數", "months active"),
    ("basis_sales", "销售额", "銷售額", "sales"),
    ("price_index", "价格指数", "價格指數", "price index"),
    ("receipts", "回款额", "回款額", "receipts"),
    ("collection_rate", "回款率", "回款率", "collection rate"),
    ("outstanding", "应收余额", "應收餘額", "outstanding"),
    ("overdue", "逾期金额", "逾期金額", "overdue"),
    (
        "max_days_overdue",
        "最长逾期",
        "最長逾期",
        "max days overdue",
    ),
    ("on_time_ratio", "按期付款率", "按期付款率", "on-time ratio"),
    (
        "avg_days_to_pay",
        "平均回款天数",
        "平均回款天數",
        "avg days to pay",
    ),
    ("dso", "应收账款周转天数", "應收帳款周轉天數", "DSO"),
    (
        "credit_usage",
        "信用额度使用率",
        "信用額度使用率",
        "credit usage",
    ),
];

/// The display name of a metric (`attr:员工人数` → `员工人数`).
pub fn metric_name(metric: &str, lang: Lang) -> String {
    if let Some(attr) = metric.strip_prefix("attr:") {
        return attr.trim().to_string();
    }
    METRIC_LABELS
        .iter()
        .find(|(m, ..)| *m == metric)
        .map(|(_, cn, tw, en)| lang.pick(cn, tw, en).to_string())
        .unwrap_or_else(|| metric.to_string())
}

/// How a metric's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `¥6,200,000`
    Money,
    /// `95.5%`
    Percent,
    /// `1.050` (three decimals)
    Index,
    /// whole days, `120 天` / `120`
    Days,
    /// at most two decimals
    Number,
}

/// The display format of a metric.
pub fn metric_format(metric: &str) -> Format {
    match metric {
        "sales" | "prior_sales" | "basis_sales" | "receipts" | "outstanding" | "overdue" => {
            Format::Money
        }
        "growth" | "collection_rate" | "on_time_ratio" | "credit_usage" => Format::Percent,
        "price_index" => Format::Index,
        "max_days_overdue" | "avg_days_to_pay" | "dso" => Format::Days,
        _ => Format::Number,
    }
}

/// A metric value in its natural format; `unit` adds the day unit to days.
pub fn fmt_value(metric: &str, value: Decimal, lang: Lang, unit: bool) -> String {
    match metric_format(metric) {
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

/// Fills `{name}` placeholders of a template.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn every_metric_has_a_name_in_every_language() {
        for m in crate::model::metrics::METRIC_NAMES {
            assert!(METRIC_LABELS.iter().any(|(n, ..)| n == m), "{m}");
        }
        assert_eq!(metric_name("attr:员工人数", Lang::En), "员工人数");
        assert_eq!(metric_name("max_days_overdue", Lang::ZhTw), "最長逾期");
    }

    #[test]
    fn values_in_natural_format() {
        assert_eq!(
            fmt_value("sales", d("6200000"), Lang::ZhCn, true),
            "¥6,200,000"
        );
        assert_eq!(
            fmt_value("collection_rate", d("0.955"), Lang::En, true),
            "95.5%"
        );
        assert_eq!(fmt_value("price_index", d("1"), Lang::En, true), "1.000");
        assert_eq!(
            fmt_value("price_index", d("1.04567"), Lang::En, true),
            "1.046"
        );
        assert_eq!(
            fmt_value("max_days_overdue", d("120"), Lang::ZhCn, true),
            "120 天"
        );
        assert_eq!(
            fmt_value("max_days_overdue", d("120"), Lang::En, true),
            "120"
        );
        assert_eq!(
            fmt_value("max_days_overdue", d("120"), Lang::ZhCn, false),
            "120"
        );
        assert_eq!(
            fmt_value("attr:员工人数", d("350"), Lang::ZhCn, true),
            "350"
        );
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        let s = fill(
            ZH_CN.volume_within,
            &[
                ("metric", "销售额"),
                ("value", "¥6,200,000"),
                ("share", "70%"),
                ("tier", "A"),
            ],
        );
        assert_eq!(s, "销售额 ¥6,200,000 位于前70% → A");
    }
}
