#!/usr/bin/env python3
"""Recommendation quality: simulated readers over the shared listings.

A reader follows a topic, defined here by a pattern over title and abstract that no ranker sees.
Their library is papers of that topic announced before a day D0 (plus a few unrelated ones:
interests are never pure); on each of the next archived days, the relevant papers are that day's
papers of the topic. Kinds: focused (25 + 5 unrelated), cold start (5), two interests
(12 + 12 + 6 unrelated), one paper (1), described (no paper: the tag is described by the reader's
sentence, `library describe`; the anchors, which take no sentence, are replaced by the sentence's
tf-idf cosine), focused+sentence (the focused library and the sentence). With an embedding model configured for the archive (`[embeddings]`, or
ARXIV_DAILY_MODEL), arxiv-daily ranks by meaning too; --embed first fills the vectors the readers
need (benches/st-endpoint.py serves sentence-transformers as the endpoint). Rankers, in the same run, over the same candidates (the day's listing
less the reader's library):
  arxiv-daily   `arxiv-daily recommend --tag T --from D --to D --json` over the archive
  sanity        arxiv-sanity-lite's ranker: TfidfVectorizer(1-2 grams, 20k features, min_df 5,
                max_df 0.1, sublinear tf, English stop words, its token pattern) over title,
                abstract and authors of every paper, LinearSVC(C=0.01, class_weight="balanced")
                with the library as positives and every other paper as negatives
  zotero        zotero-arxiv-daily's rule over the same tf-idf: score = sum_i w_i cos(c, p_i),
                the library newest first, w_i proportional to 1/(1 + log10(i + 1))
  feed          the listing's own order
Prints nDCG@10 and P@10 per kind and ranker, and writes them as JSON with --out.

  python3 benches/recommend/bench.py --archive DIR --bin target/release/arxiv-daily \
      [--listings ../shared/data/listings/listings-ai-ir-cl.jsonl.gz] [--topics FILE] [--out F]

--topics reads a JSON list of {"name": .., "pattern": .., "description": ..} in place of the topics below (the
measure is meant to be run on topics the rankers were not tuned on). Needs scikit-learn.
"""
import argparse, gzip, json, math, os, random, re, sqlite3, subprocess, sys, tempfile, time
from collections import defaultdict

import numpy as np
from sklearn import svm
from sklearn.feature_extraction.text import TfidfVectorizer

# (name, the pattern no ranker sees, the reader's own words for the interest: a "described" tag)
TOPICS = [
    ("recsys", r"\brecommend",
     "systems that suggest items, products or content to users from their past behaviour"),
    ("rag", r"retrieval[- ]augmented|\bRAG\b",
     "language models that look documents up in an external corpus before they answer"),
    ("speech", r"\bspeech\b|\bASR\b|spoken",
     "turning audio of people talking into text, and voice interfaces"),
    ("translation", r"machine translation|\bNMT\b",
     "automatically translating text from one human language into another"),
    ("kg", r"knowledge graph",
     "graphs of entities and their relations, completing and reasoning over them"),
    ("hallucination", r"hallucinat",
     "chatbots that confidently make up facts, and how to detect or prevent it"),
    ("medical", r"\bclinical\b|\bmedical\b|\bpatient",
     "AI in hospitals: diagnosis, health records and care for the sick"),
    ("legal", r"\blegal\b|\blaw\b|court",
     "AI for lawyers and judges: statutes, contracts and rulings"),
    ("math", r"mathematical reasoning|math word problem|theorem prov",
     "models that solve school arithmetic problems and prove formal theorems"),
    ("safety", r"jailbreak|red[- ]teaming|\bharmful\b",
     "attacks that trick aligned models into unsafe answers, and defences against them"),
    ("code", r"code generation|program synthesis|\bcoding\b",
     "LLMs that write software, complete functions and fix bugs"),
    ("sentiment", r"sentiment|\bemotion",
     "detecting opinions, feelings and affect in what people write"),
    ("summarization", r"summariz",
     "condensing long documents or meetings into short overviews"),
    ("multilingual", r"multilingual|low[- ]resource language|cross[- ]lingual",
     "NLP beyond English, for languages with little training data"),
    ("planning", r"\bplanning\b|\bplanner\b",
     "agents that decide sequences of actions to reach a goal"),
    ("fairness", r"\bbias(es)?\b|fairness|stereotyp",
     "models that treat groups of people unequally, measuring and reducing it"),
]
D0S = ["2025-06-02", "2025-11-03", "2026-03-02", "2026-06-01"]
EVAL_DAYS = 4
KINDS = {"focused": (25, 0, 5), "cold start": (5, 0, 0), "two interests": (12, 12, 6),
         "one paper": (1, 0, 0), "described": (0, 0, 0), "focused+sentence": (25, 0, 5)}


def load_listings(path):
    papers = {}
    with gzip.open(path, "rt") as f:
        for line in f:
            r = json.loads(line)
            p = papers.get(r["id"])
            if p is None or r["date"] < p["first"]:
                papers[r["id"]] = {"title": r["title"], "abstract": r["abstract"],
                                   "authors": r["authors"], "first": r["date"]}
    return papers


def archive_days(archive):
    db = sqlite3.connect(f"file:{archive}/arxiv-daily.sqlite3?mode=ro", uri=True)
    days = defaultdict(list)
    first = {}
    for day, aid in db.execute(
        "SELECT l.day, p.arxiv_id FROM listings l JOIN papers p ON p.pid = l.pid "
        "WHERE l.provenance != 'legacy' ORDER BY l.day, l.category, l.position"):
        if aid not in days[day]:
            days[day].append(aid)
        first.setdefault(aid, day)
    return days, first


def ndcg_p(ranked, relevant, k=10):
    top = ranked[:k]
    dcg = sum(1 / math.log2(i + 2) for i, x in enumerate(top) if x in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal, sum(1 for x in top if x in relevant) / k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--archive", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--listings", default=os.path.join(os.path.dirname(__file__),
                    "../../../shared/data/listings/listings-ai-ir-cl.jsonl.gz"))
    ap.add_argument("--topics")
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds", help="only these kinds (comma-separated)")
    ap.add_argument("--similar-variants", default="",
                    help="also run `similar` with these ARXIV_DAILY_RECOMMEND_TUNE values")
    ap.add_argument("--cache", help="keep the anchors' rankings here (pickle) and reuse them")
    ap.add_argument("--d0s", help="only these first days (comma-separated) of " + ",".join(D0S))
    ap.add_argument("--embed", action="store_true",
                    help="first embed the papers the readers need (their libraries, the days' "
                         "listings and the models' background) with the configured model")
    ap.add_argument("--variants", default="",
                    help="also rank with these settings of arxiv-daily's model "
                         "(ARXIV_DAILY_RECOMMEND_TUNE values, ';'-separated), for choosing them")
    args = ap.parse_args()
    topics = TOPICS
    if args.topics:
        topics = [(t["name"], t["pattern"], t.get("description", t["name"]))
                  for t in json.load(open(args.topics))]
    describe = {t[0]: t[2] for t in topics}
    topics = [(t[0], t[1]) for t in topics]
    d0s = args.d0s.split(",") if args.d0s else D0S
    t0 = time.time()
    papers = load_listings(args.listings)
    days, first = archive_days(args.archive)
    ids = sorted(i for i in first if i in papers)
    text = {i: f"{papers[i]['title']} {papers[i]['abstract']}" for i in ids}
    pats = {n: re.compile(p, re.I) for n, p in topics}
    match = {n: {i for i in ids if pats[n].search(text[i])} for n, _ in topics}
    cache = {}
    if args.cache and os.path.exists(args.cache):
        import pickle
        cache = pickle.load(open(args.cache, "rb"))
    # arxiv-sanity-lite's features (its compute.py), fit on every paper.
    corpus = [f"{papers[i]['title']} {papers[i]['abstract']} {papers[i]['authors']}" for i in ids]
    vectorizer = v = TfidfVectorizer(input="content", encoding="utf-8", decode_error="replace",
                        strip_accents="unicode", lowercase=True, analyzer="word",
                        stop_words="english", token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
                        ngram_range=(1, 2), max_features=20000, norm="l2", use_idf=True,
                        smooth_idf=True, sublinear_tf=True, max_df=0.1, min_df=5)
    described = not args.kinds or "described" in args.kinds.split(",")
    if cache.get("ids") == ids and not described:
        X = cache["X"]
    else:
        X = v.fit_transform(corpus)
        if cache.get("ids") != ids:
            cache = {"ids": ids, "X": X}
    row = {i: n for n, i in enumerate(ids)}
    print(f"{len(ids)} papers, {len(topics)} topics, features in {time.time() - t0:.0f} s",
          file=sys.stderr)
    sorted_days = sorted(d for d in days if days[d])
    rng = random.Random(args.seed)
    readers = []
    kinds = {k: v for k, v in KINDS.items()
             if not args.kinds or k in args.kinds.split(",")}
    for kind, (na, nb, nu) in kinds.items():
        for ti, (name, _) in enumerate(topics):
            d0 = d0s[ti % len(d0s)]
            other = topics[(ti + 5) % len(topics)][0]
            before = lambda t: sorted(i for i in match[t] if first[i] < d0)
            lib = []
            a = before(name)
            if len(a) < na:
                continue
            lib += rng.sample(a[-200:], na)
            topics_of = [name]
            if nb:
                b = [i for i in before(other) if i not in match[name]]
                if len(b) < nb:
                    continue
                lib += rng.sample(b[-200:], nb)
                topics_of.append(other)
            pool = [i for i in ids if first[i] < d0 and not any(i in match[t] for t in topics_of)]
            lib += rng.sample(pool, nu)
            eval_days = [d for d in sorted_days if d >= d0][:EVAL_DAYS]
            readers.append({"kind": kind, "topics": topics_of, "library": lib, "days": eval_days,
                            "description": describe[name]
                            if kind in ("described", "focused+sentence") else None})
    if args.embed:
        need = set()
        for r in readers:
            need.update(r["library"])
            for d in r["days"]:
                need.update(days[d])
                # The background: the papers listed on the days before, 1,500 of them.
                back = 0
                for e in reversed([x for x in sorted_days if x < d]):
                    need.update(days[e])
                    back += len(days[e])
                    if back >= 1500:
                        break
        need = sorted(need)
        print(f"embedding {len(need)} papers", file=sys.stderr)
        t1 = time.time()
        for k in range(0, len(need), 2000):
            p = subprocess.run([args.bin, "--data-dir", args.archive, "embed", *need[k:k + 2000]],
                               capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"embed: {p.stderr}")
        print(f"embedded in {time.time() - t1:.0f} s", file=sys.stderr)
    results = defaultdict(lambda: defaultdict(list))
    variants = [v for v in args.variants.split(";") if v]
    svariants = [v for v in args.similar_variants.split(";") if v]
    with tempfile.TemporaryDirectory() as tmp:
        for n, r in enumerate(readers):
            lib = r["library"]
            libset = set(lib)
            relevant_all = set().union(*(match[t] for t in r["topics"]))
            # Newest first, as zotero-arxiv-daily sorts the library (by date added; here by date).
            newest = sorted(lib, key=lambda i: (first[i], i), reverse=True)
            w = np.array([1 / (1 + math.log10(k + 1)) for k in range(len(newest))])
            w /= max(w.sum(), 1e-9)
            P = X[[row[i] for i in newest]]
            key = (r["kind"], tuple(r["topics"]), tuple(lib))
            if r["description"] and not lib:
                # No anchor takes a sentence: its tf-idf cosine (sanity's features) stands in
                # for both.
                P = vectorizer.transform([r["description"]])
                w = np.array([1.0])
                cache[key] = None
            elif key not in cache:
                y = np.zeros(X.shape[0])
                y[[row[i] for i in lib]] = 1
                clf = svm.LinearSVC(class_weight="balanced", verbose=False, max_iter=10000,
                                    tol=1e-6, C=0.01)
                clf.fit(X, y)
                cache[key] = clf.decision_function(X)
            sanity = cache[key]
            libfile = os.path.join(tmp, f"lib{n}.sqlite3")
            if r["description"]:
                run(args, libfile, ["library", "describe", "t", r["description"]])
            if lib:
                run(args, libfile, ["library", "add", "--tag", "t", *lib])
            for d in r["days"]:
                cands = [i for i in days[d] if i in row and i not in libset]
                relevant = {i for i in cands if i in relevant_all}
                if not relevant:
                    continue
                C = X[[row[i] for i in cands]]
                zot = (C @ P.T).toarray() @ w
                ranked = {
                    "feed": cands,
                    "sanity": rank(cands, zot if sanity is None else sanity[[row[i] for i in cands]]),
                    "zotero": rank(cands, zot),
                    "arxiv-daily": ours(args, libfile, d, cands),
                }
                for v in variants:
                    ranked[v] = ours(args, libfile, d, cands, v)
                if len(lib) == 1:
                    # `similar ID` over the day: the same engine with one paper.
                    ranked["similar"] = similar(args, lib[0], d, cands)
                    for v in svariants:
                        ranked["similar " + v] = similar(args, lib[0], d, cands, v)
                for m, rk in ranked.items():
                    results[r["kind"]][m].append(ndcg_p(rk, relevant))
            print(f"reader {n + 1}/{len(readers)} ({r['kind']}, {'+'.join(r['topics'])})",
                  file=sys.stderr)
    if args.cache:
        import pickle
        pickle.dump(cache, open(args.cache, "wb"))
    report = {}
    methods = (["arxiv-daily", "sanity", "zotero", "feed"] + variants + ["similar"]
               + ["similar " + v for v in svariants])
    print(f"{'kind':<14} {'cases':>5}  " + "  ".join(f"{m[:17]:>17}" for m in methods))
    every = defaultdict(list)
    for kind in kinds:
        res = results[kind]
        if not res:
            continue
        cells = []
        for m in methods:
            if not res[m]:
                cells.append("-".rjust(17))
                continue
            nd = float(np.mean([x[0] for x in res[m]]))
            p = float(np.mean([x[1] for x in res[m]]))
            if kind not in ("one paper", "described", "focused+sentence"):
                every[m] += res[m]
            report.setdefault(kind, {})[m] = {"ndcg@10": nd, "p@10": p, "cases": len(res[m])}
            cells.append(f"{nd:.3f} / {p:.3f}".rjust(17))
        print(f"{kind:<14} {len(res[methods[0]]):>5}  " + "  ".join(cells))
    cells = []
    for m in methods:
        if not every[m]:
            cells.append("-".rjust(17))
            continue
        nd = float(np.mean([x[0] for x in every[m]]))
        p = float(np.mean([x[1] for x in every[m]]))
        report.setdefault("all", {})[m] = {"ndcg@10": nd, "p@10": p, "cases": len(every[m])}
        cells.append(f"{nd:.3f} / {p:.3f}".rjust(17))
    print(f"{'all (3 kinds)':<14} {len(every[methods[0]]):>5}  " + "  ".join(cells))
    print("(each cell: nDCG@10 / P@10)")
    if args.out:
        json.dump(report, open(args.out, "w"), indent=1)


def rank(cands, scores):
    order = sorted(range(len(cands)), key=lambda k: (-scores[k], k))
    return [cands[k] for k in order]


def run(args, libfile, cmd, tune=None):
    env = dict(os.environ)
    if tune:
        env["ARXIV_DAILY_RECOMMEND_TUNE"] = tune
    p = subprocess.run([args.bin, "--data-dir", args.archive, "--library", libfile, *cmd],
                       capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: {p.stderr}")
    return p.stdout


def ours(args, libfile, day, cands, tune=None):
    out = run(args, libfile, ["recommend", "--tag", "t", "--from", day, "--to", day,
                              "--limit", "100000", "--json"], tune)
    candset = set(cands)
    got = [i for i in (json.loads(l)["id"] for l in out.splitlines()) if i in candset]
    seen = set(got)
    # Candidates the archive did not rank (none, normally) go last, in feed order.
    return got + [i for i in cands if i not in seen]


def similar(args, pid, day, cands, tune=None):
    out = run(args, "/nonexistent", ["similar", pid, "--from", day, "--to", day,
                                     "--limit", "1000", "--json"], tune)
    candset = set(cands)
    got = [i for i in (json.loads(l)["id"] for l in out.splitlines()) if i in candset]
    seen = set(got)
    return got + [i for i in cands if i not in seen]


if __name__ == "__main__":
    main()
