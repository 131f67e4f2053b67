//! A report chart ([`crate::report::model::Chart`]) as an Excel chart over
//! cells already written: columns with lines on a second axis, a pie of
//! shares, or a curve through (x, y) points with straight cut lines across
//! it. Points whose categories are tier names take their tier's colour, so
//! a tier looks the same in every chart and in the Grade cells.

use rust_xlsxwriter::{
    Chart as XlsxChart, ChartAxis, ChartDataLabel, ChartDataLabelPosition, ChartFormat,
    ChartLegendPosition, ChartLine, ChartLineDashType, ChartPoint, ChartSolidFill, ChartType,
    Color,
};

use super::style::{chart_font, tier_chart_color, CUT_LINE, INK};
use crate::report::model::{ChartKind, ColKind};

/// Cells of one column: sheet, column, first and last row (0-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Cells {
    pub sheet: String,
    pub col: u16,
    pub first: u32,
    pub last: u32,
}

impl Cells {
    fn range(&self) -> (&str, u32, u16, u32, u16) {
        (&self.sheet, self.first, self.col, self.last, self.col)
    }
}

/// One series: its name (the column header) and values.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Cells,
    pub kind: ColKind,
}

/// Everything a chart is drawn from.
#[derive(Debug, Clone)]
pub struct ChartInput<'a> {
    pub title: &'a str,
    pub kind: ChartKind,
    /// Category names, or the x values of a curve, with their header.
    pub categories: Series,
    pub series: Vec<Series>,
    /// Per category: the tier it names, for its colour.
    pub tier_of: Vec<Option<usize>>,
    pub tiers: usize,
    /// Straight lines: name, two x values, two y values.
    pub lines: Vec<(String, Cells, Cells)>,
}

/// Axis labels for values of this kind.
fn axis_format(kind: ColKind) -> &'static str {
    match kind {
        ColKind::Money => "¥#,##0",
        ColKind::Percent => "0%",
        ColKind::Ratio | ColKind::Score => "0.0",
        _ => "#,##0",
    }
}

/// A series name as a literal text, never read as a cell reference.
fn literal(name: &str) -> String {
    name.trim_start_matches('=').replace('!', "！")
}

fn solid(rgb: u32) -> ChartFormat {
    let mut f = ChartFormat::new();
    f.set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(rgb)));
    f
}

fn line(rgb: u32, width: f64, dash: Option<ChartLineDashType>) -> ChartFormat {
    let mut l = ChartLine::new();
    l.set_color(Color::RGB(rgb)).set_width(width);
    if let Some(d) = dash {
        l.set_dash_type(d);
    }
    let mut f = ChartFormat::new();
    f.set_line(&l);
    f
}

/// Points coloured by the tier their category names (none when no category does).
fn tier_points(input: &ChartInput) -> Vec<ChartPoint> {
    if input.tier_of.iter().all(Option::is_none) {
        return Vec::new();
    }
    input
        .tier_of
        .iter()
        .map(|t| match t {
            Some(i) => ChartPoint::new().set_format(&mut solid(tier_chart_color(*i, input.tiers))),
            None => ChartPoint::new(),
        })
        .collect()
}

/// The chart of `input`, `width` × `height` pixels; `None` without series.
pub fn build(input: &ChartInput, width: u32, height: u32) -> Option<XlsxChart> {
    let first = input.series.first()?;
    let mut chart = match input.kind {
        ChartKind::ColumnLine => columns(input, first),
        ChartKind::Pie => pie(input, first),
        ChartKind::Curve => curve(input, first),
    };
    let title = literal(input.title);
    if !title.is_empty() {
        chart
            .title()
            .set_name(&title)
            .set_font(&chart_font(12.0, true));
    }
    chart
        .legend()
        .set_position(ChartLegendPosition::Bottom)
        .set_font(&chart_font(9.0, false));
    chart.set_width(width).set_height(height);
    Some(chart)
}

/// Columns for the first series (coloured per tier), lines on a second axis
/// for the rest.
fn columns(input: &ChartInput, first: &Series) -> XlsxChart {
    let cats = input.categories.values.range();
    let mut chart = XlsxChart::new(ChartType::Column);
    let mut label = ChartDataLabel::new();
    label
        .show_value()
        .set_position(ChartDataLabelPosition::OutsideEnd)
        .set_font(&chart_font(9.0, false));
    let points = tier_points(input);
    let s = chart
        .add_series()
        .set_name(&literal(&first.name))
        .set_categories(cats)
        .set_values(first.values.range())
        .set_data_label(&label)
        .set_gap(80);
    if !points.is_empty() {
        s.set_points(&points);
    }
    chart
        .y_axis()
        .set_min(0)
        .set_num_format(axis_format(first.kind))
        .set_font(&chart_font(9.0, false));
    chart.x_axis().set_font(&chart_font(10.0, false));
    let rest = &input.series[1..];
    if !rest.is_empty() {
        let mut lines = XlsxChart::new(ChartType::Line);
        for s in rest {
            lines
                .add_series()
                .set_name(&literal(&s.name))
                .set_categories(cats)
                .set_values(s.values.range())
                .set_format(&mut line(INK, 2.0, None))
                .set_secondary_axis(true);
        }
        chart.combine(&lines);
        chart
            .y2_axis()
            .set_min(0)
            .set_num_format(axis_format(rest[0].kind))
            .set_font(&chart_font(9.0, false));
    }
    chart
}

/// A pie of the first series, each slice in its tier's colour, its
/// category and share written on it.
fn pie(input: &ChartInput, first: &Series) -> XlsxChart {
    let mut chart = XlsxChart::new(ChartType::Pie);
    let mut label = ChartDataLabel::new();
    label
        .show_category_name()
        .show_percentage()
        .set_num_format("0.0%")
        .set_position(ChartDataLabelPosition::BestFit)
        .set_font(&chart_font(9.0, false));
    let points = tier_points(input);
    let s = chart
        .add_series()
        .set_name(&literal(&first.name))
        .set_categories(input.categories.values.range())
        .set_values(first.values.range())
        .set_data_label(&label);
    if !points.is_empty() {
        s.set_points(&points);
    }
    chart
}

/// An axis of shares from 0 to 100 %, titled.
fn share_axis(axis: &mut ChartAxis, title: &str) {
    axis.set_min(0)
        .set_max(1)
        .set_major_unit(0.2)
        .set_num_format("0%")
        .set_name(&literal(title))
        .set_name_font(&chart_font(9.0, false))
        .set_font(&chart_font(9.0, false));
}

/// A curve through (x, y), both axes 0–100 %, with dashed cut lines.
fn curve(input: &ChartInput, first: &Series) -> XlsxChart {
    let mut chart = XlsxChart::new(ChartType::ScatterStraight);
    chart
        .add_series()
        .set_name(&literal(&first.name))
        .set_categories(input.categories.values.range())
        .set_values(first.values.range())
        .set_format(&mut line(INK, 2.25, None));
    for (name, xs, ys) in &input.lines {
        chart
            .add_series()
            .set_name(&literal(name))
            .set_categories(xs.range())
            .set_values(ys.range())
            .set_format(&mut line(CUT_LINE, 1.25, Some(ChartLineDashType::Dash)));
    }
    share_axis(chart.x_axis(), &input.categories.name);
    share_axis(chart.y_axis(), &first.name);
    chart
}
