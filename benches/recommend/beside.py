#!/usr/bin/env python3
"""A small tag beside a focused one: does the small tag take over the all-tags list?

For each topic of bench.py, a reader's library holds a focused tag (25 papers of the topic and
5 unrelated ones, before D0) and a tag of ONE paper of another topic, as a user who saved a paper
from a paper page once. On each of the next archived days, `arxiv-daily recommend --limit 10`
over all tags is compared with `recommend --tag focused --limit 10` alone:

  share   the one-paper tag's rows in the all-tags top 10 (mean)
  P@10    the focused topic's papers among the all-tags top 10, as a fraction of the same
          measure alone (target: >= 0.90)

  PYTHONPATH=<sklearn> python3 benches/recommend/beside.py --archive DIR --bin BIN [--d0s ...]

(bench.py's module is imported for its topics, listings and archive readers; sklearn is not used
here but bench.py imports it.)
"""
import argparse, json, os, random, re, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(__file__))
import bench  # noqa: E402


def recommend(binary, archive, lib, day, tag=None):
    cmd = [binary, "--data-dir", archive, "--library", lib, "recommend", "--from", day,
           "--to", day, "--limit", "10", "--json"]
    if tag:
        cmd[cmd.index("recommend") + 1:cmd.index("recommend") + 1] = ["--tag", tag]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: {p.stderr}")
    return [json.loads(l) for l in p.stdout.splitlines()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--archive", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--listings", default=os.path.join(os.path.dirname(__file__),
                    "../../../shared/data/listings/listings-ai-ir-cl.jsonl.gz"))
    ap.add_argument("--d0s")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--why-out", help="also write each shown paper's why-words and authors here "
                    "(JSON lines, for benches/recommend/why.py)")
    args = ap.parse_args()
    why_out = open(args.why_out, "w") if args.why_out else None
    d0s = args.d0s.split(",") if args.d0s else bench.D0S
    papers = bench.load_listings(args.listings)
    days, first = bench.archive_days(args.archive)
    ids = sorted(i for i in first if i in papers)
    text = {i: f"{papers[i]['title']} {papers[i]['abstract']}" for i in ids}
    topics = [(t[0], t[1]) for t in bench.TOPICS]
    match = {n: {i for i in ids if re.search(p, text[i], re.I)} for n, p in topics}
    sorted_days = sorted(d for d in days if days[d])
    rng = random.Random(args.seed)
    shares, ratios, alone_p, all_p = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for ti, (name, _) in enumerate(topics):
            d0 = d0s[ti % len(d0s)]
            other = topics[(ti + 5) % len(topics)][0]
            a = sorted(i for i in match[name] if first[i] < d0)
            b = sorted(i for i in match[other] if first[i] < d0 and i not in match[name])
            if len(a) < 25 or not b:
                continue
            pool = [i for i in ids if first[i] < d0 and i not in match[name]]
            focused = rng.sample(a[-200:], 25) + rng.sample(pool, 5)
            one = rng.choice(b[-200:])
            lib = os.path.join(tmp, f"{name}.sqlite3")
            for tag, papers_ in (("focused", focused), ("one", [one])):
                p = subprocess.run([args.bin, "--data-dir", args.archive, "--library", lib,
                                    "library", "add", "--tag", tag, *papers_],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    sys.exit(p.stderr)
            for d in [x for x in sorted_days if x >= d0][:bench.EVAL_DAYS]:
                relevant = {i for i in days[d] if i in match[name]} - set(focused)
                if not relevant:
                    continue
                alone = recommend(args.bin, args.archive, lib, d, "focused")
                both = recommend(args.bin, args.archive, lib, d)
                if why_out:
                    for r in alone + both:
                        why_out.write(json.dumps({"why": r["why"], "authors": r["authors"]}) + "\n")
                pa = sum(r["id"] in relevant for r in alone) / 10
                pb = sum(r["id"] in relevant for r in both) / 10
                shares.append(sum(r["tag"] == "one" for r in both) / 10)
                alone_p.append(pa)
                all_p.append(pb)
                if pa > 0:
                    ratios.append(pb / pa)
            print(f"{name}: {len(shares)} cases so far", file=sys.stderr)
    mean = lambda x: sum(x) / max(len(x), 1)
    print(f"cases {len(shares)}; one-paper tag's share of the all-tags top 10: {mean(shares):.3f}")
    print(f"focused P@10 alone {mean(alone_p):.3f}, beside the one-paper tag {mean(all_p):.3f}; "
          f"ratio (cases with P@10 alone > 0): {mean(ratios):.3f}")


if __name__ == "__main__":
    main()
