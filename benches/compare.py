#!/usr/bin/env python3
"""Checks that tierbook and every peer found the same customers per tier and window sales.

  compare.py [--tierbook [NAME=]EVAL.json ...] [--peer NAME=PEER.json ...]

tierbook's JSON is `evaluate --json` (SPEC 7.3): customers[].key, .sales (an exact decimal
JSON number) and .volume_tier; a peer's JSON is {"as_of", "customers": {key: [tier,
"sales"]}}. Sales are compared exactly to the cent. The first input is the reference; every
other one must have the same as_of, the same set of customers, and per customer the same
tier and sales. Prints one line per input and exits 1, listing the first differences, when
any differs.
"""
import argparse
import json
import sys
from decimal import Decimal

CENT = Decimal("0.01")


def load_tierbook(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_float=Decimal, parse_int=Decimal)
    label_to_tier = {}
    for t in doc.get("tiers") or []:
        if t.get("label"):
            label_to_tier[t["label"]] = t["tier"]
    out, inexact = {}, 0
    for c in doc["customers"]:
        sales = Decimal(str(c["sales"] if c["sales"] is not None else 0))
        if sales != sales.quantize(CENT):
            inexact += 1
        tier = c.get("volume_tier")
        out[str(c["key"])] = (label_to_tier.get(tier, tier), sales.quantize(CENT))
    if inexact:
        print(f"compare: note: {inexact} tierbook sales have more than 2 decimals", file=sys.stderr)
    return str(doc.get("as_of")), out


def load_peer(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return str(doc.get("as_of")), {k: (t, Decimal(s)) for k, (t, s) in doc["customers"].items()}


def summary(custs):
    per = {}
    for tier, sales in custs.values():
        n, s = per.get(tier, (0, Decimal(0)))
        per[tier] = (n + 1, s + sales)
    return ", ".join(f"{t}: {n} customers {s}" for t, (n, s) in sorted(per.items(), key=lambda x: str(x[0])))


def diff(ref_name, ref, name, other, limit=10):
    out = []
    for k in sorted(set(ref) | set(other)):
        a, b = ref.get(k), other.get(k)
        if a != b:
            out.append(f"  {k!r}: {ref_name}={a} {name}={b}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tierbook", action="append", default=[], metavar="[NAME=]FILE")
    ap.add_argument("--peer", action="append", default=[], metavar="NAME=FILE")
    a = ap.parse_args()
    inputs = []
    for t in a.tierbook:
        name, _, path = t.partition("=") if "=" in t else ("tierbook", "", t)
        inputs.append((name or "tierbook",) + load_tierbook(path))
    for p in a.peer:
        name, _, path = p.partition("=")
        if not path:
            ap.error(f"--peer wants NAME=FILE, got {p!r}")
        inputs.append((name,) + load_peer(path))
    if len(inputs) < 2:
        print("compare: need at least two results", file=sys.stderr)
        return 2
    ref_name, ref_asof, ref = inputs[0]
    failed = False
    for name, as_of, custs in inputs:
        print(f"  {name}: as_of {as_of}, {len(custs)} customers; {summary(custs)}")
    for name, as_of, custs in inputs[1:]:
        if as_of != ref_asof:
            print(f"MISMATCH {name}: as_of {as_of}, {ref_name} says {ref_asof}")
            failed = True
        d = diff(ref_name, ref, name, custs)
        if d:
            failed = True
            print(f"MISMATCH {name} vs {ref_name}: {len(d)} customers differ (tier, sales):")
            print("\n".join(d[:10]) + ("\n  …" if len(d) > 10 else ""))
    if failed:
        return 1
    print(f"  agree: {', '.join(n for n, _, _ in inputs)} — same as_of, customers per tier and window sales")
    return 0


if __name__ == "__main__":
    sys.exit(main())
