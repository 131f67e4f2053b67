//! The texts of the Summary's charts (SPEC 7.2): the share of sales per
//! tier and the Pareto curve of the volume metric with the tier cuts.

use serde::Serialize;

use super::Lang;

/// Chart titles, axis titles and cut-line names of one language. Templates
/// take `{name}` placeholders (see [`super::fill`]).
#[derive(Debug, Serialize)]
pub struct Charts {
    /// The pie of each tier's share of sales.
    pub share_title: &'static str,
    /// The Pareto curve: `{metric}`, the volume metric's name.
    pub pareto_title: &'static str,
    /// Its x axis: the share of customers, best first.
    pub pareto_x: &'static str,
    /// Its y axis: `{metric}`.
    pub pareto_y: &'static str,
    /// A cumulative-share cut: `{tier}` (the tier it closes), `{share}`.
    pub cut_share: &'static str,
    /// A threshold cut: `{tier}`, `{min}` (the minimum, with its unit).
    pub cut_min: &'static str,
}

pub const ZH_CN: Charts = Charts {
    share_title: "各等级销售额占比",
    pareto_title: "客户{metric}累计占比（帕累托曲线）",
    pareto_x: "客户数累计占比（按{metric}从高到低）",
    pareto_y: "{metric}累计占比",
    cut_share: "{tier}级分界：累计 {share}",
    cut_min: "{tier}级门槛：{min}",
};

pub const ZH_TW: Charts = Charts {
    share_title: "各等級銷售額佔比",
    pareto_title: "客戶{metric}累計佔比（帕累托曲線）",
    pareto_x: "客戶數累計佔比（按{metric}從高到低）",
    pareto_y: "{metric}累計佔比",
    cut_share: "{tier}級分界：累計 {share}",
    cut_min: "{tier}級門檻：{min}",
};

pub const EN: Charts = Charts {
    share_title: "Share of sales per tier",
    pareto_title: "Cumulative share of {metric} (Pareto curve)",
    pareto_x: "Share of customers (by {metric}, highest first)",
    pareto_y: "Cumulative share of {metric}",
    cut_share: "{tier} cut: {share} cumulative",
    cut_min: "{tier} minimum: {min}",
};

/// The chart texts of a language.
pub fn charts(lang: Lang) -> &'static Charts {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}
