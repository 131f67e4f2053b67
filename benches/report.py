#!/usr/bin/env python3
"""Prints the benchmark table and the SPEC 8 checks from benches/work/results.tsv.

  report.py results.tsv

One row per tool, size and ledger: median wall time, median peak RSS and the ratio of the
wall time to calamine's streaming read of the same size's xlsx (the same variant for
xlsx-sst). Then the SPEC 8 targets, pass/fail each, for every size and the growth from the
smallest to the largest size: on `xlsx` (the ledger `tierbook sample --rows N` writes) and
its `csv`; the same checks on `xlsx-sst` (those rows as Excel saves them, with one
shared-strings table) are printed apart, for comparison. Exits 3 when a SPEC 8 target is
missed, 0 otherwise.
"""
import csv
import statistics
import sys
from collections import defaultdict

TOOLS = ["calamine", "tierbook", "polars", "pandas"]
FORMATS = ["xlsx", "xlsx-sst", "csv"]
LIMIT_RSS_MIB = 256


def main(path):
    samples = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            samples[(r["tool"], int(r["rows"]), r["format"])].append(
                (float(r["wall_s"]), int(r["rss_kib"]) / 1024))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(m for _, m in v), len(v))
           for k, v in samples.items()}
    sizes = sorted({k[1] for k in med})

    def get(tool, rows, fmt):
        return med.get((tool, rows, fmt))

    def floor_of(rows, fmt):
        return get("calamine", rows, fmt if fmt.startswith("xlsx") else "xlsx")

    print("\n## Results (median of runs)\n")
    print("| tool | rows | ledger | runs | wall s | peak RSS MiB | × calamine read |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for rows in sizes:
        for fmt in FORMATS:
            floor = floor_of(rows, fmt)
            for tool in TOOLS:
                if (tool, rows, fmt) not in med:
                    continue
                w, m, n = med[(tool, rows, fmt)]
                ratio = f"{w / floor[0]:.2f}" if floor and floor[0] > 0 else "–"
                print(f"| {tool} | {rows:,} | {fmt} | {n} | {w:.2f} | {m:.1f} | {ratio} |")

    groups = {"spec": [], "sst": []}  # (name, passed, detail)

    def checks_for(xfmt, out):
        def check(name, ok, detail):
            out.append((name, ok, detail))

        for rows in sizes:
            tb_x = get("tierbook", rows, xfmt)
            tb_c = get("tierbook", rows, "csv") if xfmt == "xlsx" else None
            if not tb_x:
                continue
            n = f"{rows:,} rows"
            floor = get("calamine", rows, xfmt)
            if floor:
                r = tb_x[0] / floor[0]
                check(f"{n}: tierbook {xfmt} ≤ 1.3× calamine read", r <= 1.3, f"{r:.2f}×")
            pol = get("polars", rows, xfmt)
            if pol:
                check(f"{n}: tierbook {xfmt} faster than polars", tb_x[0] < pol[0],
                      f"{tb_x[0]:.2f} s vs {pol[0]:.2f} s ({pol[0] / tb_x[0]:.1f}× faster)")
            pan = get("pandas", rows, xfmt)
            if pan:
                r = pan[0] / tb_x[0]
                check(f"{n}: tierbook {xfmt} ≥ 10× faster than pandas", r >= 10, f"{r:.1f}× faster")
            if tb_c:
                r = tb_c[0] / tb_x[0]
                check(f"{n}: tierbook csv ≤ ½ xlsx time", r <= 0.5, f"{r:.2f}× the xlsx time")
            for fmt, t in ((xfmt, tb_x), ("csv", tb_c)):
                if t:
                    check(f"{n}: tierbook {fmt} peak RSS ≤ {LIMIT_RSS_MIB} MiB",
                          t[1] <= LIMIT_RSS_MIB, f"{t[1]:.1f} MiB")
        if len(sizes) >= 2:
            lo, hi = sizes[0], sizes[-1]
            grow = hi / lo
            for fmt in (xfmt, "csv") if xfmt == "xlsx" else (xfmt,):
                a, b = get("tierbook", lo, fmt), get("tierbook", hi, fmt)
                if not (a and b):
                    continue
                tr, mr = b[0] / a[0], b[1] / a[1]
                check(f"{lo:,}→{hi:,} rows ({grow:g}×), {fmt}: time ≤ {1.1 * grow:g}×",
                      tr <= 1.1 * grow, f"{tr:.2f}×")
                check(f"{lo:,}→{hi:,} rows ({grow:g}×), {fmt}: memory < 2×", mr < 2,
                      f"{mr:.2f}× ({a[1]:.1f} → {b[1]:.1f} MiB)")

    checks_for("xlsx", groups["spec"])
    checks_for("xlsx-sst", groups["sst"])

    if len(sizes) >= 2:
        lo, hi = sizes[0], sizes[-1]
        print()
        for fmt in FORMATS:
            for tool in TOOLS:
                a, b = get(tool, lo, fmt), get(tool, hi, fmt)
                if a and b:
                    print(f"- {tool} {fmt} growth {lo:,}→{hi:,}: time {b[0] / a[0]:.2f}×, "
                          f"memory {b[1] / a[1]:.2f}× ({a[1]:.1f} → {b[1]:.1f} MiB)")

    def table(rows):
        print("| check | result | measured |")
        print("|---|---|---|")
        for name, ok, detail in rows:
            print(f"| {name} | {'pass' if ok else '**FAIL**'} | {detail} |")

    print("\n## SPEC 8 checks (the ledger of `tierbook sample --rows N`, and as CSV)\n")
    if not groups["spec"]:
        print("(tierbook was not run on it: nothing to check)")
        return 0
    table(groups["spec"])
    failed = sum(1 for _, ok, _ in groups["spec"] if not ok)
    print(f"\nSPEC 8 targets: {len(groups['spec']) - failed} met, {failed} missed")
    if groups["sst"]:
        print("\n## The same checks on the rows as Excel saves them (shared strings)\n")
        print("calamine loads the whole shared-strings table of a workbook before the first cell")
        print("(every order number of the ledger is in it), once per reading thread: the floor")
        print("itself grows with the rows here. Reported for comparison, not SPEC 8's ledger.\n")
        table(groups["sst"])
        sst_failed = sum(1 for _, ok, _ in groups["sst"] if not ok)
        print(f"\nOn the shared-strings ledger: {len(groups['sst']) - sst_failed} met, "
              f"{sst_failed} missed")
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
