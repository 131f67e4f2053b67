//! The review-meeting cycle (SPEC 2, 7.2, 7.4, 9): handouts per region,
//! proposals written into them as a person's edit (read with calamine,
//! written again with rust_xlsxwriter), merge, the meeting's decisions,
//! finalize, and next year's evaluation with the final list as `--previous`.
//! Expected grades come from a threshold rule worked out here by hand.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use crate::util::C::{self, D, N, S, T};
use crate::util::{find_row, read_book, sheet, sheet_xml, text, write_xlsx, Workdir};

/// A threshold rule: sales ≥ 100,000 → A, ≥ 30,000 → B, else C.
pub const RULES: &str = r#"
name = "测试三级"
[tiers]
order = ["A", "B", "C"]
labels = { A = "A类客户", B = "B类客户", C = "C类客户" }
[volume]
metric = "sales"
method = "threshold"
min = { A = 100000, B = 30000 }
"#;

/// The tier of a year's sales under [`RULES`], by hand.
fn tier(sales: i64) -> &'static str {
    match sales {
        s if s >= 100_000 => "A",
        s if s >= 30_000 => "B",
        _ => "C",
    }
}

/// (ID, name, region, sales rep, 2024 sales, 2025 sales).
type Cust = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
);

const CUSTOMERS: [Cust; 12] = [
    ("K01", "甲公司", "华东", "张三", 150_000, 160_000),
    ("K02", "乙公司", "华东", "张三", 80_000, 120_000),
    ("K03", "丙公司", "华东", "李四", 20_000, 50_000),
    ("K04", "丁公司", "华南", "王五", 120_000, 25_000),
    ("K05", "戊公司", "华南", "王五", 40_000, 40_000),
    ("K06", "己公司", "华南", "赵六", 10_000, 0),
    ("K07", "庚公司", "华北", "孙七", 60_000, 90_000),
    ("K08", "辛公司", "华北", "孙七", 35_000, 10_000),
    ("K09", "壬公司", "", "周八", 5_000, 200_000),
    ("K10", "癸公司", "华东", "张三", 0, 70_000),
    ("00123", "零头公司", "华南", "王五", 31_000, 31_000),
    (
        "110101199001011234",
        "长号公司",
        "华北",
        "孙七",
        5_000,
        6_000,
    ),
];

/// The ledger of both years: each year's sales in four orders (Mar, Jun,
/// Sep, Dec), the last order taking the remainder.
fn write_ledger(path: &Path) {
    let header = ["日期", "客户编码", "客户名称", "区域", "业务员", "金额"];
    let mut rows: Vec<Vec<C>> = vec![header.iter().map(|h| S(h)).collect()];
    for (id, name, region, rep, y1, y2) in CUSTOMERS {
        for (year, total) in [(2024u16, y1), (2025u16, y2)] {
            if total == 0 {
                continue;
            }
            let quarter = total / 4;
            for (k, month) in [3u8, 6, 9, 12].into_iter().enumerate() {
                let amount = if k == 3 { total - 3 * quarter } else { quarter };
                rows.push(vec![
                    D(year, month, 15),
                    S(id),
                    S(name),
                    if region.is_empty() { C::E } else { S(region) },
                    S(rep),
                    N(amount as f64),
                ]);
            }
        }
    }
    write_xlsx(path, &[("销售台账", rows)]);
}

/// A work folder with the ledger and the rules.
fn setup() -> Workdir {
    let w = Workdir::new();
    write_ledger(&w.join("ledger.xlsx"));
    std::fs::write(w.join("rules.toml"), RULES).expect("rules");
    w
}

/// Year 1: the evaluation as of 2024-12-31 and one handout per region.
fn year_one(w: &Workdir) {
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--rules",
        "rules.toml",
        "--as-of",
        "2024-12-31",
        "--out",
        "e1.xlsx",
        "--split-by",
        "region",
        "--out-dir",
        "handouts",
        "--quiet",
    ]);
}

// ---------------------------------------------------------------------------
// A person's edit: the workbook read with calamine and written again with
// rust_xlsxwriter (no dropdowns, no protection, formats lost), cells changed
// by `edit(sheet name, rows)`.

type Grid = Vec<Vec<Data>>;

/// Every sheet of a workbook as full grids from A1, with its visibility.
fn read_grids(path: &Path) -> Vec<(String, Grid, bool)> {
    let mut wb = open_workbook_auto(path).expect("open");
    let meta = wb.sheets_metadata().to_vec();
    meta.into_iter()
        .map(|m| {
            let range = wb.worksheet_range(&m.name).expect("sheet");
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut grid: Grid = vec![Vec::new(); r0 as usize];
            for row in range.rows() {
                let mut cells = vec![Data::Empty; c0 as usize];
                cells.extend(row.iter().cloned());
                grid.push(cells);
            }
            let hidden = m.visible != calamine::SheetVisible::Visible;
            (m.name, grid, hidden)
        })
        .collect()
}

fn write_grids(path: &Path, sheets: &[(String, Grid, bool)]) {
    write_grids_with(path, sheets, &|_, _| {});
}

/// A text `=FORMULA|cached` is written as that formula with its saved value.
fn formula(s: &str) -> Option<rust_xlsxwriter::Formula> {
    let (f, cached) = s.strip_prefix('=')?.split_once('|')?;
    Some(rust_xlsxwriter::Formula::new(format!("={f}")).set_result(cached))
}

/// [`write_grids`], then `tweak(sheet name, worksheet)` (hide rows, filters).
fn write_grids_with(
    path: &Path,
    sheets: &[(String, Grid, bool)],
    tweak: &dyn Fn(&str, &mut rust_xlsxwriter::Worksheet),
) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, grid, hidden) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in grid.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::String(s) if formula(s).is_some() => ws
                        .write_formula(r, c, formula(s).expect("formula"))
                        .map(|_| ()),
                    Data::String(s) => ws.write_string(r, c, s).map(|_| ()),
                    Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()),
                    Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                    Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    Data::DateTime(d) => ws
                        .write_number_with_format(r, c, d.as_f64(), &date)
                        .map(|_| ()),
                    _ => Ok(()),
                }
                .expect("write");
            }
        }
        if *hidden {
            ws.set_hidden(true);
        }
        tweak(name, ws);
    }
    wb.save(path).expect("save");
}

/// Rewrites `from` into `to` as a person's edit.
fn person_edits(from: &Path, to: &Path, edit: impl Fn(&str, &mut Grid)) {
    let mut sheets = read_grids(from);
    for (name, grid, _) in &mut sheets {
        edit(name, grid);
    }
    write_grids(to, &sheets);
}

/// The header row of the Evaluation table and the column of `header`.
fn col(grid: &Grid, header: &str) -> (usize, usize) {
    let r = find_row(grid, "建议等级").expect("evaluation header");
    let c = grid[r]
        .iter()
        .position(|d| text(d) == header)
        .unwrap_or_else(|| panic!("no column {header}"));
    (r, c)
}

/// The row of customer `id` in an Evaluation grid.
fn row_of(grid: &Grid, id: &str) -> usize {
    let (h, c) = col(grid, "客户编码");
    (h + 1..grid.len())
        .find(|&r| grid[r].get(c).map(text).as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no row for {id}"))
}

/// Sets `header` of customer `id` to `value` in an Evaluation grid.
fn set(grid: &mut Grid, id: &str, header: &str, value: &str) {
    let (_, c) = col(grid, header);
    let r = row_of(grid, id);
    if grid[r].len() <= c {
        grid[r].resize(c + 1, Data::Empty);
    }
    grid[r][c] = Data::String(value.to_string());
}

/// The Evaluation sheet's cell `header` of customer `id` in a workbook.
fn cell(book: &[(String, Grid)], id: &str, header: &str) -> String {
    let grid = sheet(book, "评定表").to_vec();
    let (_, c) = col(&grid, header);
    text(&grid[row_of(&grid, id)][c])
}

/// The Data Issues rows of kind 冲突: (file, row, message, cells).
fn conflicts(book: &[(String, Grid)]) -> Vec<(String, String, String, String)> {
    sheet(book, "数据问题")
        .iter()
        .filter(|r| r.first().map(text).as_deref() == Some("冲突"))
        .map(|r| (text(&r[1]), text(&r[3]), text(&r[5]), text(&r[6])))
        .collect()
}

// ---------------------------------------------------------------------------

#[test]
fn the_whole_meeting_cycle_over_two_years() {
    let w = setup();
    year_one(&w);
    // One handout per region, unassigned last; together every customer once.
    let mut files = std::fs::read_dir(w.join("handouts"))
        .expect("handouts")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect::<Vec<_>>();
    files.sort();
    assert_eq!(
        files,
        vec![
            "评定表-华东.xlsx",
            "评定表-华北.xlsx",
            "评定表-华南.xlsx",
            "评定表-未分配.xlsx"
        ]
    );
    let mut seen: Vec<String> = Vec::new();
    for f in &files {
        let book = read_book(&w.join("handouts").join(f));
        let grid = sheet(&book, "评定表");
        let (h, c) = col(&grid.to_vec(), "客户编码");
        seen.extend(
            grid[h + 1..]
                .iter()
                .map(|r| text(&r[c]))
                .filter(|s| !s.is_empty()),
        );
        let region = f.trim_start_matches("评定表-").trim_end_matches(".xlsx");
        assert!(
            text(&grid[0][0]).contains(region),
            "{f}: title names the group"
        );
    }
    seen.sort();
    let mut all: Vec<String> = CUSTOMERS.iter().map(|c| c.0.to_string()).collect();
    all.retain(|id| *id != "K10"); // no sale before 2025: not yet a customer
    all.sort();
    assert_eq!(seen, all, "every customer in exactly one handout");

    // IDs are text: leading zeros and 18 digits survive.
    let e1 = read_book(&w.join("e1.xlsx"));
    assert_eq!(cell(&e1, "00123", "客户编码"), "00123");
    assert_eq!(cell(&e1, "110101199001011234", "评定等级"), "C");

    // Region chiefs write proposals (labels, full width, spaces, case).
    let h = w.join("handouts");
    person_edits(
        &h.join("评定表-华东.xlsx"),
        &w.join("east.xlsx"),
        |name, g| {
            if name == "评定表" {
                set(g, "K02", "建议等级", "A类客户");
                set(g, "K03", "建议等级", "Ｂ");
                set(g, "K03", "备注", "客户扩产");
            }
        },
    );
    person_edits(
        &h.join("评定表-华南.xlsx"),
        &w.join("south.xlsx"),
        |name, g| {
            if name == "评定表" {
                set(g, "K04", "建议等级", "A级");
                set(g, "K05", "建议等级", " a ");
            }
        },
    );
    w.ok(&[
        "merge",
        "e1.xlsx",
        "east.xlsx",
        "south.xlsx",
        "--out",
        "m1.xlsx",
        "--quiet",
    ]);
    let m1 = read_book(&w.join("m1.xlsx"));
    for (id, want) in [
        ("K02", "A"),
        ("K03", "B"),
        ("K04", "A"),
        ("K05", "A"),
        ("K01", ""),
    ] {
        assert_eq!(cell(&m1, id, "建议等级"), want, "{id}");
    }
    assert_eq!(cell(&m1, "K03", "备注"), "客户扩产");
    assert!(conflicts(&m1).is_empty(), "{:?}", conflicts(&m1));
    // Rebuilt: dropdowns and protection are back although the handouts lost them.
    let xml = sheet_xml(&w.join("m1.xlsx"), 1);
    assert!(xml.contains("<dataValidation"), "dropdowns");
    assert!(xml.contains("<sheetProtection"), "protection");

    // The meeting decides.
    person_edits(&w.join("m1.xlsx"), &w.join("decided.xlsx"), |name, g| {
        if name == "评定表" {
            set(g, "K05", "会议决定", "B");
            set(g, "K05", "备注", "价格偏低");
            // A formula counts by its saved value.
            set(g, "K08", "会议决定", "=LOWER(\"C\")|c");
            set(g, "K09", "会议决定", "B类客户");
            set(g, "K09", "备注", "新大客户");
        }
    });
    w.ok(&[
        "finalize",
        "decided.xlsx",
        "--out",
        "final1.xlsx",
        "--quiet",
    ]);
    let f1 = read_book(&w.join("final1.xlsx"));
    let list = sheet(&f1, "最终等级");
    let h = find_row(list, "最终等级").expect("final list header");
    let head: Vec<String> = list[h].iter().map(text).collect();
    let at = |name: &str| head.iter().position(|x| x == name).expect(name);
    let finals: BTreeMap<String, (String, String, String)> = list[h + 1..]
        .iter()
        .filter(|r| !text(&r[at("客户编码")]).is_empty())
        .map(|r| {
            (
                text(&r[at("客户编码")]),
                (
                    text(&r[at("最终等级")]),
                    text(&r[at("来源")]),
                    text(&r[at("评定等级")]),
                ),
            )
        })
        .collect();
    // Final = decision, else proposal, else computed (2024 sales by hand).
    let expect_final: BTreeMap<&str, (&str, &str)> = [
        ("K01", ("A", "计算结果")),
        ("K02", ("A", "建议等级")),
        ("K03", ("B", "建议等级")),
        ("K04", ("A", "建议等级")),
        ("K05", ("B", "会议决定")),
        ("K06", ("C", "计算结果")),
        ("K07", ("B", "计算结果")),
        ("K08", ("C", "会议决定")),
        ("K09", ("B", "会议决定")),
        ("00123", ("B", "计算结果")),
        ("110101199001011234", ("C", "计算结果")),
    ]
    .into_iter()
    .collect();
    assert_eq!(finals.len(), expect_final.len());
    for (id, (grade, source)) in &expect_final {
        let got = &finals[*id];
        assert_eq!((got.0.as_str(), got.1.as_str()), (*grade, *source), "{id}");
        let y1 = CUSTOMERS.iter().find(|c| c.0 == *id).expect("customer").4;
        assert_eq!(got.2, tier(y1), "{id}: computed");
    }
    // The change log: final ≠ computed; K08 changed without a remark.
    let log = sheet(&f1, "变更记录");
    let flagged: Vec<String> = log
        .iter()
        .filter(|r| r.iter().any(|c| text(c) == "未说明理由"))
        .map(|r| text(&r[1]))
        .collect();
    assert_eq!(flagged, vec!["K08"]);
    for id in ["K02", "K03", "K08", "K09"] {
        assert!(
            log.iter().any(|r| text(&r[1]) == id),
            "{id} in the change log"
        );
    }
    assert!(
        !log.iter().any(|r| text(&r[1]) == "K05"),
        "K05's final is its computed grade"
    );
    // Counts per final tier: A 3, B 5, C 3.
    let counts = sheet(&f1, "各等级客户数");
    for (t, n) in [("A", 3.0), ("B", 5.0), ("C", 3.0)] {
        let r = counts.iter().find(|r| text(&r[0]) == t).expect("tier row");
        assert_eq!(r[2], Data::Float(n), "{t}");
    }

    // Year 2 with the final list as the previous grades.
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--rules",
        "rules.toml",
        "--as-of",
        "2025-12-31",
        "--previous",
        "final1.xlsx",
        "--out",
        "e2.xlsx",
        "--json",
        "e2.json",
        "--quiet",
    ]);
    let j = w.json("e2.json");
    let mut matrix: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (id, _, _, _, _, y2) in CUSTOMERS {
        let previous = expect_final.get(id).map(|(g, _)| g.to_string());
        let lost = y2 == 0;
        let current = tier(y2).to_string();
        let change = match (&previous, lost) {
            (Some(_), true) => "lost",
            (None, _) => "new",
            (Some(p), false) if current < *p => "up",
            (Some(p), false) if current > *p => "down",
            _ => "same",
        };
        let c = crate::util::customer(&j, id);
        assert_eq!(c["change"], change, "{id}");
        assert_eq!(c["previous_grade"].as_str(), previous.as_deref(), "{id}");
        let column = if lost { "失".to_string() } else { current };
        *matrix
            .entry((previous.unwrap_or_else(|| "无上期等级".into()), column))
            .or_default() += 1;
    }
    assert_eq!(crate::util::customer(&j, "K06")["change"], "lost");
    // The migration matrix on the Summary, against the counts worked out above.
    let e2 = read_book(&w.join("e2.xlsx"));
    let summary = sheet(&e2, "汇总");
    let h = find_row(summary, "上期 \\ 本期").expect("migration");
    let cols: Vec<String> = summary[h].iter().map(text).collect();
    for r in &summary[h + 1..h + 5] {
        let previous = text(&r[0]);
        for (c, name) in cols.iter().enumerate().skip(1) {
            let key = (
                previous.clone(),
                if name == "流失" {
                    "失".into()
                } else {
                    name.clone()
                },
            );
            if name == "合计" || name.is_empty() {
                continue;
            }
            let want = matrix.get(&key).copied().unwrap_or(0);
            assert_eq!(r[c], Data::Float(want as f64), "{previous} → {name}");
        }
    }
}

/// Proposals of the 华东 handout as a person's edit.
fn east_with(w: &Workdir, out: &str, edits: &[(&str, &str, &str)]) {
    let edits: Vec<(String, String, String)> = edits
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    person_edits(
        &w.join("handouts/评定表-华东.xlsx"),
        &w.join(out),
        |name, g| {
            if name == "评定表" {
                for (id, h, v) in &edits {
                    set(g, id, h, v);
                }
            }
        },
    );
}

#[test]
fn an_invalid_decision_stops_finalize_naming_every_row() {
    let w = setup();
    year_one(&w);
    person_edits(&w.join("e1.xlsx"), &w.join("bad.xlsx"), |name, g| {
        if name == "评定表" {
            set(g, "K01", "会议决定", "D");
            set(g, "K04", "会议决定", "好");
            set(g, "K07", "建议等级", "A+");
            set(g, "K08", "会议决定", "B");
        }
    });
    let grid = sheet(&read_book(&w.join("bad.xlsx")), "评定表").to_vec();
    let err = w.fails(&["finalize", "bad.xlsx", "--out", "final.xlsx"]);
    for id in ["K01", "K04", "K07"] {
        let row = row_of(&grid, id) + 1;
        assert!(
            err.contains(&format!("row {row}, customer {id}")),
            "{id} row {row}: {err}"
        );
    }
    assert!(
        err.contains("\"D\"") && err.contains("\"好\"") && err.contains("\"A+\""),
        "{err}"
    );
    assert!(
        !err.contains("K08"),
        "a valid decision is not listed: {err}"
    );
    assert!(!w.join("final.xlsx").exists(), "nothing written");
    // The same in a handout stops merge.
    east_with(&w, "east.xlsx", &[("K02", "建议等级", "甲")]);
    let err = w.fails(&["merge", "e1.xlsx", "east.xlsx", "--out", "m.xlsx"]);
    assert!(
        err.contains("customer K02") && err.contains("\"甲\""),
        "{err}"
    );
    assert!(!w.join("m.xlsx").exists());
    // A handout or a workbook tierbook did not write cannot be finalized.
    let err = w.fails(&["finalize", "handouts/评定表-华东.xlsx", "--out", "f.xlsx"]);
    assert!(err.contains("is a handout"), "{err}");
    let err = w.fails(&["finalize", "ledger.xlsx", "--out", "f.xlsx"]);
    assert!(err.contains("not an evaluation workbook"), "{err}");
}

#[test]
fn conflicting_proposals_are_listed_and_not_carried() {
    let w = setup();
    year_one(&w);
    // Two copies of one handout, filled in by two people.
    east_with(
        &w,
        "east1.xlsx",
        &[("K02", "建议等级", "A"), ("K03", "建议等级", "B")],
    );
    east_with(
        &w,
        "east2.xlsx",
        &[("K02", "建议等级", "C"), ("K03", "建议等级", "B")],
    );
    w.ok(&[
        "merge",
        "e1.xlsx",
        "east1.xlsx",
        "east2.xlsx",
        "--out",
        "m.xlsx",
        "--quiet",
    ]);
    let m = read_book(&w.join("m.xlsx"));
    assert_eq!(
        cell(&m, "K02", "建议等级"),
        "",
        "differing proposals are not carried"
    );
    assert_eq!(cell(&m, "K03", "建议等级"), "B", "agreeing proposals are");
    let c = conflicts(&m);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(
        c[0].2.contains("east1.xlsx 建议 A") && c[0].2.contains("east2.xlsx 建议 C"),
        "{c:?}"
    );
    assert!(c[0].3.contains("K02"), "{c:?}");
}

#[test]
fn a_duplicated_row_a_deleted_row_and_a_foreign_row_are_conflicts() {
    let w = setup();
    year_one(&w);
    person_edits(
        &w.join("handouts/评定表-华东.xlsx"),
        &w.join("east.xlsx"),
        |name, g| {
            if name != "评定表" {
                return;
            }
            set(g, "K02", "建议等级", "A");
            let k02 = row_of(g, "K02");
            let mut copy = g[k02].clone();
            let (_, p) = col(g, "建议等级");
            copy[p] = Data::String("C".into());
            g.push(copy);
            // K03's row deleted; a row of a customer the evaluation does not have.
            let k03 = row_of(g, "K03");
            let mut foreign = g[k03].clone();
            let (_, id) = col(g, "客户编码");
            foreign[id] = Data::String("K99".into());
            g[k03] = foreign;
        },
    );
    w.ok(&[
        "merge",
        "e1.xlsx",
        "east.xlsx",
        "--out",
        "m.xlsx",
        "--quiet",
    ]);
    let m = read_book(&w.join("m.xlsx"));
    assert_eq!(cell(&m, "K02", "建议等级"), "", "two rows that disagree");
    let c = conflicts(&m);
    let has = |id: &str, words: &str| c.iter().any(|x| x.3.contains(id) && x.2.contains(words));
    assert!(has("K02", "多行"), "{c:?}");
    assert!(has("K03", "不在本表"), "{c:?}");
    assert!(has("K99", "评定表中没有该客户"), "{c:?}");
    assert!(c.iter().all(|x| x.0 == "east.xlsx"), "{c:?}");
}

#[test]
fn a_handout_sorted_in_reverse_filtered_with_rows_hidden_and_its_sheet_renamed_reads_by_key() {
    let w = setup();
    year_one(&w);
    let mut sheets = read_grids(&w.join("handouts/评定表-华东.xlsx"));
    let mut k02 = 0;
    for (name, grid, _) in &mut sheets {
        if name == "评定表" {
            set(grid, "K02", "建议等级", "A");
            let (h, _) = col(grid, "客户编码");
            grid[h + 1..].reverse();
            k02 = row_of(grid, "K02") as u32;
            *name = "我的评定".into();
        }
    }
    // K02's row hidden, a filter over the table.
    write_grids_with(&w.join("east.xlsx"), &sheets, &|name, ws| {
        if name == "我的评定" {
            ws.set_row_hidden(k02).expect("hide");
            ws.autofilter(3, 0, 20, 5).expect("filter");
        }
    });
    let out = w.run(&[
        "merge",
        "e1.xlsx",
        "east.xlsx",
        "--out",
        "m.xlsx",
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = read_book(&w.join("m.xlsx"));
    assert_eq!(cell(&m, "K02", "建议等级"), "A");
    assert_eq!(cell(&m, "K01", "建议等级"), "");
    assert_eq!(cell(&m, "K03", "建议等级"), "");
    assert!(conflicts(&m).is_empty(), "{:?}", conflicts(&m));
}

#[test]
fn a_copied_evaluation_sheet_is_two_candidates() {
    let w = setup();
    year_one(&w);
    let mut sheets = read_grids(&w.join("e1.xlsx"));
    let copy = sheets
        .iter()
        .find(|s| s.0 == "评定表")
        .cloned()
        .expect("sheet");
    sheets.insert(2, ("评定表 (2)".into(), copy.1, false));
    write_grids(&w.join("two.xlsx"), &sheets);
    let err = w.fails(&["finalize", "two.xlsx", "--out", "f.xlsx"]);
    assert!(
        err.contains("\"评定表\"") && err.contains("\"评定表 (2)\""),
        "{err}"
    );
    assert!(!w.join("f.xlsx").exists());
}

#[test]
fn an_edited_computed_cell_is_tampering_and_the_merge_shows_the_computed_value() {
    let w = setup();
    year_one(&w);
    person_edits(
        &w.join("handouts/评定表-华东.xlsx"),
        &w.join("east.xlsx"),
        |name, g| {
            if name == "评定表" {
                let (_, c) = col(g, "销售额");
                let r = row_of(g, "K03");
                g[r][c] = Data::Float(99_999.0);
                set(g, "K03", "建议等级", "B");
            }
        },
    );
    let row = row_of(
        &sheet(&read_book(&w.join("east.xlsx")), "评定表").to_vec(),
        "K03",
    ) + 1;
    w.ok(&[
        "merge",
        "e1.xlsx",
        "east.xlsx",
        "--out",
        "m.xlsx",
        "--quiet",
    ]);
    let m = read_book(&w.join("m.xlsx"));
    let c = conflicts(&m);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(
        (c[0].0.as_str(), c[0].1.clone()),
        ("east.xlsx", row.to_string())
    );
    assert!(
        c[0].2.contains("计算列被修改") && c[0].3.contains("K03"),
        "{c:?}"
    );
    assert_eq!(cell(&m, "K03", "销售额"), "20000", "the computed figure");
    assert_eq!(
        cell(&m, "K03", "建议等级"),
        "B",
        "the proposal is still carried"
    );
}

#[test]
fn a_handout_from_another_as_of_is_not_carried() {
    let w = setup();
    year_one(&w);
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--rules",
        "rules.toml",
        "--as-of",
        "2024-11-30",
        "--out",
        "nov.xlsx",
        "--split-by",
        "region",
        "--out-dir",
        "nov",
        "--quiet",
    ]);
    person_edits(
        &w.join("nov/评定表-华东.xlsx"),
        &w.join("east.xlsx"),
        |name, g| {
            if name == "评定表" {
                set(g, "K02", "建议等级", "A");
            }
        },
    );
    w.ok(&[
        "merge",
        "e1.xlsx",
        "east.xlsx",
        "--out",
        "m.xlsx",
        "--quiet",
    ]);
    let m = read_book(&w.join("m.xlsx"));
    assert_eq!(cell(&m, "K02", "建议等级"), "");
    let c = conflicts(&m);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(
        c[0].2.contains("2024-11-30") && c[0].2.contains("2024-12-31"),
        "{c:?}"
    );
}

#[test]
fn a_handout_saved_by_libreoffice_reads_as_one_saved_by_excel() {
    if std::process::Command::new("libreoffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("libreoffice is not installed: round trip not tested");
        return;
    }
    let w = setup();
    year_one(&w);
    east_with(
        &w,
        "east.xlsx",
        &[("K02", "建议等级", "A"), ("K03", "备注", "多行\n备注")],
    );
    let lo = w.join("lo");
    let status = std::process::Command::new("libreoffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            w.path().display()
        ))
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&lo)
        .arg(w.join("east.xlsx"))
        .arg(w.join("e1.xlsx"))
        .output()
        .expect("libreoffice");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    w.ok(&[
        "merge",
        "lo/e1.xlsx",
        "lo/east.xlsx",
        "--out",
        "m.xlsx",
        "--quiet",
    ]);
    let m = read_book(&w.join("m.xlsx"));
    assert!(conflicts(&m).is_empty(), "{:?}", conflicts(&m));
    assert_eq!(cell(&m, "K02", "建议等级"), "A");
    assert_eq!(cell(&m, "K03", "备注"), "多行\n备注");
    w.ok(&["finalize", "lo/e1.xlsx", "--out", "f.xlsx", "--quiet"]);
}

#[test]
fn handouts_of_unsafe_group_names_get_safe_distinct_files() {
    let w = Workdir::new();
    let header = ["日期", "客户编码", "客户名称", "业务员", "金额"];
    let mut rows: Vec<Vec<C>> = vec![header.iter().map(|h| S(h)).collect()];
    for (i, rep) in ["张/三", "张:三", "王五. ", "", "*?"].iter().enumerate() {
        rows.push(vec![
            D(2025, 3, 1),
            T(format!("K{i}")),
            T(format!("客户{i}")),
            T(rep.to_string()),
            N(1000.0 * (i + 1) as f64),
        ]);
    }
    write_xlsx(&w.join("l.xlsx"), &[("s", rows)]);
    w.ok(&[
        "evaluate",
        "l.xlsx",
        "--split-by",
        "sales_rep",
        "--out-dir",
        "h",
        "--quiet",
    ]);
    let mut files: Vec<String> = std::fs::read_dir(w.join("h"))
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            "评定表-__.xlsx",
            "评定表-张_三 (2).xlsx",
            "评定表-张_三.xlsx",
            "评定表-未分配.xlsx",
            "评定表-王五.xlsx"
        ]
    );
    assert!(
        !w.join("评定表.xlsx").exists(),
        "no whole book without --out"
    );
}
