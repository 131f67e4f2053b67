//! Printed pages (SPEC 7.2 "print-ready", 9 "Paper"): the printable area of
//! the paper, the scale a sheet fitted to one page wide prints at, and the
//! page breaks that keep a block (a heading with its table, a band of
//! charts, a text) on one page when it would otherwise be split.
//!
//! Sheets print fitted to one page wide and as many tall as needed; Excel
//! and LibreOffice keep manual row breaks in that mode. The breaks are
//! computed from the row heights the renderer sets (every row's height is
//! set, so no application re-measures one) and the scale that follows from
//! the column widths.

use crate::report::model::Paper;

/// Excel's "Narrow" margins, in points: left and right, top and bottom
/// (the page header and footer sit inside the top and bottom ones).
pub const MARGIN_SIDE_IN: f64 = 0.25;
pub const MARGIN_END_IN: f64 = 0.75;
pub const HEADER_IN: f64 = 0.3;
const PT_PER_IN: f64 = 72.0;
/// Pixels to points (96 px an inch).
pub const PT_PER_PX: f64 = 0.75;
/// The smallest scale Excel prints at.
const MIN_SCALE: f64 = 0.10;
/// Heights are estimates: a block is moved when it fills more than this
/// share of the room left, so a small error never splits it.
const SLACK: f64 = 0.97;

/// The printable width and height of a sheet on `paper`, in points.
pub fn printable(paper: Paper, landscape: bool) -> (f64, f64) {
    let (w, h) = paper.size_pt();
    let (w, h) = if landscape { (h, w) } else { (w, h) };
    (
        w - 2.0 * MARGIN_SIDE_IN * PT_PER_IN,
        h - 2.0 * MARGIN_END_IN * PT_PER_IN,
    )
}

/// The scale a sheet `content_pt` wide prints at when fitted to one page
/// `printable_pt` wide: never enlarged, whole percents as Excel rounds.
pub fn fit_scale(content_pt: f64, printable_pt: f64) -> f64 {
    if content_pt <= printable_pt || content_pt <= 0.0 {
        return 1.0;
    }
    ((printable_pt / content_pt * 100.0).floor() / 100.0).max(MIN_SCALE)
}

/// The smallest scale a sheet of forced pages (statements) is shrunk to so
/// that each forced page prints on one sheet of paper; a longer one flows.
pub const MIN_SHRINK: f64 = 0.70;

/// The scale below the one fitting the sheet to a page wide (`fit`) at
/// which the tallest run of rows between two `forced` breaks fits on one
/// page `printable_h` tall, when that is at least [`MIN_SHRINK`]; `None`
/// when every run fits already or none can at a readable size.
pub fn shrink_to_forced_pages(
    heights: &[f64],
    forced: &[u32],
    fit: f64,
    printable_h: f64,
) -> Option<f64> {
    if forced.is_empty() {
        return None;
    }
    let mut tallest: f64 = 0.0;
    let mut start = 0usize;
    for end in forced.iter().map(|&f| f as usize).chain([heights.len()]) {
        let end = end.clamp(start, heights.len());
        tallest = tallest.max(heights[start..end].iter().sum());
        start = end;
    }
    if tallest * fit <= printable_h * SLACK {
        return None;
    }
    let scale = (printable_h * SLACK / tallest * 100.0).floor() / 100.0;
    (scale >= MIN_SHRINK).then_some(scale)
}

/// Rows `first..=keep_last` that must print on one page: a block, or the
/// head of a table longer than a page (its heading, header and first rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub first: u32,
    pub keep_last: u32,
}

/// The rows a manual page break goes before (0-based), so that no [`Keep`]
/// is split when it fits on a page of its own.
///
/// `heights` are the points of every row from the first; `page_pt` is the
/// height of a page in the sheet's points (the printable height over the
/// scale); `repeat` is a header row printed again at the top of every page
/// after the one it is on, with its height; `forced` are rows the report
/// starts a page at (ascending), kept as they are.
pub fn page_breaks(
    heights: &[f64],
    keeps: &[Keep],
    forced: &[u32],
    page_pt: f64,
    repeat: Option<(u32, f64)>,
) -> Vec<u32> {
    let room = |row: usize| match repeat {
        Some((r, h)) if (r as usize) < row => page_pt - h,
        _ => page_pt,
    };
    let mut top = vec![0.0; heights.len() + 1];
    for (i, h) in heights.iter().enumerate() {
        top[i + 1] = top[i] + h;
    }
    let mut breaks = Vec::new();
    let (mut used, mut avail) = (0.0, page_pt);
    let mut keeps = keeps.iter().peekable();
    let mut forced = forced.iter().peekable();
    for (r, h) in heights.iter().enumerate() {
        while keeps.next_if(|k| (k.first as usize) < r).is_some() {}
        while forced.next_if(|&&f| (f as usize) < r).is_some() {}
        if forced.next_if(|&&f| f as usize == r).is_some() && r > 0 {
            breaks.push(r as u32);
            used = 0.0;
            avail = room(r);
        }
        if let Some(k) = keeps.next_if(|k| k.first as usize == r) {
            let last = (k.keep_last as usize).clamp(r, heights.len() - 1);
            let need = top[last + 1] - top[r];
            if used > 0.0 && used + need > avail * SLACK && need <= room(r) * SLACK {
                breaks.push(r as u32);
                used = 0.0;
                avail = room(r);
            }
        }
        if used > 0.0 && used + h > avail {
            // Where the application breaks on its own.
            used = 0.0;
            avail = room(r);
        }
        used += h;
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_area_of_a4_and_a3() {
        let (w, h) = printable(Paper::A4, false);
        assert!((w - (595.28 - 36.0)).abs() < 0.01, "{w}");
        assert!((h - (841.89 - 108.0)).abs() < 0.01, "{h}");
        let (w, h) = printable(Paper::A3, true);
        assert!((w - (1190.55 - 36.0)).abs() < 0.01, "{w}");
        assert!((h - (841.89 - 108.0)).abs() < 0.01, "{h}");
    }

    #[test]
    fn fitting_to_a_page_wide_never_enlarges_and_rounds_down() {
        assert_eq!(fit_scale(500.0, 800.0), 1.0);
        // 800 / 1700 = 0.4705… → 47 %.
        assert_eq!(fit_scale(1700.0, 800.0), 0.47);
        assert_eq!(fit_scale(100_000.0, 800.0), MIN_SCALE);
    }

    #[test]
    fn forced_pages_shrink_to_fit_a_page_but_not_below_the_floor() {
        // Two statements of 5 and 8 rows of 10 pt on 72.75 pt pages at 100 %.
        let heights = [10.0; 13];
        // 80 pt tallest: 72.75 × 0.97 / 80 = 0.882… → 88 %.
        assert_eq!(
            shrink_to_forced_pages(&heights, &[5], 1.0, 72.75),
            Some(0.88)
        );
        // Already fitting: nothing to shrink.
        assert_eq!(shrink_to_forced_pages(&heights, &[5], 1.0, 100.0), None);
        // A page a third the height would need 29 %: it flows instead.
        assert_eq!(shrink_to_forced_pages(&heights, &[5], 1.0, 24.0), None);
        // No forced breaks: the sheet is no run of pages.
        assert_eq!(shrink_to_forced_pages(&heights, &[], 1.0, 50.0), None);
    }

    #[test]
    fn a_block_that_would_be_split_moves_to_the_next_page() {
        // Ten rows of 10 pt on 45 pt pages; rows 3..=5 are one block.
        let heights = [10.0; 10];
        let keeps = [Keep {
            first: 3,
            keep_last: 5,
        }];
        // Without the block: automatic breaks before rows 4 and 8.
        assert_eq!(
            page_breaks(&heights, &[], &[], 45.0, None),
            Vec::<u32>::new()
        );
        // Rows 0..=2 use 30 pt; the block needs 30 more: it moves.
        assert_eq!(page_breaks(&heights, &keeps, &[], 45.0, None), vec![3]);
        // A block that fits where it is stays.
        let early = [Keep {
            first: 0,
            keep_last: 3,
        }];
        assert_eq!(
            page_breaks(&heights, &early, &[], 45.0, None),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn a_block_taller_than_a_page_is_left_to_flow() {
        let heights = [10.0; 10];
        let keeps = [Keep {
            first: 2,
            keep_last: 9,
        }];
        assert_eq!(
            page_breaks(&heights, &keeps, &[], 45.0, None),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn automatic_breaks_are_followed_before_a_later_block() {
        // Page 1 holds rows 0..=3 (40 pt); page 2 starts at row 4 and holds
        // rows 4..=7; the block 7..=8 would straddle pages 2 and 3.
        let heights = [10.0; 10];
        let keeps = [Keep {
            first: 7,
            keep_last: 8,
        }];
        assert_eq!(page_breaks(&heights, &keeps, &[], 45.0, None), vec![7]);
    }

    #[test]
    fn a_repeated_header_takes_room_on_later_pages() {
        // Header row 0 (10 pt) repeats: later pages hold 35 pt of rows.
        let heights = [10.0; 12];
        let keeps = [Keep {
            first: 8,
            keep_last: 9,
        }];
        // Page 1: rows 0..=3; page 2: header + rows 4..=6; page 3: header
        // + rows 7..=9, the block whole.
        assert_eq!(
            page_breaks(&heights, &keeps, &[], 45.0, Some((0, 10.0))),
            Vec::<u32>::new()
        );
        // Without the repeated header page 2 holds rows 4..=7 and the block
        // would straddle pages 2 and 3.
        assert_eq!(page_breaks(&heights, &keeps, &[], 45.0, None), vec![8]);
    }

    #[test]
    fn a_forced_break_starts_a_page_and_the_count_starts_again() {
        let heights = [10.0; 10];
        let keeps = [Keep {
            first: 5,
            keep_last: 7,
        }];
        // Without it, page 1 holds rows 0..=3 and page 2 rows 4..=7, the
        // block whole: no manual break.
        assert_eq!(
            page_breaks(&heights, &keeps, &[], 45.0, None),
            Vec::<u32>::new()
        );
        // Forced at row 2, page 2 holds rows 2..=4 and the block would
        // straddle it and page 3: it starts page 3.
        assert_eq!(page_breaks(&heights, &keeps, &[2], 45.0, None), vec![2, 5]);
        // A break at the first row is no break.
        assert_eq!(
            page_breaks(&heights, &[], &[0], 45.0, None),
            Vec::<u32>::new()
        );
    }
}
