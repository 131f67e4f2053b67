#!/usr/bin/env python3
"""Peer of `tierbook evaluate` for the SPEC 8 benchmark, written the way a pandas user would.

Same job as polars_tiers.py with pandas + openpyxl: `read_excel(sheet_name=None,
engine="openpyxl")` (or `read_csv`), header row found in the first 30 rows, dates and
amounts parsed (cells and the text forms of SPEC 3.4), blank / totals / unusable rows
dropped, window by as_of = the latest valid date, window sales per customer in integer
cents, A/B/C by cumulative share (A < 70 %, B < 90 %), `to_excel` (openpyxl) of the
per-customer result and {customer_key: [tier, "sales"]} as JSON.

Usage: pandas_tiers.py LEDGER.xlsx|LEDGER.csv --out OUT.xlsx --json OUT.json
"""
import argparse
import calendar
import datetime as dt
import json
import sys

import numpy as np
import pandas as pd

ALIASES = {
    "date": ["日期", "订单日期", "开票日期", "销售日期", "单据日期", "date", "orderdate", "invoicedate"],
    "date_fallback": ["发货日期"],
    "cid": ["客户编码", "客户代码", "客户编号", "customerid", "customercode"],
    "cname": ["客户名称", "客户", "单位名称", "购货单位", "customer", "customername"],
    "amount": ["金额", "销售额", "销售金额", "价税合计", "含税金额", "amount", "sales", "netamount"],
}
TOTALS = {"合计", "小计", "总计", "本月合计", "累计", "total", "subtotal", "grandtotal"}
FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def fold(s):
    return "".join(s.translate(FOLD).split()).casefold()


def map_header(cells):
    found = {}
    for i, c in enumerate(cells):
        if c is None or (isinstance(c, float) and np.isnan(c)):
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
    for i, row in enumerate(df.head(30).itertuples(index=False)):
        cols = map_header(list(row))
        if cols is None:
            continue
        body = df.iloc[i + 1:]
        out = pd.DataFrame(index=body.index)
        for f in ("date", "cid", "cname", "amount"):
            out[f] = body.iloc[:, cols[f]] if f in cols else None
        return out
    return None


def read_ledger(path):
    if path.lower().endswith(".csv"):
        raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False,
                          skip_blank_lines=False, encoding="utf-8-sig")
        sheets = {"csv": raw}
    else:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    parts = []
    for name, df in sheets.items():
        part = take_sheet(df)
        if part is None:
            print(f"pandas_tiers: sheet {name}: no header, skipped", file=sys.stderr)
            continue
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def as_text(col):
    """Cells as text: dates as ISO, floats by their shortest repr, blanks as ''."""
    col = col.astype(object)
    out = col.where(col.notna(), "")
    is_dt = out.map(lambda v: isinstance(v, (dt.datetime, dt.date)))
    out = out.astype(str)
    if is_dt.any():
        out[is_dt] = out[is_dt].str.slice(0, 10)
    return out.str.strip()


def parse(df):
    d = as_text(df["date"])
    ymd = d.str.extract(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T][0-9:.]*)?$")
    compact = d.str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    ymd = ymd.fillna(compact)
    iso = ymd[0] + "-" + ymd[1].str.zfill(2) + "-" + ymd[2].str.zfill(2)
    date = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    serial = pd.to_numeric(d.str.extract(r"^(\d{5})(?:\.0+)?$")[0], errors="coerce")
    serial = serial.where((serial >= 20000) & (serial <= 80000))
    date = date.fillna(pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D"))

    a = as_text(df["amount"])
    neg = a.str.contains(r"^[(（].*[)）]$", regex=True)
    num = pd.to_numeric(a.str.translate(FOLD).str.replace(r"[\s,¥￥元()]", "", regex=True),
                        errors="coerce")
    cents = (num * 100).round(0)
    cents = cents.where(~neg, -cents)

    cid = as_text(df["cid"])
    cname = as_text(df["cname"]).str.translate(FOLD).str.replace(r"\s+", " ", regex=True).str.strip()
    squash = lambda s: s.str.replace(r"\s+", "", regex=True).str.lower()
    is_total = squash(d).isin(TOTALS) | squash(cid).isin(TOTALS) | squash(cname).isin(TOTALS)
    blank = (d == "") & (cid == "") & (cname == "") & (a == "")

    out = pd.DataFrame({"date": date, "cents": cents, "cid": cid, "cname": cname})
    out = out[~is_total & ~blank]
    ok = out["date"].notna() & out["cents"].notna() & ((out["cid"] != "") | (out["cname"] != ""))
    good = out[ok].copy()
    rejected = len(out) - len(good)
    good["cents"] = good["cents"].astype("int64")
    # SPEC 9: a row without an ID whose name is the name of exactly one ID customer is theirs.
    with_id = good[(good["cid"] != "") & (good["cname"] != "")]
    ids = with_id.groupby("cname")["cid"].unique()
    owners = ids[ids.map(len) == 1].map(lambda v: v[0])
    owner = good["cname"].map(owners)
    good["key"] = good["cid"].where(good["cid"] != "", owner.fillna(good["cname"]))
    return good[["date", "key", "cents"]], rejected


def edate(d, months):
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def tiers(lines):
    as_of = lines["date"].max().date()
    start = pd.Timestamp(edate(as_of, -12))
    lines = lines[lines["date"] <= pd.Timestamp(as_of)]
    window = (lines["date"] > start)
    per = lines.assign(cents=lines["cents"].where(window, 0)).groupby("key", as_index=False)["cents"].sum()
    per = per.sort_values(["cents", "key"], ascending=[False, True], kind="stable").reset_index(drop=True)
    total = int(per.loc[per["cents"] > 0, "cents"].sum())
    before = per["cents"].cumsum() - per["cents"]
    per["tier"] = np.select([per["cents"] <= 0, before * 10 < 7 * total, before * 10 < 9 * total],
                            ["C", "A", "B"], "C")
    return as_of, per


def money(c):
    c = int(c)
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
    pd.DataFrame({"客户": per["key"], "销售额": per["cents"] / 100, "等级": per["tier"]}) \
        .to_excel(a.out, sheet_name="客户分级", index=False, engine="openpyxl")
    result = {k: [t, money(c)] for k, c, t in zip(per["key"], per["cents"], per["tier"])}
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump({"tool": "pandas", "as_of": as_of.isoformat(), "rows": len(lines),
                   "rejected": rejected, "customers": result}, f, ensure_ascii=False)
    summary = per.groupby("tier")["cents"].agg(["size", "sum"])
    print(f"pandas: as_of {as_of}, {len(lines)} rows, {rejected} rejected, "
          + ", ".join(f"{t}: {n} customers {money(c)}" for t, (n, c) in summary.iterrows()))


if __name__ == "__main__":
    main()
