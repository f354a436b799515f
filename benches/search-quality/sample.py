#!/usr/bin/env python3
"""Draws the known-item papers of the search-quality benchmark at random from a listings file.

    python3 sample.py ../../../shared/data/listings/listings-ai-ir-cl.jsonl.gz --count 240 --seed 24 > ids.txt

Prints one arXiv id a line. The draw is over distinct papers (a paper listed in several
categories or on several days counts once), with a fixed seed, so the same file gives the same ids.
"""
import argparse
import gzip
import json
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("listings")
    ap.add_argument("--count", type=int, default=240)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--exclude", help="a file of ids (one a line) not to draw")
    args = ap.parse_args()
    seen = set()
    with gzip.open(args.listings, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if len(row["abstract"]) >= 200:
                seen.add(row["id"])
    excluded = set()
    if args.exclude:
        excluded = {l.strip() for l in open(args.exclude) if l.strip()}
    ids = sorted(seen - excluded)
    for i in random.Random(args.seed).sample(ids, args.count):
        print(i)


if __name__ == "__main__":
    main()
