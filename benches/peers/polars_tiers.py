#!/usr/bin/env python3
"""Peer of `tierbook evaluate` for the SPEC 8 benchmark, written the way a polars user would.

Reads every sheet of a sales ledger (polars `read_excel`, calamine engine via fastexcel; or
`read_csv`), finds the header row (the first of the first 30 rows that maps date, customer
and amount), parses dates and amounts (cells and the text forms of SPEC 3.4), drops blank,
totals and unusable rows, windows by as_of = the latest valid date, sums window sales per
customer, assigns A/B/C by cumulative share (SPEC 7.1 step 1, A < 70 %, B < 90 %), writes the
per-customer result with `write_excel`, and writes {customer_key: [tier, "sales"]} as JSON.

Money is summed as integer cents (the ledgers hold 2-decimal amounts), so sums are exact.

Usage: polars_tiers.py LEDGER.xlsx|LEDGER.csv --out OUT.xlsx --json OUT.json
"""
import argparse
import calendar
import datetime as dt
import json
import sys

import polars as pl

ALIASES = {
    "date": ["日期", "订单日期", "开票日期", "销售日期", "单据日期", "date", "orderdate", "invoicedate"],
    "date_fallback": ["发货日期"],
    "cid": ["客户编码", "客户代码", "客户编号", "customerid", "customercode"],
    "cname": ["客户名称", "客户", "单位名称", "购货单位", "customer", "customername"],
    "amount": ["金额", "销售额", "销售金额", "价税合计", "含税金额", "amount", "sales", "netamount"],
}
TOTALS = {"合计", "小计", "总计", "本月合计", "累计", "total", "subtotal", "grandtotal"}
FULLWIDTH = [chr(c) for c in range(0xFF01, 0xFF5F)]
HALFWIDTH = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)]


def fold(s):
    """Header text as compared: full-width ASCII folded, spaces removed, case folded."""
    s = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in s)
    return "".join(s.split()).casefold()


def map_header(cells):
    """{field: column index} when this row is a header, else None."""
    found = {}
    for i, c in enumerate(cells):
        if c is None:
            continue
        h = fold(str(c))
        for field, names in ALIASES.items():
            if h in names and field not in found:
                found[field] = i
    if "date" not in found and "date_fallback" in found:
        found["date"] = found["date_fallback"]
    if "date" in found and "amount" in found and ("cid" in found or "cname" in found):
        return found
    return None


def take_sheet(df):
    """The data rows of one sheet (all columns text) as date, cid, cname, amount; None if no header."""
    head = df.head(30).rows()
    for i, row in enumerate(head):
        cols = map_header(row)
        if cols is None:
            continue
        names = df.columns
        body = df.slice(i + 1)
        pick = lambda f: pl.col(names[cols[f]]) if f in cols else pl.lit(None, pl.String)
        return body.select(
            pick("date").alias("date"), pick("cid").alias("cid"),
            pick("cname").alias("cname"), pick("amount").alias("amount"))
    return None


def read_ledger(path):
    if path.lower().endswith(".csv"):
        raw = pl.read_csv(path, has_header=False, infer_schema=False, truncate_ragged_lines=True,
                          encoding="utf8")
        first = raw.columns[0]
        raw = raw.with_columns(pl.col(first).str.strip_prefix("\ufeff"))
        sheets = {"csv": raw}
    else:
        sheets = pl.read_excel(path, sheet_id=0, engine="calamine", has_header=False,
                               read_options={"dtypes": "string"}, raise_if_empty=False)
    parts = []
    for name, df in sheets.items():
        part = take_sheet(df)
        if part is None:
            print(f"polars_tiers: sheet {name}: no header, skipped", file=sys.stderr)
            continue
        parts.append(part)
    return pl.concat(parts)


def parse(df):
    s = pl.col("date").str.strip_chars()
    ymd = s.str.extract_groups(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T][0-9:.]*)?$")
    compact = s.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    y = pl.coalesce(ymd.struct.field("1"), compact.struct.field("1"))
    m = pl.coalesce(ymd.struct.field("2"), compact.struct.field("2"))
    d = pl.coalesce(ymd.struct.field("3"), compact.struct.field("3"))
    text_date = pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-") \
        .str.to_date("%Y-%m-%d", strict=False)
    serial = s.str.extract(r"^(\d{5})(?:\.0+)?$").cast(pl.Int32, strict=False)
    serial_date = pl.when(serial.is_between(20000, 80000)).then(
        pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial))
    date = pl.coalesce(text_date, serial_date.cast(pl.Date))

    a = pl.col("amount").str.strip_chars()
    neg = a.str.contains(r"^[(（].*[)）]$")
    num = a.str.replace_many(FULLWIDTH, HALFWIDTH).str.replace_all(r"[\s,¥￥元()]", "") \
        .cast(pl.Float64, strict=False)
    cents = (num * 100).round(0).cast(pl.Int64)
    cents = pl.when(neg).then(-cents).otherwise(cents)

    cid = pl.col("cid").str.strip_chars()
    cname = pl.col("cname").str.replace_many(FULLWIDTH, HALFWIDTH) \
        .str.replace_all(r"\s+", " ").str.strip_chars()
    is_total = pl.any_horizontal(
        pl.col(c).str.replace_all(r"\s+", "").str.to_lowercase().is_in(list(TOTALS)).fill_null(False)
        for c in ("date", "cid", "cname"))
    blank = pl.all_horizontal(
        (pl.col(c).str.strip_chars().fill_null("") == "") for c in ("date", "cid", "cname", "amount"))

    out = df.filter(~is_total & ~blank).select(
        date.alias("date"), cents.alias("cents"),
        pl.when(cid != "").then(cid).alias("cid"),
        pl.when(cname != "").then(cname).alias("cname"))
    good = out.filter(pl.col("date").is_not_null() & pl.col("cents").is_not_null()
                      & (pl.col("cid").is_not_null() | pl.col("cname").is_not_null()))
    rejected = out.height - good.height
    # SPEC 9: a row without an ID whose name is the name of exactly one ID customer is theirs.
    owners = good.filter(pl.col("cid").is_not_null() & pl.col("cname").is_not_null()) \
        .group_by("cname").agg(pl.col("cid").unique()) \
        .filter(pl.col("cid").list.len() == 1) \
        .select("cname", pl.col("cid").list.first().alias("owner"))
    good = good.join(owners, on="cname", how="left") \
        .with_columns(pl.coalesce("cid", "owner", "cname").alias("key"))
    return good.select("date", "key", "cents"), rejected


def edate(d, months):
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def tiers(lines):
    as_of = lines["date"].max()
    start = edate(as_of, -12)
    in_window = (pl.col("date") > start) & (pl.col("date") <= as_of)
    per = lines.filter(pl.col("date") <= as_of).group_by("key").agg(
        pl.when(in_window).then(pl.col("cents")).otherwise(0).sum().alias("cents"))
    per = per.sort(["cents", "key"], descending=[True, False])
    total = per.filter(pl.col("cents") > 0)["cents"].sum()
    before = pl.col("cents").cum_sum() - pl.col("cents")
    per = per.with_columns(
        pl.when(pl.col("cents") <= 0).then(pl.lit("C"))
        .when(before * 10 < 7 * total).then(pl.lit("A"))
        .when(before * 10 < 9 * total).then(pl.lit("B"))
        .otherwise(pl.lit("C")).alias("tier"))
    return as_of, per


def money(c):
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    lines, rejected = parse(read_ledger(a.ledger))
    as_of, per = tiers(lines)
    per.select(pl.col("key").alias("客户"), (pl.col("cents") / 100).alias("销售额"),
               pl.col("tier").alias("等级")).write_excel(a.out, worksheet="客户分级")
    result = {k: [t, money(c)] for k, c, t in per.select("key", "cents", "tier").iter_rows()}
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump({"tool": "polars", "as_of": as_of.isoformat(), "rows": lines.height,
                   "rejected": rejected, "customers": result}, f, ensure_ascii=False)
    summary = per.group_by("tier").agg(pl.len(), pl.col("cents").sum()).sort("tier")
    print(f"polars: as_of {as_of}, {lines.height} rows, {rejected} rejected, "
          + ", ".join(f"{t}: {n} customers {money(c)}" for t, n, c in summary.iter_rows()))


if __name__ == "__main__":
    main()
