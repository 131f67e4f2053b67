#!/usr/bin/env python3
"""Prints the benchmark table and the SPEC 8 checks from benches/work/results.tsv.

  report.py results.tsv

One row per tool, size and format: median wall time, median peak RSS and the ratio of the
wall time to calamine's streaming read of the same size's xlsx. Then the SPEC 8 targets,
pass/fail each, for every size, and the growth from the smallest to the largest size.
Exits 3 when a target is missed, 0 otherwise.
"""
import csv
import statistics
import sys
from collections import defaultdict

TOOLS = ["calamine", "tierbook", "polars", "pandas"]
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

    print("\n## Results (median of runs)\n")
    print("| tool | rows | format | runs | wall s | peak RSS MiB | × calamine read |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for rows in sizes:
        floor = med.get(("calamine", rows, "xlsx"))
        for fmt in ("xlsx", "csv"):
            for tool in TOOLS:
                if (tool, rows, fmt) not in med:
                    continue
                w, m, n = med[(tool, rows, fmt)]
                ratio = f"{w / floor[0]:.2f}" if floor and floor[0] > 0 else "–"
                print(f"| {tool} | {rows:,} | {fmt} | {n} | {w:.2f} | {m:.1f} | {ratio} |")

    checks = []  # (name, passed or None when it could not be checked, detail)

    def check(name, ok, detail):
        checks.append((name, ok, detail))

    def get(tool, rows, fmt):
        return med.get((tool, rows, fmt))

    for rows in sizes:
        tb_x, tb_c = get("tierbook", rows, "xlsx"), get("tierbook", rows, "csv")
        if not tb_x:
            continue
        n = f"{rows:,} rows"
        floor = get("calamine", rows, "xlsx")
        if floor:
            r = tb_x[0] / floor[0]
            check(f"{n}: tierbook xlsx ≤ 1.3× calamine read", r <= 1.3, f"{r:.2f}×")
        pol = get("polars", rows, "xlsx")
        if pol:
            check(f"{n}: tierbook xlsx faster than polars", tb_x[0] < pol[0],
                  f"{tb_x[0]:.2f} s vs {pol[0]:.2f} s ({pol[0] / tb_x[0]:.1f}× faster)")
        pan = get("pandas", rows, "xlsx")
        if pan:
            r = pan[0] / tb_x[0]
            check(f"{n}: tierbook xlsx ≥ 10× faster than pandas", r >= 10, f"{r:.1f}× faster")
        if tb_c:
            r = tb_c[0] / tb_x[0]
            check(f"{n}: tierbook csv ≤ ½ xlsx time", r <= 0.5, f"{r:.2f}× the xlsx time")
        for fmt, t in (("xlsx", tb_x), ("csv", tb_c)):
            if t:
                check(f"{n}: tierbook {fmt} peak RSS < {LIMIT_RSS_MIB} MiB", t[1] < LIMIT_RSS_MIB,
                      f"{t[1]:.1f} MiB")
    if len(sizes) >= 2:
        lo, hi = sizes[0], sizes[-1]
        grow = hi / lo
        for fmt in ("xlsx", "csv"):
            a, b = get("tierbook", lo, fmt), get("tierbook", hi, fmt)
            if not (a and b):
                continue
            tr, mr = b[0] / a[0], b[1] / a[1]
            check(f"{lo:,}→{hi:,} rows ({grow:g}×), {fmt}: time ≤ {1.1 * grow:g}×", tr <= 1.1 * grow,
                  f"{tr:.2f}×")
            check(f"{lo:,}→{hi:,} rows ({grow:g}×), {fmt}: memory < 2×", mr < 2, f"{mr:.2f}×")
        for tool in ("calamine", "polars", "pandas"):
            a, b = get(tool, lo, "xlsx"), get(tool, hi, "xlsx")
            if a and b:
                print(f"\n{tool} xlsx growth {lo:,}→{hi:,}: time {b[0] / a[0]:.2f}×, "
                      f"memory {b[1] / a[1]:.2f}×", end="")
        print()

    print("\n## SPEC 8 checks\n")
    if not checks:
        print("(tierbook was not run: nothing to check)")
        return 0
    print("| check | result | measured |")
    print("|---|---|---|")
    for name, ok, detail in checks:
        print(f"| {name} | {'pass' if ok else '**FAIL**'} | {detail} |")
    failed = sum(1 for _, ok, _ in checks if not ok)
    print(f"\nSPEC 8 targets: {len(checks) - failed} met, {failed} missed")
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
