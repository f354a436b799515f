#!/usr/bin/env python3
"""Why-words that explain: of the reasons `recommend` showed (beside.py --why-out FILE), the
share that are pieces of the paper's author names, and the share that are words spread evenly
over the archive (stock phrasing).

"Spread evenly" is measured on the whole shared listings (every distinct paper's title and
abstract, lower-cased, words of two letters or more and their pairs): a word or pair in at least
0.5% of the papers that occurs, where it occurs, 1.06 times a paper or less (burstiness: a topic's
words come back within its papers; boilerplate does not). A fixed list of boilerplate phrases is
counted too, as a check that does not share the definition.

  python3 benches/recommend/why.py --why FILE [--listings ../shared/data/listings/...]
"""
import argparse, collections, gzip, json, os, re

BOILERPLATE = ["existing methods", "promising approach", "achieved remarkable", "extensive experiments",
               "state-of-the-art", "outperforms", "demonstrate", "effectiveness", "however",
               "furthermore", "experimental results", "results show", "proposed method", "novel"]


def tokens(text):
    return re.findall(r"[a-z][a-z0-9\-]+", text.lower())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--why", required=True)
    ap.add_argument("--listings", default=os.path.join(os.path.dirname(__file__),
                    "../../../shared/data/listings/listings-ai-ir-cl.jsonl.gz"))
    args = ap.parse_args()
    seen, df, cf = set(), collections.Counter(), collections.Counter()
    with gzip.open(args.listings, "rt") as f:
        for line in f:
            r = json.loads(line)
            if r["id"] in seen:
                continue
            seen.add(r["id"])
            t = tokens(r["title"] + " " + r["abstract"])
            c = collections.Counter(t + [a + " " + b for a, b in zip(t, t[1:])])
            for k, n in c.items():
                df[k] += 1
                cf[k] += n
    n = len(seen)
    even = lambda w: df[w] >= 0.005 * n and cf[w] < 1.06 * df[w]
    shown = author = spread = listed = 0
    for line in open(args.why):
        r = json.loads(line)
        names = set(tokens(r["authors"]))
        for w in r["why"]:
            if w.startswith("by "):
                continue  # "by X, N papers in this tag": an author as a reason, on purpose
            shown += 1
            author += any(x in names for x in w.split(" "))
            spread += even(w)
            listed += w in BOILERPLATE
    print(f"{shown} why-words over {n} papers: author-name pieces {author / max(shown, 1):.3f}, "
          f"spread evenly {spread / max(shown, 1):.3f}, boilerplate list {listed / max(shown, 1):.3f}")


if __name__ == "__main__":
    main()
