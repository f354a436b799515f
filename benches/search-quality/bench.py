#!/usr/bin/env python3
"""Known-item search quality: does a query written from a paper find that paper?

    python3 benches/search-quality/bench.py [--listings FILE] [--queries FILE ...] [--bin BIN] [--work DIR]

The corpus is every distinct paper of a listings file (../shared/data/listings by default: 112k papers
of cs.AI, cs.IR, cs.CL), imported into a fresh archive with `arxiv-daily import kaggle` (its latest
title, abstract and authors; the categories it was listed in). Each query line is
{"id", "style", "query"} (queries.jsonl beside this file; see README.md for the styles and check.py
for their rules). For every query and every system it records the rank of the paper among the first
100 hits, and prints MRR@10, recall@10 and recall@100 per style:

- `ranked`: `arxiv-daily search QUERY` (this version's default);
- `all-words`: `arxiv-daily search --all-words QUERY` (every word required: the search before ranking);
- `fts5`: SQLite FTS5 (porter unicode61) over title, abstract and authors, the query's words OR-ed,
  ordered by bm25() (the peer; same texts, same run).

Hidden sets run the same way: `--queries their.jsonl`. `--json FILE` writes every rank.
"""
import argparse
import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def papers_of(listings):
    """The latest row of every paper, and the categories it was listed in."""
    papers, cats = {}, {}
    with gzip.open(listings, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            cats.setdefault(r["id"], []).append(r["category"])
            old = papers.get(r["id"])
            if old is None or r["date"] >= old["date"]:
                papers[r["id"]] = r
    return papers, cats


def kaggle_line(r, cats):
    day = r["date"]
    return json.dumps(
        {
            "id": r["id"],
            "authors": r["authors"],
            "title": r["title"],
            "abstract": r["abstract"],
            "categories": " ".join(dict.fromkeys(cats)),
            "versions": [{"version": "v1", "created": time.strftime(
                "%a, %d %b %Y 12:00:00 GMT", time.strptime(day, "%Y-%m-%d"))}],
            "update_date": day,
        }
    )


def build(args, papers, cats):
    archive = os.path.join(args.work, "archive")
    marker = os.path.join(args.work, f"built-{len(papers)}")
    if os.path.exists(marker):
        return archive
    subprocess.run(["rm", "-rf", archive], check=True)
    os.makedirs(args.work, exist_ok=True)
    corpus = os.path.join(args.work, "corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for pid in sorted(papers):
            f.write(kaggle_line(papers[pid], cats[pid]) + "\n")
    t = time.time()
    subprocess.run([args.bin, "--data-dir", archive, "import", "kaggle", corpus], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"imported {len(papers)} papers in {time.time() - t:.1f} s", file=sys.stderr)
    open(marker, "w").close()
    return archive


def fts5_db(args, papers):
    path = os.path.join(args.work, "fts5.sqlite3")
    if not os.path.exists(path):
        db = sqlite3.connect(path + ".tmp")
        db.execute("create virtual table p using fts5(id unindexed, title, abstract, authors,"
                   " tokenize='porter unicode61')")
        db.executemany("insert into p values (?, ?, ?, ?)",
                       ((r["id"], r["title"], r["abstract"], r["authors"]) for r in papers.values()))
        db.execute("insert into p(p) values ('optimize')")
        db.commit()
        db.close()
        os.rename(path + ".tmp", path)
    return sqlite3.connect(path)


def ranks_cli(args, archive, query, extra):
    out = subprocess.run([args.bin, "--data-dir", archive, "search", "--json", "--limit", "100",
                          *extra, "--", query], capture_output=True, text=True)
    if out.returncode == 2 and "bad query" in out.stderr and "--all-words" in extra:
        # The exact grammar refuses some sentences (an apostrophe opens a quote): no hits.
        return []
    if out.returncode not in (0, 1):
        raise SystemExit(f"search {query!r} failed: {out.stderr}")
    return [json.loads(l)["id"] for l in out.stdout.splitlines() if l.strip()]


def ranks_fts5(db, query):
    words = re.findall(r"\w+", query)
    if not words:
        return []
    match = " OR ".join('"' + w.replace('"', '') + '"' for w in words)
    return [r[0] for r in db.execute(
        "select id from p where p match ? order by bm25(p) limit 100", (match,))]


def summary(rows):
    n = len(rows)
    mrr = sum(1 / r for r in rows if r and r <= 10) / n
    r10 = sum(1 for r in rows if r and r <= 10) / n
    r100 = sum(1 for r in rows if r and r <= 100) / n
    return mrr, r10, r100


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listings", default=os.path.join(ROOT, "..", "shared", "data", "listings",
                                                       "listings-ai-ir-cl.jsonl.gz"))
    ap.add_argument("--queries", nargs="+", default=[os.path.join(HERE, "queries.jsonl")])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "arxiv-daily"))
    ap.add_argument("--work", default="/tmp/search-quality")
    ap.add_argument("--systems", default="ranked,all-words,fts5")
    ap.add_argument("--json", help="write every query's ranks here")
    args = ap.parse_args()
    papers, cats = papers_of(args.listings)
    archive = build(args, papers, cats)
    db = fts5_db(args, papers)
    queries = [json.loads(l) for path in args.queries for l in open(path, encoding="utf-8") if l.strip()]
    systems = args.systems.split(",")
    results = {s: {} for s in systems}
    detail = []
    for q in queries:
        row = dict(q)
        for s in systems:
            if s == "fts5":
                found = ranks_fts5(db, q["query"])
            elif s == "all-words":
                found = ranks_cli(args, archive, q["query"], ["--all-words"])
            else:
                found = ranks_cli(args, archive, q["query"], [])
            rank = found.index(q["id"]) + 1 if q["id"] in found else None
            results[s].setdefault(q["style"], []).append(rank)
            row[s] = rank
        detail.append(row)
    if args.json:
        with open(args.json, "w") as f:
            for row in detail:
                f.write(json.dumps(row) + "\n")
    print(f"{len(papers)} papers, {len(queries)} queries")
    print("| style | system | queries | MRR@10 | recall@10 | recall@100 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for style in sorted({q["style"] for q in queries}):
        for s in systems:
            rows = results[s][style]
            mrr, r10, r100 = summary(rows)
            print(f"| {style} | {s} | {len(rows)} | {mrr:.3f} | {r10:.3f} | {r100:.3f} |")


if __name__ == "__main__":
    main()
