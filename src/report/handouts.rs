//! Handouts (`evaluate --split-by region|sales_rep`, the page's zip): one
//! evaluation workbook per region or sales rep, each named so that it is a
//! valid file name on Windows and macOS and no two groups share a file.

use super::evaluation::Evaluation;
use super::model::{Book, Paper};
use super::returnable::{groups, SplitBy};

/// `region` or `sales_rep` (also `sales-rep`, `rep`), as `--split-by` and
/// the page's `split_by` take it.
///
/// # Errors
/// Anything else, with a message naming the two choices.
pub fn parse_split(s: &str) -> Result<SplitBy, String> {
    match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "region" => Ok(SplitBy::Region),
        "sales_rep" | "rep" | "salesrep" => Ok(SplitBy::SalesRep),
        _ => Err(format!(
            "\"{s}\" cannot split handouts: use region or sales_rep"
        )),
    }
}

/// Longest group part of a handout's file name, in characters.
const MAX_NAME_CHARS: usize = 60;

/// A group's name as part of a file name valid on Windows and macOS:
/// `\ / : * ? " < > |` and control characters become `_`, leading and
/// trailing spaces and trailing dots go, at most 60 characters.
pub fn safe_file_part(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(MAX_NAME_CHARS)
        .collect();
    let trimmed = mapped
        .trim_matches(|c: char| crate::text::is_space(c))
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    }
}

/// File names for the handouts of groups named `names`, in order: the
/// Evaluation sheet's name, a dash, the group; names that would be the same
/// file (letter case aside, as Windows and macOS compare them) get ` (2)`,
/// ` (3)` …
pub fn file_names(prefix: &str, names: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let stem = format!("{prefix}-{}", safe_file_part(name));
        let mut candidate = format!("{stem}.xlsx");
        let mut n = 2;
        while taken.contains(&candidate.to_lowercase()) {
            candidate = format!("{stem} ({n}).xlsx");
            n += 1;
        }
        taken.push(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

/// One handout: its group as titles show it, its file name, how many
/// customers it lists, and the book.
pub struct Handout {
    pub group: String,
    pub file: String,
    pub customers: usize,
    pub book: Book,
}

/// The handouts of `ev` split by `split`, in group order (the unassigned
/// group last), every customer in exactly one, printed on `paper`.
pub fn handouts(ev: &Evaluation, split: SplitBy, paper: Paper) -> Vec<Handout> {
    let groups = groups(ev, split);
    let names: Vec<String> = groups.iter().map(|g| g.display(ev.lang)).collect();
    let prefix = super::labels::texts(ev.lang).sheet_evaluation;
    let files = file_names(prefix, &names);
    (groups.into_iter().zip(names).zip(files))
        .map(|((g, group), file)| {
            let customers = g.members.iter().filter(|m| **m).count();
            let handout = Evaluation {
                group: Some(g),
                ..*ev
            };
            Handout {
                group,
                file,
                customers,
                book: handout.book().with_paper(paper),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_become_safe_file_names() {
        assert_eq!(safe_file_part("华东/华南"), "华东_华南");
        assert_eq!(safe_file_part("A:B*C?"), "A_B_C_");
        assert_eq!(safe_file_part("East. . "), "East");
        assert_eq!(safe_file_part("  West  "), "West");
        assert_eq!(safe_file_part("..."), "_");
        assert_eq!(safe_file_part("a\tb"), "a_b");
        assert_eq!(safe_file_part(&"长".repeat(80)).chars().count(), 60);
    }

    #[test]
    fn groups_that_sanitise_alike_get_their_own_files() {
        let names = ["A/B", "A:B", "a_b", "East"].map(String::from);
        assert_eq!(
            file_names("评定表", &names),
            vec![
                "评定表-A_B.xlsx",
                "评定表-A_B (2).xlsx",
                "评定表-a_b (3).xlsx",
                "评定表-East.xlsx"
            ]
        );
    }

    #[test]
    fn split_names() {
        assert_eq!(parse_split("region"), Ok(SplitBy::Region));
        assert_eq!(parse_split("sales-rep"), Ok(SplitBy::SalesRep));
        assert_eq!(parse_split(" Sales_Rep "), Ok(SplitBy::SalesRep));
        assert!(parse_split("city").is_err());
    }
}
