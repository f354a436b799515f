#!/usr/bin/env python3
"""After bench.py: the real reports of ../shared/data/legacy-reports (written by the original
script from arXiv's real feeds) against the day folders bench.py exported, paper by paper.

The listings fake-arxiv serves come from another source than the real feeds, so many texts differ
for reasons of their own (whitespace); what matters is where one mode matches the real bytes and
the other does not. Prints, per field, the counts of (matches with compat, matches without).

    python3 benches/feedparser-compat/crosscheck.py [--work DIR] [--shared DIR]
"""
import argparse
import csv
import glob
import os


def rows(folder):
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "*", "papers.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out.setdefault(row["Link"].rsplit("/", 1)[-1], []).append(row)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", default="/tmp/arxiv-daily-feedparser-compat")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
    args = ap.parse_args()
    real = rows(os.path.join(args.shared, "data/legacy-reports"))
    compat = rows(os.path.join(args.work, "feedparser"))
    clean = rows(os.path.join(args.work, "none"))
    both = [p for p in real if p in compat]
    print(f"{sum(len(v) for v in real.values())} real rows, {len(both)} of their papers in the listings")
    for field in ("Title", "Desc", "author"):
        counts = {}
        for p in both:
            for r in real[p]:
                key = (r[field] == compat[p][0][field], r[field] == clean[p][0][field])
                counts[key] = counts.get(key, 0) + 1
        print(f"{field}: both match {counts.get((True, True), 0)}, only compat {counts.get((True, False), 0)}, "
              f"only without {counts.get((False, True), 0)}, neither {counts.get((False, False), 0)}")


if __name__ == "__main__":
    main()
