#!/usr/bin/env python3
"""The original script against arxiv-daily, byte for byte, over every cs.IR day of the shared
listings, with and without `compat = "feedparser"`.

For each announcement day that holds cs.IR papers, fake-arxiv (../shared/tools) is set to that day
and serves its cs.IR feed; then
  - `original()` does what the original run.py did (feedparser over the feed, titles holding
    multimodal / multi-modal / generative / llm, papers.csv through csv.DictWriter, README.md from
    that CSV read back), writing DD-Mon-YYYY/{README.md,papers.csv} named by the day;
  - `arxiv-daily ingest` reads the same feed into one archive.
Then `arxiv-daily report export` writes the day folders twice, with a config without `compat` and
one with `compat = "feedparser"`, and every file is compared with the script's.

    python3 benches/feedparser-compat/bench.py --bin target/release/arxiv-daily [--work DIR]

Needs feedparser 6.0.11 in this Python (pip install feedparser==6.0.11) and ../shared. Prints
the counts, and the days that differ; work files go to --work (default
/tmp/arxiv-daily-feedparser-compat), never into the repository.
"""
import argparse
import csv
import datetime
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import feedparser

KEYWORDS = ("multimodal", "multi-modal", "generative", "llm")

CONFIG = """[[profile]]
name = "default"
categories = ["cs.IR"]
title_keywords = ["multimodal", "multi-modal", "generative", "llm"]
{compat}"""


def original(url, day, out):
    """run.py's logic, with the run day fixed to the announcement day."""
    feed = feedparser.parse(url)
    folder = os.path.join(out, day.strftime("%d-%b-%Y"))
    os.makedirs(folder, exist_ok=True)
    csv_path = os.path.join(folder, "papers.csv")
    with open(csv_path, "w", newline="", encoding="utf-8") as csvfile:
        writer = csv.DictWriter(csvfile, fieldnames=["Title", "Link", "Desc", "author"])
        writer.writeheader()
        for entry in feed.entries:
            title = entry.title
            low = title.lower()
            if any(k in low for k in KEYWORDS):
                abstract = entry.summary.split("Abstract: ")[1]
                writer.writerow({"Title": title, "Link": entry.link, "Desc": abstract,
                                 "author": entry.author})
    with open(os.path.join(folder, "README.md"), "w", encoding="utf-8") as md:
        md.write(f"# arXiv Daily Report - {day.strftime('%d-%b-%Y')}\n\n")
        md.write("| Title | Link | abstract | author |\n")
        md.write("| --- | --- | --- | --- |\n")
        # Read back as the script did: text mode, so CRLF (and any lone CR) becomes LF.
        with open(csv_path, "r", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                md.write(f"| {row['Title']} | [{row['Link']}]({row['Link']}) | {row['Desc']} | {row['author']} |\n")


def ir_days(listings):
    days = set()
    with gzip.open(listings, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["category"] == "cs.IR":
                days.add(row["date"])
    return sorted(days)


def start_fake(fake, listings, work):
    port_file = os.path.join(work, "port")
    if os.path.exists(port_file):
        os.remove(port_file)
    proc = subprocess.Popen([fake, "serve", "--listings", listings, "--port", "0",
                             "--port-file", port_file],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("fake-arxiv exited before it listened")
        try:
            port = open(port_file).read().strip()
            if port.isdigit():
                return proc, f"http://127.0.0.1:{port}"
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    proc.kill()
    sys.exit("fake-arxiv did not listen within 60 s")


def compare(a, b):
    """(identical days, differing days) between two trees of day folders."""
    same, differ = [], []
    for day in sorted(os.listdir(a)):
        files = ("README.md", "papers.csv")
        equal = all(
            os.path.exists(os.path.join(b, day, f))
            and open(os.path.join(a, day, f), "rb").read() == open(os.path.join(b, day, f), "rb").read()
            for f in files
        )
        (same if equal else differ).append(day)
    return same, differ


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the arxiv-daily binary")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../../shared"))
    ap.add_argument("--work", default="/tmp/arxiv-daily-feedparser-compat")
    ap.add_argument("--limit", type=int, default=0, help="only the first N days (a quick try)")
    args = ap.parse_args()
    if feedparser.__version__ != "6.0.11":
        sys.exit(f"feedparser {feedparser.__version__}: the original script's is 6.0.11")
    shared = os.path.realpath(args.shared)
    fake = os.path.join(shared, "tools/fake-arxiv")
    listings = os.path.join(shared, "data/listings/listings-ai-ir-cl.jsonl.gz")
    binary = os.path.realpath(args.bin)
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for name, compat in (("none", ""), ("feedparser", 'compat = "feedparser"\n')):
        with open(os.path.join(work, f"{name}.toml"), "w") as f:
            f.write(CONFIG.format(compat=compat))
    days = ir_days(listings)
    if args.limit:
        days = days[: args.limit]
    data = os.path.join(work, "archive")
    proc, base = start_fake(fake, listings, work)
    started = time.monotonic()
    try:
        for n, d in enumerate(days, 1):
            urllib.request.urlopen(f"{base}/__today/{d}").read()
            original(f"{base}/rss/cs.IR", datetime.date.fromisoformat(d), os.path.join(work, "original"))
            subprocess.run([binary, "--data-dir", data, "--config", os.path.join(work, "none.toml"),
                            "ingest", "--rss-url", f"{base}/rss/", "--min-interval", "0"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if n % 50 == 0:
                print(f"{n}/{len(days)} days", file=sys.stderr)
    finally:
        proc.kill()
        proc.wait()
    results = {}
    for name in ("none", "feedparser"):
        out = os.path.join(work, name)
        subprocess.run([binary, "--data-dir", data, "--config", os.path.join(work, f"{name}.toml"),
                        "report", "export", out], check=True, stderr=subprocess.DEVNULL)
        results[name] = compare(os.path.join(work, "original"), out)
    print(f"{len(days)} cs.IR days, {time.monotonic() - started:.0f} s")
    for name, (same, differ) in results.items():
        label = 'compat = "feedparser"' if name == "feedparser" else "without compat"
        print(f"{label}: {len(same)} identical, {len(differ)} different"
              + (f": {' '.join(differ)}" if differ else ""))


if __name__ == "__main__":
    main()
