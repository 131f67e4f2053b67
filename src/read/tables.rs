//! Small tables read whole: the customer master (客户档案) and previous
//! grades. Same header search, aliases, value parsing and issue reporting as
//! the ledger; rows are few, so they are kept as typed records in memory.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cell::Cell;
use super::header::{Field, HeaderMap, HeaderMatcher, HeaderSearch, Search};
use super::issue::{Issue, IssueKind, Problem};
use super::ledger::{ident_text, value_problem};
use super::source::{RowVisitor, Source};
use super::value::{parse_date, parse_number, totals_word, Style};
use super::{display_path, ReadError, ReadOptions, SheetStats};

/// Who a row is about: an ID and/or a normalised name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Who {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// Where a row came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Place {
    pub file: String,
    pub sheet: String,
    pub row: u32,
}

/// One customer-master row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MasterRecord {
    pub who: Who,
    pub place: Place,
    pub region: Option<String>,
    pub sales_rep: Option<String>,
    pub first_date: Option<NaiveDate>,
    pub terms_days: Option<i64>,
    pub credit_limit: Option<Decimal>,
    pub special_policy: Option<String>,
    /// Every other numeric column, by header text.
    pub attrs: BTreeMap<String, Decimal>,
}

/// One previous-grade row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviousRecord {
    pub who: Who,
    pub place: Place,
    pub grade: String,
}

/// What reading one table sheet produced.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSheet<R> {
    pub file: String,
    pub sheet: String,
    pub header: Option<HeaderMap>,
    pub stats: SheetStats,
    pub records: Vec<R>,
}

/// Reads all sheets of all files of one small-table kind.
pub fn read_master(
    files: &[PathBuf],
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
) -> Result<(Vec<TableSheet<MasterRecord>>, Vec<Issue>), ReadError> {
    read_kind(files, matcher, opts, master_row)
}

/// Reads all sheets of all previous-grade files.
pub fn read_previous(
    files: &[PathBuf],
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
) -> Result<(Vec<TableSheet<PreviousRecord>>, Vec<Issue>), ReadError> {
    read_kind(files, matcher, opts, previous_row)
}

type RowFn<R> = fn(&HeaderMap, &[Cell], &ReadOptions) -> Result<R, (Problem, Option<usize>)>;

fn read_kind<R: Placed>(
    files: &[PathBuf],
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
    parse: RowFn<R>,
) -> Result<(Vec<TableSheet<R>>, Vec<Issue>), ReadError> {
    let mut sheets = Vec::new();
    let mut issues = Vec::new();
    for path in files {
        let mut src = Source::open(path, opts.limits)?;
        let file = display_path(path);
        let file_opts = ReadOptions {
            style: Style {
                date_1904: src.date_1904(),
                ..opts.style
            },
            ..opts.clone()
        };
        let opts = &file_opts;
        for info in src.sheets() {
            if !info.is_worksheet {
                continue;
            }
            let mut v = TableReader {
                search: Some(HeaderSearch::new(matcher)),
                opts,
                parse,
                out: TableSheet {
                    file: file.clone(),
                    sheet: info.name.clone(),
                    header: None,
                    stats: SheetStats::default(),
                    records: Vec::new(),
                },
                issues: Vec::new(),
            };
            match src.read_sheet(&info.name, &mut v) {
                Ok(()) => {}
                Err(ReadError::Sheet { message, .. }) => {
                    issues.push(sheet_notice(
                        &file,
                        &info.name,
                        Problem::SheetUnreadable { message },
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            }
            issues.append(&mut v.issues);
            if v.out.header.is_none() {
                if let Some(search) = v.search.take() {
                    issues.push(sheet_notice(&file, &info.name, search.not_found()));
                }
                continue;
            }
            sheets.push(v.out);
        }
    }
    Ok((sheets, issues))
}

fn sheet_notice(file: &str, sheet: &str, problem: Problem) -> Issue {
    Issue {
        kind: IssueKind::Notice,
        file: file.to_string(),
        sheet: sheet.to_string(),
        row: None,
        column: None,
        problem,
        cells: Vec::new(),
    }
}

struct TableReader<'m, 'o, R> {
    search: Option<HeaderSearch<'m>>,
    opts: &'o ReadOptions,
    parse: RowFn<R>,
    out: TableSheet<R>,
    issues: Vec<Issue>,
}

impl<R: Placed> RowVisitor for TableReader<'_, '_, R> {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        let Some(header) = self.out.header.as_ref() else {
            let Some(search) = self.search.as_mut() else {
                return Ok(false);
            };
            return Ok(match search.offer(row, cells) {
                Search::Found(map) => {
                    self.out.header = Some(map);
                    true
                }
                Search::Continue => true,
                Search::GiveUp => false,
            });
        };
        if cells.iter().all(Cell::is_blank) {
            return Ok(true);
        }
        self.out.stats.rows_read += 1;
        if cells
            .iter()
            .any(|c| c.as_text().and_then(totals_word).is_some())
        {
            self.out.stats.totals_rows += 1;
            return Ok(true);
        }
        match (self.parse)(header, cells, self.opts) {
            Ok(mut rec) => {
                rec.set_place(Place {
                    file: self.out.file.clone(),
                    sheet: self.out.sheet.clone(),
                    row,
                });
                self.out.stats.accepted += 1;
                self.out.records.push(rec);
            }
            Err((problem, col)) => {
                self.out.stats.rejected += 1;
                self.issues.push(Issue {
                    kind: IssueKind::Rejected,
                    file: self.out.file.clone(),
                    sheet: self.out.sheet.clone(),
                    row: Some(row),
                    column: col.map(|c| header.header_text(c)),
                    problem,
                    cells: cells.iter().map(Cell::display).collect(),
                });
            }
        }
        Ok(true)
    }
}

fn at<'c, 'a>(cells: &'c [Cell<'a>], col: Option<usize>) -> &'c Cell<'a> {
    static EMPTY: Cell<'static> = Cell::Empty;
    col.and_then(|c| cells.get(c)).unwrap_or(&EMPTY)
}

fn who(h: &HeaderMap, cells: &[Cell]) -> Result<Who, (Problem, Option<usize>)> {
    let id = ident_text(at(cells, h.col(Field::CustomerId)));
    let name = match at(cells, h.col(Field::CustomerName)) {
        Cell::Text(t) => Some(crate::text::normalize_name(t)).filter(|s| !s.is_empty()),
        Cell::Empty => None,
        other => Some(other.display()),
    };
    if id.is_none() && name.is_none() {
        let all_text = cells
            .iter()
            .all(|c| c.is_blank() || matches!(c, Cell::Text(_)));
        let p = if all_text && cells.iter().filter(|c| !c.is_blank()).count() == 1 {
            Problem::TextOnly
        } else {
            Problem::NoCustomer
        };
        return Err((p, h.col(Field::CustomerId).or(h.col(Field::CustomerName))));
    }
    Ok(Who { id, name })
}

fn text(h: &HeaderMap, cells: &[Cell], f: Field) -> Option<String> {
    match at(cells, h.col(f)) {
        Cell::Text(t) => Some(crate::text::normalize_name(t)).filter(|s| !s.is_empty()),
        Cell::Empty => None,
        other => Some(other.display()),
    }
}

fn master_row(
    h: &HeaderMap,
    cells: &[Cell],
    opts: &ReadOptions,
) -> Result<MasterRecord, (Problem, Option<usize>)> {
    let who = who(h, cells)?;
    let col = |f: Field| h.col(f);
    let first_date = parse_date(at(cells, col(Field::FirstDate)), &opts.style).map_err(|e| {
        (
            value_problem(e, "first_date", at(cells, col(Field::FirstDate))),
            col(Field::FirstDate),
        )
    })?;
    let terms = parse_number(at(cells, col(Field::TermsDays)), &opts.style).map_err(|e| {
        (
            value_problem(e, "terms_days", at(cells, col(Field::TermsDays))),
            col(Field::TermsDays),
        )
    })?;
    let terms_days = match terms {
        Some(t) if t.fract().is_zero() && t >= Decimal::ZERO && t <= Decimal::from(3650) => {
            i64::try_from(t).ok()
        }
        Some(_) => {
            return Err((
                Problem::Unreadable {
                    field: "terms_days",
                    raw: at(cells, col(Field::TermsDays)).display(),
                },
                col(Field::TermsDays),
            ))
        }
        None => None,
    };
    let credit_limit =
        parse_number(at(cells, col(Field::CreditLimit)), &opts.style).map_err(|e| {
            (
                value_problem(e, "credit_limit", at(cells, col(Field::CreditLimit))),
                col(Field::CreditLimit),
            )
        })?;
    let mapped: Vec<usize> = h.fields.values().copied().collect();
    let mut attrs = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        if mapped.contains(&i) {
            continue;
        }
        let header = h.headers.get(i).cloned().unwrap_or_default();
        if header.is_empty() {
            continue;
        }
        if let Ok(Some(v)) = parse_number(c, &opts.style) {
            attrs.insert(header, v);
        }
    }
    Ok(MasterRecord {
        who,
        place: Place::default(),
        region: text(h, cells, Field::Region),
        sales_rep: text(h, cells, Field::SalesRep),
        first_date,
        terms_days,
        credit_limit,
        special_policy: text(h, cells, Field::SpecialPolicy),
        attrs,
    })
}

fn previous_row(
    h: &HeaderMap,
    cells: &[Cell],
    _opts: &ReadOptions,
) -> Result<PreviousRecord, (Problem, Option<usize>)> {
    let who = who(h, cells)?;
    let grade = text(h, cells, Field::Grade).ok_or((
        Problem::MissingValue { field: "grade" },
        h.col(Field::Grade),
    ))?;
    Ok(PreviousRecord {
        who,
        place: Place::default(),
        grade,
    })
}

/// Records that remember where they were read.
pub trait Placed {
    fn set_place(&mut self, place: Place);
}

impl Placed for MasterRecord {
    fn set_place(&mut self, place: Place) {
        self.place = place;
    }
}

impl Placed for PreviousRecord {
    fn set_place(&mut self, place: Place) {
        self.place = place;
    }
}
