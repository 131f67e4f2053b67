//! `--lang`: sheet names, the Evaluation header row and its editable columns
//! in zh-CN (default), zh-TW and en (SPEC 2, 7.2); zh-TW runs written in
//! Traditional characters; `check` and the `evaluate` summary in the language.

use crate::fixture;
use crate::util::C::{self, FNoValue, D, E, F, N, S};
use crate::util::{find_row, read_book, rewrite_xlsx, sheet_xml, text, write_xlsx, Workdir};
use tierbook::labels::Lang;

struct Expect {
    lang: Option<&'static str>,
    sheets: [&'static str; 6],
    /// The first header of the Evaluation table, used to find its row.
    first: &'static str,
    /// Headers that must be on that row, in this order.
    headers: &'static [&'static str],
    /// The three editable columns, last on the row.
    editable: [&'static str; 3],
    /// The Data Issues label of a rejected row.
    rejected: &'static str,
}

const CASES: [Expect; 3] = [
    Expect {
        lang: None,
        sheets: [
            "汇总",
            "评定表",
            "A类客户",
            "特殊政策",
            "新客户",
            "数据问题",
        ],
        first: "序号",
        headers: &[
            "客户编码",
            "客户名称",
            "区域",
            "业务员",
            "首次合作日期",
            "销售额",
        ],
        editable: ["建议等级", "会议决定", "备注"],
        rejected: "拒收",
    },
    Expect {
        lang: Some("zh-TW"),
        sheets: ["彙總", "評定表", "", "特殊政策", "新客戶", "資料問題"],
        first: "序號",
        headers: &["客戶編碼", "客戶名稱", "銷售額"],
        editable: ["建議等級", "會議決定", "備註"],
        rejected: "拒收",
    },
    Expect {
        lang: Some("en"),
        sheets: [
            "Summary",
            "Evaluation",
            "Top Tier",
            "Special Policy",
            "New Clients",
            "Data Issues",
        ],
        first: "No.",
        headers: &["Customer ID", "Customer name", "Sales"],
        editable: ["Proposed grade", "Meeting decision", "Remarks"],
        rejected: "rejected",
    },
];

#[test]
fn sheet_names_and_headers_follow_the_language() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    // A master with one special-policy customer, so that every sheet is there.
    write_xlsx(
        &w.join("master.xlsx"),
        &[(
            "客户档案",
            vec![
                vec![S("客户编码"), S("客户名称"), S("特殊政策")],
                vec![S("K001"), S("甲公司"), S("月结90天")],
                vec![S("K002"), S("乙公司")],
            ],
        )],
    );
    for (n, case) in CASES.iter().enumerate() {
        let out = format!("e{n}.xlsx");
        let mut args = vec![
            "evaluate",
            "ledger.xlsx",
            "--customers",
            "master.xlsx",
            "--out",
            &out,
            "--quiet",
        ];
        if let Some(l) = case.lang {
            args.extend(["--lang", l]);
        }
        w.ok(&args);
        let book = read_book(&w.join(&out));
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        let lang = case.lang.unwrap_or("zh-CN");
        assert_eq!(names.len(), 7, "{lang}: {names:?}");
        assert_eq!(names[6], "tierbook_rules", "{lang}");
        for (i, want) in case.sheets.iter().enumerate() {
            if !want.is_empty() {
                assert_eq!(names.get(i), Some(want), "{lang}: {names:?}");
            }
        }
        let rows = &book[1].1;
        let h = find_row(rows, case.first)
            .unwrap_or_else(|| panic!("{lang}: no header row with {}", case.first));
        let header: Vec<String> = rows[h].iter().map(text).collect();
        let header: Vec<&str> = header
            .iter()
            .map(String::as_str)
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(header[0], case.first, "{lang}");
        let mut at = 0;
        for want in case.headers {
            let pos = header
                .iter()
                .position(|h| h == want)
                .unwrap_or_else(|| panic!("{lang}: no header {want} in {header:?}"));
            assert!(pos > at, "{lang}: {want} out of order in {header:?}");
            at = pos;
        }
        assert_eq!(
            &header[header.len() - 3..],
            &case.editable[..],
            "{lang}: editable columns last"
        );
        // One row per customer below the header.
        let data = rows[h + 1..]
            .iter()
            .filter(|r| {
                r.first()
                    .map(text)
                    .is_some_and(|t| t.parse::<u32>().is_ok())
            })
            .count();
        assert_eq!(data, fixture::EXPECTED.len(), "{lang}");
        // Data Issues: the kind label of the four rejected rows.
        let issues = &book[5].1;
        let rejected = issues
            .iter()
            .filter(|r| r.first().map(text).as_deref() == Some(case.rejected))
            .count();
        assert_eq!(rejected, 4, "{lang}");
        // Editable columns: the sheet is protected and has tier dropdowns.
        let xml = sheet_xml(&w.join(&out), 1);
        assert!(xml.contains("<sheetProtection"), "{lang}: not protected");
        assert!(
            xml.matches("<dataValidation ").count() >= 2,
            "{lang}: no dropdowns"
        );
    }
}

// ---------------------------------------------------------------------------
// zh-TW in Traditional characters

/// Simplified → Traditional pairs, written by hand, for every character of
/// the zh-CN label tables whose Traditional form differs (the grading
/// sentences included). A few of these (于 余 后 占 划 据 里) are rare Traditional
/// characters too, but not in these words, so zh-TW text must not use them.
const SIMPLIFIED_TO_TRADITIONAL: &str =
    "与與 业業 个個 临臨 为為 于於 产產 价價 会會 内內 写寫 冲衝 决決 \
    划劃 则則 别別 务務 动動 区區 单單 占佔 参參 发發 变變 号號 后後 \
    员員 备備 复複 头頭 审審 对對 并並 应應 开開 归歸 总總 户戶 据據 \
    数數 无無 时時 显顯 暂暫 条條 标標 档檔 汇彙 没沒 现現 码碼 确確 \
    称稱 类類 级級 细細 结結 综綜 编編 见見 规規 计計 订訂 议議 设設 \
    访訪 评評 识識 该該 误誤 说說 请請 读讀 账賬 质質 输輸 边邊 过過 \
    销銷 错錯 长長 问問 间間 页頁 项項 顺順 题題 额額 余餘 处處 权權 \
    给給 资資 转轉 较較 达達 还還 图圖 点點 须須 组組 舍捨 \
    删刪 将將 当當 录錄 态態 来來 状狀 终終 览覽 记記 调調 进進 采採 预預 龄齡 \
    选選 择擇 检檢 载載 机機 传傳 语語 这這 里裡 调調 连連 经經 运運 网網 \
    进進 筛篩 击擊 终終 带帶 启啟 \
    线線 门門 槛檻 从從 \
    导導 属屬 录錄 统統 记記 这這 连連 隐隱 \
    传傳 减減 异異 来來 盖蓋 笔筆 签簽 红紅 认認 货貨 预預 龄齡 办辦";

/// Characters of the zh-CN label tables written the same in both scripts.
/// 准 台 周 注 只 制 stand for other characters in some Traditional words
/// (標準, 週, 備註) but are standard Traditional characters themselves
/// (批准, 台賬, 周轉, 注意).
const BOTH_SCRIPTS: &str = "一上不且中享他件但作依保信值入全公共其准分列到制前加化原及取受另只可台\
    右各合同名否告和售回在型域填增多天失始字存完定客容少工左已年序度建式得成或截打批找拒拜持指按控\
    提支收政效文新方日明是晚最月有服期未本果某查核格案次款止正殊比法注流清特率生用由界的目相示空突\
    符第等策缺置致行表警距跳近逾量金需面首付位低使升周均差平理算者超配重降高簿宏逗句小千隔三精元大整部至之\
    下以供修出即底改更概源被跟醒除\
    先再下地言把拖移除每都四心普通留改所限秒能接它停址了以含必跟看排端 \
    累帕托曲 \
    了些例像如尾常引性所末束段母每照留而能藏被跨零\
    以份出初匹如往待意摘末此票章要退遇司人";

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ffff}')
}

/// The (Simplified, Traditional) pairs of [`SIMPLIFIED_TO_TRADITIONAL`].
fn pairs() -> Vec<(char, char)> {
    SIMPLIFIED_TO_TRADITIONAL
        .split_whitespace()
        .map(|p| {
            let mut cs = p.chars();
            match (cs.next(), cs.next(), cs.next()) {
                (Some(s), Some(t), None) => (s, t),
                _ => panic!("not a pair: {p}"),
            }
        })
        .collect()
}

fn is_simplified_only(c: char) -> bool {
    pairs().iter().any(|(s, _)| *s == c)
}

/// The Simplified-only characters of `text`.
fn simplified_in(text: &str) -> Vec<char> {
    text.chars().filter(|&c| is_simplified_only(c)).collect()
}

/// The CJK characters of `text` that neither list knows.
fn unclassified_in(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| is_cjk(c))
        .filter(|&c| !BOTH_SCRIPTS.contains(c) && !is_simplified_only(c))
        .collect()
}

#[test]
fn every_character_of_the_zh_cn_labels_is_classified() {
    // A new zh-CN label with a new character must be added to one list.
    for text in tierbook::labels::all_texts(Lang::ZhCn) {
        let unknown = unclassified_in(&text);
        assert!(
            unknown.is_empty(),
            "{unknown:?} in {text:?}: add to SIMPLIFIED_TO_TRADITIONAL or BOTH_SCRIPTS"
        );
    }
    for (s, t) in pairs() {
        assert_ne!(s, t);
        assert!(!BOTH_SCRIPTS.contains(s), "{s} in both lists");
        assert!(!is_simplified_only(t), "{t} is itself Simplified");
    }
    // The detector finds what the zh-TW Data Issues sheet once showed.
    assert_eq!(simplified_in("金額无法识别"), vec!['无', '识', '别']);
    assert_eq!(simplified_in("日月顺序不明确"), vec!['顺', '确']);
}

#[test]
fn zh_tw_label_tables_have_no_simplified_only_character() {
    for text in tierbook::labels::all_texts(Lang::ZhTw) {
        let bad = simplified_in(&text);
        assert!(bad.is_empty(), "{bad:?} in {text:?}");
    }
}

/// What a run read from its input files, to be left out of its texts.
#[derive(Default)]
struct FromInputs {
    /// Names of the input sheets.
    sheets: Vec<String>,
    /// Tier names and labels (from the rules) and previous grades as read.
    tiers: Vec<String>,
    /// The rules' name.
    rules: String,
    /// Cells of the input files quoted by issue messages: every issue's raw
    /// cells, customer IDs and names as shown and as read.
    values: Vec<String>,
}

/// Collapses runs of white space, as names are normalised when read.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` without any of `parts` (longest first), white space squeezed.
fn without(text: &str, parts: &[&[String]]) -> String {
    let mut all: Vec<String> = parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|p| squeeze(p))
        .filter(|p| p.chars().any(is_cjk))
        .collect();
    all.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    all.dedup();
    let mut out = squeeze(text);
    for p in &all {
        out = out.replace(p.as_str(), " ");
    }
    out
}

impl FromInputs {
    /// From the JSON of the run and the customer-name cells of its ledgers.
    fn of(json: &serde_json::Value, names: Vec<String>) -> FromInputs {
        let strs = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        };
        let each = |list: &str, key: &str| -> Vec<String> {
            json[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x[key].as_str().map(str::to_string))
                .collect()
        };
        let mut f = FromInputs {
            rules: json["rules"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            ..FromInputs::default()
        };
        for input in json["inputs"].as_array().into_iter().flatten() {
            for s in input["sheets"].as_array().into_iter().flatten() {
                f.sheets.extend(s["sheet"].as_str().map(str::to_string));
            }
        }
        f.sheets.extend(each("issues", "sheet"));
        f.tiers.extend(each("tiers", "tier"));
        f.tiers.extend(each("tiers", "label"));
        f.tiers.extend(each("customers", "previous_grade"));
        // Credit ratings are named by the rules too (优 良 中 差).
        f.tiers.extend(each("customers", "credit_rating"));
        f.values.extend(each("customers", "name"));
        f.values.extend(each("customers", "id"));
        for i in json["issues"].as_array().into_iter().flatten() {
            f.values.extend(strs(&i["cells"]));
        }
        f.values.extend(names);
        f
    }
}

/// How a column of a workbook table is checked, by its header.
enum Part {
    /// Every cell comes from the inputs.
    Skip,
    /// The label text left after removing these input values.
    Without(Vec<String>),
}

/// Every user-facing text of a run's workbook, JSON messages and stderr,
/// with what came from the inputs left out: (where, text).
fn run_texts(
    lang: Lang,
    book: &[(String, Vec<Vec<calamine::Data>>)],
    json: &serde_json::Value,
    stderr: &str,
    from: &FromInputs,
) -> Vec<(String, String)> {
    let t = tierbook::report::labels::texts(lang);
    let headers = column_headers(t);
    let mut out = Vec::new();
    for (name, rows) in book {
        if name == "tierbook_rules" {
            // The rules file itself, hidden.
            continue;
        }
        if !from.tiers.contains(name) {
            out.push((format!("sheet name {name}"), name.clone()));
        }
        let mut columns: Option<Vec<Part>> = None;
        for (r, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row.iter().map(text).collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                columns = None;
                continue;
            }
            let at = |c: usize| format!("{name}!R{}C{}", r + 1, c + 1);
            if cells.iter().filter(|c| headers.contains(c)).count() >= 2 {
                // The header row of a table: its columns say what is input.
                columns = Some(cells.iter().map(|h| column_part(t, h, from)).collect());
                for (c, cell) in cells.iter().enumerate() {
                    out.push((at(c), without(cell, &[&from.tiers])));
                }
                continue;
            }
            let Some(parts) = &columns else {
                // Titles, headings, notes: the rules' name and tier labels.
                for (c, cell) in cells.iter().enumerate() {
                    let rules = [from.rules.clone()];
                    out.push((at(c), without(cell, &[&rules, &from.tiers])));
                }
                continue;
            };
            for (c, cell) in cells.iter().enumerate() {
                match parts.get(c) {
                    Some(Part::Skip) => {}
                    Some(Part::Without(v)) => out.push((at(c), without(cell, &[v]))),
                    None => out.push((at(c), cell.clone())),
                }
            }
        }
    }
    for (n, i) in json["issues"].as_array().into_iter().flatten().enumerate() {
        let m = i["message"].as_str().unwrap_or_default();
        out.push((
            format!("issue {n}"),
            without(m, &[&from.values, &from.sheets]),
        ));
    }
    for line in stderr.lines() {
        out.push(("stderr".into(), without(line, &[&from.tiers])));
    }
    out
}

/// The column headers of a language's workbook tables.
fn column_headers(t: &tierbook::report::labels::Texts) -> Vec<String> {
    let v = serde_json::to_value(t).expect("texts as JSON");
    v.as_object()
        .expect("texts are an object")
        .iter()
        .filter(|(k, _)| k.starts_with("h_"))
        .filter_map(|(_, v)| v.as_str().map(str::to_string))
        .collect()
}

/// What the cells under header `h` hold.
fn column_part(t: &tierbook::report::labels::Texts, h: &str, from: &FromInputs) -> Part {
    let skip = [
        t.h_file, t.h_id, t.h_name, t.h_region, t.h_rep, t.h_policy, t.h_column, t.h_cells,
        t.h_label,
    ];
    let tiers = [
        t.h_tier,
        t.h_grade,
        t.h_volume_tier,
        t.h_composite_tier,
        t.h_previous,
        t.h_proposed,
        t.h_decision,
        t.h_provisional_grade,
        t.h_reasons,
        t.h_to_next,
    ];
    // The credit rating and its reasons name the rules' ratings (优 良 中 差).
    let rated = [Lang::ZhCn, Lang::ZhTw, Lang::En]
        .map(tierbook::labels::finance::finance)
        .iter()
        .any(|f| h == f.h_credit_rating || h == f.h_credit_reasons);
    if skip.contains(&h) {
        Part::Skip
    } else if rated {
        Part::Without(from.tiers.clone())
    } else if h == t.h_sheet {
        Part::Without(from.sheets.clone())
    } else if tiers.contains(&h) {
        Part::Without(from.tiers.clone())
    } else if h == t.h_message {
        Part::Without(from.values.clone())
    } else {
        Part::Without(Vec::new())
    }
}

/// The customer IDs and names as read from the input files of a run (the
/// messages quote them before any normalisation).
fn input_names(w: &Workdir, json: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for input in json["inputs"].as_array().into_iter().flatten() {
        let Some(file) = input["file"].as_str() else {
            continue;
        };
        let book = read_book(&w.join(file));
        for s in input["sheets"].as_array().into_iter().flatten() {
            let Some((_, rows)) = book.iter().find(|(n, _)| s["sheet"] == n.as_str()) else {
                continue;
            };
            for key in ["customer_id", "customer_name"] {
                let Some(h) = s["columns"][key].as_str() else {
                    continue;
                };
                let Some(r) = find_row(rows, h) else {
                    continue;
                };
                let c = rows[r].iter().position(|x| text(x) == h).unwrap_or(0);
                out.extend(rows[r + 1..].iter().filter_map(|row| row.get(c)).map(text));
            }
        }
    }
    out
}

/// One run of `evaluate` in a language: the workbook, the JSON, stderr.
struct Run {
    book: Vec<(String, Vec<Vec<calamine::Data>>)>,
    json: serde_json::Value,
    stderr: String,
}

fn evaluate(w: &Workdir, lang: &str, args: &[&str]) -> Run {
    let (out, json) = (format!("{lang}.xlsx"), format!("{lang}.json"));
    let mut all = vec!["evaluate"];
    all.extend(args);
    all.extend(["--lang", lang, "--out", &out, "--json", &json, "--force"]);
    let stderr = w.ok(&all);
    Run {
        book: read_book(&w.join(&out)),
        json: w.json(&json),
        stderr,
    }
}

/// Runs `evaluate` on `args` in zh-TW and zh-CN: no text of the zh-TW run
/// outside what came from the inputs has a Simplified-only character, and
/// every CJK character of the zh-CN run's texts (the grading sentences
/// among them) is in one of the two lists.
fn assert_zh_tw_is_traditional(w: &Workdir, args: &[&str]) {
    let mut simplified_in_zh_cn = 0;
    for (lang, code) in [(Lang::ZhTw, "zh-TW"), (Lang::ZhCn, "zh-CN")] {
        let run = evaluate(w, code, args);
        let from = FromInputs::of(&run.json, input_names(w, &run.json));
        let texts = run_texts(lang, &run.book, &run.json, &run.stderr, &from);
        let issues = run.json["issues"].as_array().map_or(0, Vec::len);
        assert!(texts.len() > 100 + issues, "{code}: {} texts", texts.len());
        let mut bad = Vec::new();
        for (at, t) in &texts {
            let found = match lang {
                Lang::ZhTw => simplified_in(t),
                _ => unclassified_in(t),
            };
            if !found.is_empty() {
                bad.push(format!("{at}: {found:?} in {t:?}"));
            }
            simplified_in_zh_cn += simplified_in(t).len();
        }
        assert!(bad.is_empty(), "{code}:\n{}", bad.join("\n"));
    }
    // The zh-CN texts, collected the same way, do show Simplified characters.
    assert!(simplified_in_zh_cn > 100, "{simplified_in_zh_cn}");
}

#[test]
fn zh_tw_run_of_the_samples_is_in_traditional_characters() {
    let w = Workdir::new();
    let s = crate::util::repo().join("samples");
    for f in [
        "销售台账.xlsx",
        "回款台账.xlsx",
        "客户档案.xlsx",
        "上年等级.xlsx",
    ] {
        std::fs::copy(s.join(f), w.join(f)).expect("copy sample");
    }
    // With receipts: the Credit, Order Upgrades and payment-record texts too.
    let args = [
        "销售台账.xlsx",
        "--receipts",
        "回款台账.xlsx",
        "--customers",
        "客户档案.xlsx",
        "--previous",
        "上年等级.xlsx",
    ];
    assert_zh_tw_is_traditional(&w, &args);
}

/// A ledger row: date, ID, name, then quantity, unit price, amount, list
/// price and due date (region, rep and order number filled in).
fn line(date: C, id: &'static str, name: &'static str, rest: [C; 5]) -> Vec<C> {
    let text = |s: &'static str| if s.is_empty() { E } else { S(s) };
    let mut row = vec![date, text(id), text(name), S("华东"), S("张三"), S("SO-1")];
    row.extend(rest);
    row
}

/// Ledger sheet 一月 (header on row 1; as of 2025-03-31), one issue a row:
///
/// | row | what | issue |
/// |---|---|---|
/// | 2 | K001 甲公司 10 × 100 = 1000 | accepted |
/// | 3 | K001 甲公司新名 500 | accepted; ID with several names |
/// | 4 | K002 乙公司 800 | accepted |
/// | 5 | no ID, 乙公司 300 | accepted; name matched to K002 |
/// | 6 | K003 丙公司 3 × 95 ≠ 290 | amount mismatch |
/// | 7 | row 2 again | duplicate |
/// | 8 | no date | rejected: no date |
/// | 9 | date 2025-02-30 | rejected: date not readable |
/// | 10 | date 03/05/2025 | rejected: ambiguous date |
/// | 11 | amount a formula without saved value | rejected |
/// | 12 | amount an error value #DIV/0! | rejected |
/// | 13 | no ID, no name | rejected: no customer |
/// | 14 | an amount alone | rejected: amount without date or customer |
/// | 15 | a note | rejected: text only |
/// | 16 | no amount, quantity or price | rejected: no amount |
/// | 17–20 | quantity, unit price, list price, due date not readable | rejected |
/// | 21 | K004 dated 2025-04-05 | after the as-of date |
/// | 22 | 合计 1 | totals mismatch |
fn every_issue_ledger() -> Vec<Vec<C>> {
    let header = fixture::HEADER.iter().chain(&["标准价", "到期日"]);
    let day = |d| D(2025, 1, d);
    vec![
        header.map(|h| S(h)).collect(),
        line(
            day(5),
            "K001",
            "甲公司",
            [N(10.0), N(100.0), N(1000.0), N(100.0), D(2025, 2, 5)],
        ),
        line(day(6), "K001", "甲公司新名", [E, E, N(500.0), E, E]),
        line(day(7), "K002", "乙公司", [E, E, N(800.0), E, E]),
        line(day(8), "", "乙公司", [E, E, N(300.0), E, E]),
        line(day(9), "K003", "丙公司", [N(3.0), N(95.0), N(290.0), E, E]),
        line(
            day(5),
            "K001",
            "甲公司",
            [N(10.0), N(100.0), N(1000.0), N(100.0), D(2025, 2, 5)],
        ),
        line(E, "K001", "甲公司", [E, E, N(50.0), E, E]),
        line(S("2025-02-30"), "K001", "甲公司", [E, E, N(50.0), E, E]),
        line(S("03/05/2025"), "K001", "甲公司", [E, E, N(50.0), E, E]),
        line(
            day(10),
            "K001",
            "甲公司",
            [N(2.0), N(50.0), FNoValue("G11*H11"), E, E],
        ),
        line(day(11), "K001", "甲公司", [E, E, F("1/0", 0.0), E, E]),
        line(day(12), "", "", [E, E, N(70.0), E, E]),
        vec![E, E, E, E, E, E, E, E, N(50.0)],
        vec![S("以下为退货冲红")],
        line(day(13), "K001", "甲公司", [E, E, E, E, E]),
        line(day(14), "K001", "甲公司", [S("十个"), E, N(100.0), E, E]),
        line(
            day(15),
            "K001",
            "甲公司",
            [N(1.0), S("面议"), N(100.0), E, E],
        ),
        line(day(16), "K001", "甲公司", [E, E, N(100.0), S("另议"), E]),
        line(day(17), "K001", "甲公司", [E, E, N(100.0), E, S("下月")]),
        line(D(2025, 4, 5), "K004", "丁公司", [E, E, N(600.0), E, E]),
        vec![S("合计"), E, E, E, E, E, E, E, N(1.0)],
    ]
}

/// Turns the cached result of the formula `1/0` into the error value #DIV/0!.
fn div_by_zero(path: &std::path::Path) {
    rewrite_xlsx(path, |name, xml| {
        if !name.starts_with("xl/worksheets/") {
            return xml;
        }
        let Some(at) = xml.find("<f>1/0</f>") else {
            return xml;
        };
        let open = xml[..at].rfind("<c ").expect("formula cell");
        let xml = xml.replacen("<f>1/0</f><v>0</v>", "<f>1/0</f><v>#DIV/0!</v>", 1);
        format!("{}<c t=\"e\" {}", &xml[..open], &xml[open + 3..])
    });
}

/// A workbook of a sheet whose header lacks the date and amount, and a
/// chart sheet (not a worksheet).
fn write_names_and_chart(path: &std::path::Path) {
    use rust_xlsxwriter::{Chart, ChartType, Workbook, Worksheet};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("名单").expect("name");
    for (r, (name, note, n)) in [("客户名称", "备注", "数值"), ("甲公司", "老客户", "1")]
        .iter()
        .enumerate()
    {
        ws.write_string(r as u32, 0, *name).expect("write");
        ws.write_string(r as u32, 1, *note).expect("write");
        ws.write_string(r as u32, 2, *n).expect("write");
    }
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values("名单!$C$2:$C$2");
    let mut cs = Worksheet::new_chartsheet();
    cs.set_name("图表").expect("name");
    cs.insert_chart(0, 0, &chart).expect("chart");
    wb.push_worksheet(cs);
    wb.save(path).expect("save");
}

/// Ledgers, customer master and previous grades that make every issue the
/// reader reports; see [`every_issue_ledger`]. The customer master rejects
/// an unreadable first order date, terms and credit limit, a row without
/// customer and a note; the previous grades lack one grade.
fn write_every_issue(w: &Workdir) {
    let second = vec![
        vec![S("日期"), S("客户编码"), S("客户名称"), S("金额")],
        vec![D(2025, 2, 3), S("K005"), S("戊公司"), N(900.0)],
        vec![S("合计"), E, E, S("待核")],
    ];
    write_xlsx(
        &w.join("ledger.xlsx"),
        &[
            ("一月", every_issue_ledger()),
            ("二月", second),
            ("空白", Vec::new()),
        ],
    );
    div_by_zero(&w.join("ledger.xlsx"));
    write_names_and_chart(&w.join("extra.xlsx"));
    let master = vec![
        [
            "客户编码",
            "客户名称",
            "区域",
            "业务员",
            "首次合作日期",
            "账期",
            "信用额度",
            "特殊政策",
        ]
        .iter()
        .map(|h| S(h))
        .collect(),
        vec![
            S("K001"),
            S("甲公司"),
            S("华东"),
            S("张三"),
            D(2020, 1, 1),
            N(30.0),
            N(1e5),
            S("月结90天"),
        ],
        vec![S("K002"), S("乙公司"), S("华南"), S("李四"), S("去年")],
        vec![
            S("K003"),
            S("丙公司"),
            S("华北"),
            S("王五"),
            D(2021, 1, 1),
            S("三十"),
        ],
        vec![
            S("K004"),
            S("丁公司"),
            S("华东"),
            S("张三"),
            D(2021, 1, 1),
            N(30.0),
            S("很多"),
        ],
        vec![E, E, S("华东"), S("张三")],
        vec![E, E, S("备注：以上为主要客户")],
    ];
    write_xlsx(&w.join("customers.xlsx"), &[("客户档案", master)]);
    let previous = vec![
        vec![S("客户编码"), S("客户名称"), S("等级")],
        vec![S("K001"), S("甲公司"), S("A")],
        vec![S("K002"), S("乙公司")],
        vec![S("K003"), S("丙公司"), S("钻石")],
        vec![S("K009"), S("玖公司"), S("B")],
    ];
    write_xlsx(&w.join("previous.xlsx"), &[("上年", previous)]);
}

const EVERY_ISSUE_ARGS: [&str; 7] = [
    "ledger.xlsx",
    "extra.xlsx",
    "--customers",
    "customers.xlsx",
    "--previous",
    "previous.xlsx",
    "--as-of",
];

#[test]
fn zh_tw_run_with_every_issue_is_in_traditional_characters() {
    let w = Workdir::new();
    write_every_issue(&w);
    let mut args = EVERY_ISSUE_ARGS.to_vec();
    args.push("2025-03-31");
    // The fixture makes every issue: the English messages say which.
    let en = evaluate(&w, "en", &args);
    let messages: Vec<&str> = en.json["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter_map(|i| i["message"].as_str())
        .collect();
    for want in [
        "no date",
        "date is not readable: \"2025-02-30\"",
        "date \"03/05/2025\" is ambiguous",
        "amount: formula has no saved value",
        "amount is an error value #DIV/0!",
        "no customer ID or name",
        "an amount with neither date nor customer",
        "a row of text only",
        "no amount",
        "quantity is not readable: \"十个\"",
        "unit price is not readable: \"面议\"",
        "list price is not readable: \"另议\"",
        "due date is not readable: \"下月\"",
        "exact duplicate of an earlier row",
        "customer ID K001 appears with several names",
        "assigned to K002 by the name \"乙公司\"",
        "1 row(s) dated after the as-of date 2025-03-31",
        "amount 290.00 ≠ quantity 3 × unit price 95",
        "sheet says 1.00, rows add up to",
        "totals row amount is not readable",
        "no header row in the first 30 rows; sheet skipped",
        "sheet is empty; skipped",
        "not a worksheet (chart or macro sheet); skipped",
        "first order date is not readable: \"去年\"",
        "terms is not readable: \"三十\"",
        "credit limit is not readable: \"很多\"",
        "no grade",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(want)),
            "no issue says {want:?}: {messages:#?}"
        );
    }
    assert_zh_tw_is_traditional(&w, &args);
}

// ---------------------------------------------------------------------------
// The terminal speaks --lang

#[test]
fn check_and_the_evaluate_summary_speak_the_language() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    // Sheet 2025年1月: header on row 4, 8 rows read, 3 accepted, 4 rejected,
    // 1 totals row; row 8's amount is a formula without saved value. With
    // 2025年2月 (5 read, 4 accepted, 1 totals row): 13 read, 7 accepted.
    let cases = [
        (
            "en",
            [
                "ledger ledger.xlsx",
                "  2025年1月           4          8         3         4            1",
                "    rejected sheet \"2025年1月\", row 8, column 金额: amount: formula has no saved value: open and save the file in Excel",
            ],
            "tierbook: read 13 rows (7 accepted, 4 rejected, 2 totals rows); 6 customers graded as of 2025-02-20",
        ),
        (
            "zh-CN",
            [
                "销售台账 ledger.xlsx",
                "  2025年1月       4         8     3     4       1",
                "    拒收 工作表“2025年1月”第 8 行“金额”列：金额为公式且没有保存的值：请在 Excel 中打开并保存该文件",
            ],
            "tierbook：读取 13 行（有效 7，拒收 4，合计行 2）；评定截止日 2025-02-20，共评定 6 个客户",
        ),
        (
            "zh-TW",
            [
                "銷售台賬 ledger.xlsx",
                "  2025年1月       4         8     3     4       1",
                "    拒收 工作表「2025年1月」第 8 行「金额」欄：金額為公式且沒有儲存的值：請在 Excel 中開啟並儲存該檔案",
            ],
            "tierbook：讀取 13 行（有效 7，拒收 4，合計行 2）；評定截止日 2025-02-20，共評定 6 個客戶",
        ),
    ];
    for (lang, check, summary) in cases {
        let out = w.run(&["check", "ledger.xlsx", "--lang", lang]);
        assert!(out.status.success(), "{lang}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        for want in check {
            assert!(
                stdout.lines().any(|l| l == want),
                "{lang}: no line {want:?} in:\n{stdout}"
            );
        }
        let stderr = w.ok(&[
            "evaluate",
            "ledger.xlsx",
            "--lang",
            lang,
            "--out",
            "e.xlsx",
            "--force",
        ]);
        assert_eq!(stderr.lines().next(), Some(summary), "{lang}");
    }
}
