//! The sentences of the grading reasons and of the distance to the next
//! tier, in one table per language, and the display names of the metrics.
//!
//! Templates use `{name}` placeholders filled by [`super::fill`]; the grader's
//! structured reasons are turned into these sentences by
//! [`crate::report::reasons`]. Tiers are shown by their name (`A`, `核心`),
//! never by their label.

use super::Lang;
use crate::model::metrics::Metric;

/// The sentence templates of one language.
#[derive(Debug, serde::Serialize)]
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

/// The display name of a built-in metric.
pub fn metric_label(metric: Metric, lang: Lang) -> &'static str {
    let (zh_cn, zh_tw, en) = match metric {
        Metric::Sales => ("销售额", "銷售額", "sales"),
        Metric::PriorSales => ("上期销售额", "上期銷售額", "prior sales"),
        Metric::Growth => ("增长率", "增長率", "growth"),
        Metric::Quantity => ("销量", "銷量", "quantity"),
        Metric::Orders => ("订单数", "訂單數", "orders"),
        Metric::MonthsActive => ("合作月数", "合作月數", "months active"),
        Metric::BasisSales => ("销售额", "銷售額", "sales"),
        Metric::PriceIndex => ("价格指数", "價格指數", "price index"),
        Metric::Receipts => ("回款额", "回款額", "receipts"),
        Metric::CollectionRate => ("回款率", "回款率", "collection rate"),
        Metric::Outstanding => ("应收余额", "應收餘額", "outstanding"),
        Metric::Overdue => ("逾期金额", "逾期金額", "overdue"),
        Metric::MaxDaysOverdue => ("最长逾期", "最長逾期", "max days overdue"),
        Metric::OnTimeRatio => ("按期付款率", "按期付款率", "on-time ratio"),
        Metric::AvgDaysToPay => ("平均回款天数", "平均回款天數", "avg days to pay"),
        Metric::Dso => ("应收账款周转天数", "應收帳款周轉天數", "DSO"),
        Metric::CreditUsage => ("信用额度使用率", "信用額度使用率", "credit usage"),
    };
    lang.pick(zh_cn, zh_tw, en)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::fill;

    #[test]
    fn metric_names_per_language() {
        assert_eq!(metric_label(Metric::MaxDaysOverdue, Lang::ZhTw), "最長逾期");
        assert_eq!(metric_label(Metric::BasisSales, Lang::ZhCn), "销售额");
        assert_eq!(metric_label(Metric::Dso, Lang::En), "DSO");
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
