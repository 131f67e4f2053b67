//! The one style table of a workbook: its font, sizes, colours and borders,
//! and the cell formats of every role (title, heading, note, table header,
//! body and total cells by column kind, signature). Every format of a
//! workbook is derived here from [`base`], so the whole book is set in one
//! font (SPEC 7.2, issue 14 "Typography").
//!
//! The font is 等线 (DengXian), the body font of current Office in zh-CN,
//! which also holds Traditional characters and Latin letters. Where it is
//! not installed (LibreOffice on Linux or macOS), LibreOffice draws Latin
//! text in its default sans font and Chinese in the CJK font fontconfig
//! offers (Noto Sans CJK with `fonts-noto-cjk`); widths here leave room for
//! both (see [`super::xlsx`]).

use rust_xlsxwriter::{ChartFont, Color, Format, FormatAlign, FormatBorder, FormatPattern};

use crate::report::model::{ColKind, Column};

/// The workbook's font: Office's zh-CN body font.
pub const FONT: &str = "等线";
pub const FONT_SIZE: f64 = 11.0;
/// The font's character set: GB2312, so Office picks the Chinese face.
const CHARSET_GB2312: u8 = 134;
/// Font family: swiss (sans serif), the fallback class when the font is missing.
const FAMILY_SWISS: u8 = 2;
/// Pixels of the widest digit of [`FONT`] at 11 pt, Excel's column-width
/// unit; a column of default width is 72 px (8.38 characters).
pub const DIGIT_PX: f64 = 8.0;
pub const DEFAULT_COL_PX: u32 = 72;
/// Default row height of the book: 14.25 pt (19 px), Office's for [`FONT`].
pub const DEFAULT_ROW_PX: u32 = 19;

/// Heights in points: a one-line row of a table or a line of text.
pub const ROW_PT: f64 = 18.0;
/// The title row and a heading row.
pub const TITLE_PT: f64 = 28.0;
pub const HEADING_PT: f64 = 22.0;
/// A line of wrapped 11 pt text in [`FONT`] (a CJK font: its lines are as
/// tall for Latin text, 16 pt in LibreOffice's Noto Sans CJK), and the room
/// above and below the lines of a wrapped cell.
pub const LINE_PT: f64 = 16.0;
pub const CELL_PAD_PT: f64 = 4.0;
/// The signature row: room to sign above the line.
pub const SIGNATURE_PT: f64 = 30.0;

const BORDER_COLOR: u32 = 0x80_80_80;
const HEADER_FILL: u32 = 0xDD_EB_F7;
const EDIT_FILL: u32 = 0xFF_F2_CC;
const TITLE_COLOR: u32 = 0x001F_3864;
/// Cell fills of the tiers: best, second, third…; the floor tier is grey.
const TIER_FILLS: [u32; 8] = [
    0xC6_EF_CE, // green
    0xBD_D7_EE, // blue
    0xFF_EB_9C, // amber
    0xE4_DF_EC, // lavender
    0xF8_CB_AD, // peach
    0xDA_EE_F3, // aqua
    0xFC_E4_D6, // rose
    0xE2_EF_DA, // sage
];
const FLOOR_FILL: u32 = 0xD9_D9_D9;
/// The same tiers in charts: stronger tones of the cell fills.
const TIER_CHART: [u32; 8] = [
    0x3F_9C_5A, 0x4F_81_BD, 0xE0_A8_00, 0x80_64_A2, 0xE0_7B_39, 0x31_9D_B5, 0xC0_50_4D, 0x76_A0_4E,
];
const FLOOR_CHART: u32 = 0x9A_9A_9A;
/// Lines drawn over a chart (a second series, cut lines) and the heat map.
pub const INK: u32 = 0x001F_3864;
pub const CUT_LINE: u32 = 0xC0_50_4D;
pub const HEAT_LOW: u32 = 0xFF_FF_FF;
pub const HEAT_HIGH: u32 = 0x5B_9B_D5;

/// Money: yuan with thousands separators, negatives red.
pub const FMT_MONEY: &str = "¥#,##0.00;[Red]-¥#,##0.00";
/// Whole numbers with thousands separators.
pub const FMT_INTEGER: &str = "#,##0";
pub const FMT_PERCENT: &str = "0.0%";
pub const FMT_RATIO: &str = "0.000";
pub const FMT_SCORE: &str = "0.0";
pub const FMT_DATE: &str = "yyyy-mm-dd";
pub const FMT_INDEX: &str = "0";
/// `ColKind::Number` cells get the shortest of these that shows the value
/// (rounded to two decimals) exactly, so 12 shows `12` and 1.5 shows `1.5`
/// (a single `#,##0.##` would show `12.`).
pub const FMT_NUMBER: [&str; 3] = ["#,##0", "#,##0.0", "#,##0.00"];

/// Every format starts here: the book's font, vertically centred.
pub fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(FONT_SIZE)
        .set_font_charset(CHARSET_GB2312)
        .set_font_family(FAMILY_SWISS)
        .set_align(FormatAlign::VerticalCenter)
}

/// The chart text font: the book's font at `size` points.
pub fn chart_font(size: f64, bold: bool) -> ChartFont {
    let mut f = ChartFont::new();
    f.set_name(FONT)
        .set_character_set(CHARSET_GB2312)
        .set_pitch_family(34)
        .set_size(size)
        .set_color(Color::RGB(INK));
    if bold {
        f.set_bold();
    } else {
        // Without this Excel draws chart titles bold.
        f.unset_bold();
    }
    f
}

/// The formats of a book's fixed roles.
pub struct Styles {
    pub title: Format,
    pub heading: Format,
    /// A line of text merged across the table span, wrapped.
    pub note: Format,
    /// A table's header cells.
    pub header: Format,
    pub signature_label: Format,
    pub signature_line: Format,
}

impl Styles {
    pub fn new() -> Styles {
        Styles {
            title: base()
                .set_bold()
                .set_font_size(16)
                .set_font_color(Color::RGB(TITLE_COLOR))
                .set_align(FormatAlign::Center),
            heading: base()
                .set_bold()
                .set_font_size(12)
                .set_font_color(Color::RGB(TITLE_COLOR))
                .set_align(FormatAlign::Bottom),
            note: base().set_text_wrap().set_align(FormatAlign::Left),
            header: thin_box(base())
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_pattern(FormatPattern::Solid)
                .set_background_color(Color::RGB(HEADER_FILL)),
            signature_label: base()
                .set_bold()
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::Bottom),
            signature_line: base().set_border_bottom(FormatBorder::Thin),
        }
    }

    /// The signature labels as one line (a span too narrow for a line per label).
    pub fn signature_text(&self) -> Format {
        self.signature_label.clone().set_align(FormatAlign::Left)
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}

fn thin_box(f: Format) -> Format {
    f.set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(BORDER_COLOR))
}

fn fill(f: Format, rgb: u32) -> Format {
    f.set_pattern(FormatPattern::Solid)
        .set_background_color(Color::RGB(rgb))
}

/// The cell fill of tier `index` of `tiers` (best first).
pub fn tier_fill(index: usize, tiers: usize) -> u32 {
    if tiers >= 2 && index + 1 == tiers {
        FLOOR_FILL
    } else {
        TIER_FILLS[index % TIER_FILLS.len()]
    }
}

/// The chart colour of tier `index` of `tiers`.
pub fn tier_chart_color(index: usize, tiers: usize) -> u32 {
    if tiers >= 2 && index + 1 == tiers {
        FLOOR_CHART
    } else {
        TIER_CHART[index % TIER_CHART.len()]
    }
}

fn kind_format(kind: ColKind, wrap: bool) -> Format {
    let f = base();
    match kind {
        ColKind::Text | ColKind::LongText => {
            let f = f.set_align(FormatAlign::Left);
            if wrap {
                f.set_text_wrap()
            } else {
                f
            }
        }
        ColKind::Money => f.set_num_format(FMT_MONEY),
        ColKind::Number => f.set_num_format(FMT_NUMBER[2]),
        ColKind::Integer => f.set_num_format(FMT_INTEGER),
        ColKind::Percent => f.set_num_format(FMT_PERCENT),
        ColKind::Ratio => f.set_num_format(FMT_RATIO),
        ColKind::Score => f.set_num_format(FMT_SCORE),
        ColKind::Date => f.set_num_format(FMT_DATE).set_align(FormatAlign::Center),
        ColKind::Grade => f.set_bold().set_align(FormatAlign::Center),
        ColKind::Index => f.set_num_format(FMT_INDEX).set_align(FormatAlign::Center),
    }
}

/// Formats of one table column: body cell, total cell.
pub struct ColFormats {
    pub body: CellFormats,
    pub total: CellFormats,
}

/// The formats a cell of one column and role takes, by its value: built
/// once per table rather than per cell.
pub struct CellFormats {
    pub plain: Format,
    /// `ColKind::Number` values by the decimals they show.
    pub numbers: [Format; 3],
    pub date: Format,
    /// Grade cells filled with their tier's colour (empty: not coloured).
    pub tiers: Vec<Format>,
}

impl CellFormats {
    fn new(plain: Format, tiers: Option<&[String]>) -> Self {
        let tiers = tiers.map_or_else(Vec::new, |names| {
            (0..names.len())
                .map(|i| fill(plain.clone(), tier_fill(i, names.len())))
                .collect()
        });
        CellFormats {
            numbers: FMT_NUMBER.map(|n| plain.clone().set_num_format(n)),
            date: plain.clone().set_num_format(FMT_DATE),
            tiers,
            plain,
        }
    }
}

/// What a column's formats depend on besides the book's tiers: its kind,
/// whether it is editable, whether its text wraps.
pub type FormatsKey = (ColKind, bool, bool);

/// The key of `col`'s formats; `wrap` when its text wraps.
pub fn formats_key(col: &Column, wrap: bool) -> FormatsKey {
    (col.kind, col.editable.is_some(), wrap)
}

/// Column formats built once per [`FormatsKey`] and shared by every table of
/// a sheet (a statements sheet has three tables per customer).
pub struct FormatCache<'t> {
    tiers: &'t [String],
    built: std::collections::HashMap<FormatsKey, std::rc::Rc<ColFormats>>,
}

impl<'t> FormatCache<'t> {
    pub fn new(tiers: &'t [String]) -> Self {
        FormatCache {
            tiers,
            built: std::collections::HashMap::new(),
        }
    }

    /// The formats of `col`; `wrap` when its text wraps.
    pub fn get(&mut self, col: &Column, wrap: bool) -> std::rc::Rc<ColFormats> {
        let tiers = self.tiers;
        let key = formats_key(col, wrap);
        self.built
            .entry(key)
            .or_insert_with(|| std::rc::Rc::new(col_formats(col, wrap, tiers)))
            .clone()
    }
}

/// The formats of a table column of `col`'s kind; `wrap` when its text wraps.
pub fn col_formats(col: &Column, wrap: bool, tiers: &[String]) -> ColFormats {
    let base = thin_box(kind_format(col.kind, wrap));
    let body = match &col.editable {
        Some(_) => fill(base.clone(), EDIT_FILL).set_unlocked(),
        None => base.clone(),
    };
    let total = base
        .set_bold()
        .set_border_top(FormatBorder::Double)
        .set_border_top_color(Color::Black);
    // Grade cells are coloured by tier, except where they are to be edited.
    let colour = (col.kind == ColKind::Grade && col.editable.is_none()).then_some(tiers);
    ColFormats {
        body: CellFormats::new(body, colour),
        total: CellFormats::new(total, None),
    }
}
