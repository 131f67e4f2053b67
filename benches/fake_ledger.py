#!/usr/bin/env python3
"""A stand-in for `tierbook sample`, for developing the benchmark without the tool.

Writes D/销售台账.xlsx (or .csv with --csv) in the layout `tierbook sample` promises:
24 monthly sheets 2024年1月…2025年12月, each with a merged title row, a 制表单位 row, a blank
row, the header row, data rows and a 合计 row holding a SUM of 金额. About 1 in 2,000 dates
and amounts are text forms; a few dozen rows are bad (amount 待定, ambiguous or impossible
dates, a text-only note row); a few rows have no 客户编码 (walk-in customers by name, and
ID customers written by name only). The CSV holds the same rows in one file under one
header line, with the padded title lines and the 合计 lines left in.

Usage: fake_ledger.py --out-dir D --rows N [--seed S] [--csv]
"""
import argparse
import csv
import datetime as dt
import os
import random

HEADER = ["日期", "单据编号", "客户编码", "客户名称", "区域", "业务员", "产品编码",
          "规格型号", "数量", "单价", "标准价", "金额", "备注"]
REGIONS = ["华东", "华南", "华北", "西南", "华中", "东北"]
REPS = ["张伟", "王芳", "李娜", "刘强", "陈静", "杨洋"]


def months():
    for y in (2024, 2025):
        for m in range(1, 13):
            yield y, m


def days_in(y, m):
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - dt.date(y, m, 1)).days


def gen_rows(rows, seed):
    """Yields (sheet_name, [row dicts]) per month; a row is a list of 13 python values."""
    rnd = random.Random(seed)
    ncust = max(50, min(5000, rows // 40))
    custs = [(f"C{i:05d}", f"客户{i:05d}有限公司", rnd.choice(REGIONS), rnd.choice(REPS))
             for i in range(1, ncust + 1)]
    weights = [1.0 / (i ** 1.1) for i in range(1, ncust + 1)]
    walkins = [f"散客 {c}" for c in "甲乙丙丁戊己庚辛"]
    nprod = 200
    prices = {f"P{p:04d}": round(rnd.uniform(5, 500), 2) for p in range(1, nprod + 1)}
    prods = list(prices)
    per_month = [rows // 24 + (1 if i < rows % 24 else 0) for i in range(24)]
    # the bad rows: about 40 over the whole ledger, spread over the months
    bad_at = set(rnd.sample(range(rows), min(40, rows // 10)))
    n = 0
    order = 0
    for (y, m), count in zip(months(), per_month):
        out = []
        dim = days_in(y, m)
        days = sorted(rnd.randint(1, dim) for _ in range(count))
        picks = rnd.choices(range(ncust), weights=weights, k=count)
        for d, ci in zip(days, picks):
            order += 1
            code, name, region, rep = custs[ci]
            date = dt.date(y, m, d)
            prod = rnd.choice(prods)
            list_price = prices[prod]
            unit = round(list_price * rnd.uniform(0.85, 1.15), 2)
            qty = rnd.randint(1, 200)
            if rnd.random() < 0.02:
                qty = -qty  # return
            amount = round(qty * unit, 2)
            note = ""
            r = rnd.random()
            if r < 0.001:  # walk-in customer: no code, name with stray spaces
                code, name = "", "  " + rnd.choice(walkins) + " "
            elif r < 0.002:  # an ID customer written by name only
                code = ""
            date_v = date
            if rnd.random() < 0.0005:
                date_v = rnd.choice([f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}{m:02d}{d:02d}"])
            amount_v = amount
            if rnd.random() < 0.0005:
                a = abs(amount)
                txt = f"{a:,.2f}"
                amount_v = f"({txt})" if amount < 0 else rnd.choice([txt, "¥" + txt])
            row = [date_v, f"XS{y}{m:02d}-{order:07d}", code, name, region, rep, prod,
                   f"{prod}-规格", qty, unit, list_price, amount_v, note]
            if n in bad_at:
                kind = rnd.randrange(4)
                if kind == 0:
                    row[11] = "待定"
                elif kind == 1:
                    row[0] = f"{m:02d}/{min(d, 12):02d}/{y}"
                elif kind == 2:
                    row[0] = f"{y}-02-30"
                else:
                    row = ["以下为退货冲红"] + [None] * 12
            n += 1
            out.append(row)
        yield f"{y}年{m}月", out


def amount_num(v):
    """The number a person's SUM would see (text cells count 0 in Excel's SUM)."""
    return v if isinstance(v, (int, float)) else 0.0


def write_xlsx(path, rows, seed):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    moneyf = wb.add_format({"num_format": "#,##0.00"})
    titlef = wb.add_format({"bold": True, "align": "center"})
    for sheet, data in gen_rows(rows, seed):
        ws = wb.add_worksheet(sheet)
        ws.merge_range(0, 0, 0, len(HEADER) - 1, f"销售台账（{sheet}）", titlef)
        ws.write_string(1, 0, "制表单位：某某贸易有限公司")
        ws.write_row(3, 0, HEADER)
        r = 4
        total = 0.0
        for row in data:
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), datef)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v, moneyf if c in (9, 10, 11) else None)
                else:
                    ws.write_string(r, c, v)
            total += amount_num(row[11])
            r += 1
        ws.write_string(r, 2, "合计")
        ws.write_formula(r, 11, f"=SUM(L5:L{r})", moneyf, round(total, 2))
    wb.close()


def write_csv(path, rows, seed):
    width = len(HEADER)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["销售台账（2024年1月—2025年12月）"] + [""] * (width - 1))
        w.writerow(["制表单位：某某贸易有限公司"] + [""] * (width - 1))
        w.writerow([""] * width)
        w.writerow(HEADER)
        for sheet, data in gen_rows(rows, seed):
            total = 0.0
            for row in data:
                w.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date)
                            else f"{v:.2f}" if isinstance(v, float) else v for v in row])
                total += amount_num(row[11])
            w.writerow(["", "", "合计"] + [""] * 8 + [f"{total:.2f}", ""])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    if a.csv:
        write_csv(os.path.join(a.out_dir, "销售台账.csv"), a.rows, a.seed)
    else:
        write_xlsx(os.path.join(a.out_dir, "销售台账.xlsx"), a.rows, a.seed)


if __name__ == "__main__":
    main()
