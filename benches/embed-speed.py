#!/usr/bin/env python3
"""Embedding throughput: `arxiv-daily embed` against sentence-transformers, same texts, same run.

    python3 benches/embed-speed.py --model DIR [--papers 500] [--bin BIN] [--listings FILE]

The texts: the first N distinct papers of the listings file (../shared/data/listings by default),
imported with `import kaggle` into a fresh archive; each embedded from its title and abstract as
arxiv-daily embeds it (`embed::paper_text`), up to the model's max_seq_length, mean pooling,
L2-normalized. arxiv-daily's figure is the time spent in the model (`embed --json` seconds); the
peer's is `SentenceTransformer.encode` (PyTorch on the CPU, batch 32, after one warm-up call).
The vectors of both are compared: the lowest cosine between the two encodings of a text.
Needs `pip install sentence-transformers`.
"""
import argparse
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "search-quality"))
from bench import kaggle_line, paper_text  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--papers", type=int, default=500)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "arxiv-daily"))
    ap.add_argument("--listings", default=os.path.join(ROOT, "..", "shared", "data", "listings",
                                                       "listings-ai-ir-cl.jsonl.gz"))
    args = ap.parse_args()
    papers, cats = {}, {}
    with gzip.open(args.listings, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            cats.setdefault(r["id"], []).append(r["category"])
            if r["id"] not in papers:
                papers[r["id"]] = r
            if len(papers) >= args.papers:
                break
    work = tempfile.mkdtemp(prefix="embed-speed-")
    corpus = os.path.join(work, "corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for pid in sorted(papers):
            f.write(kaggle_line(papers[pid], cats[pid]) + "\n")
    archive = os.path.join(work, "archive")
    subprocess.run([args.bin, "--data-dir", archive, "import", "kaggle", corpus], check=True,
                   stdout=subprocess.DEVNULL)
    t = time.time()
    out = subprocess.run([args.bin, "--data-dir", archive, "embed", "--model", args.model, "--json"],
                         check=True, capture_output=True, text=True)
    wall = time.time() - t
    r = json.loads(out.stdout)
    ours = r["embedded"] / r["seconds"]
    print(f"arxiv-daily embed: {r['embedded']} papers, {r['seconds']:.1f} s in the model "
          f"({ours:.1f} papers/s), {wall:.1f} s whole process")

    import numpy as np
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(args.model, device="cpu")
    ids = sorted(papers)
    texts = [paper_text(papers[i]) for i in ids]
    model.encode(texts[:8])
    t = time.time()
    st = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    secs = time.time() - t
    peer = len(texts) / secs
    print(f"sentence-transformers: {len(texts)} papers in {secs:.1f} s ({peer:.1f} papers/s)")

    vecs = os.path.join(archive, "vectors")
    path = os.path.join(vecs, [n for n in os.listdir(vecs) if n.endswith(".sqlite3")][0])
    db = sqlite3.connect(path)
    got = {i: np.frombuffer(v, dtype="<f4") for i, v in db.execute("select id, v from vectors")}
    cos = [float(got[i] @ st[k]) for k, i in enumerate(ids)]
    print(f"ratio arxiv-daily / sentence-transformers: {ours / peer:.2f}; "
          f"cosine of the two vectors: min {min(cos):.5f}, mean {sum(cos) / len(cos):.5f}")


if __name__ == "__main__":
    main()
