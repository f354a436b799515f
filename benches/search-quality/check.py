#!/usr/bin/env python3
"""Checks the known-item queries against the rules of their style (benches/search-quality/README.md).

    python3 check.py LISTINGS.jsonl.gz queries.jsonl [more.jsonl ...]

Each query line is {"id": ARXIV_ID, "style": "remembered"|"keywords"|"vague", "query": TEXT}.
Words are compared lower-cased, punctuation stripped, with a light stem (a plural `s` dropped);
"content words" are words outside the stop list below. Prints one line per broken rule and exits 1
when any rule is broken, 0 otherwise.
"""
import gzip
import json
import re
import sys

STOP = set("""a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves via using use used based toward
towards new one two three within without across among upon whose""".split())

STYLES = {
    # style: (min words, max words)
    "remembered": (6, 16),
    "keywords": (3, 6),
    "vague": (5, 12),
}


def words(text):
    return re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?", text)


def norm(w):
    w = w.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def content(ws):
    return {norm(w) for w in ws if w.lower() not in STOP and not w.isdigit()}


def trigrams(ws):
    n = [norm(w) for w in ws]
    return {tuple(n[i : i + 3]) for i in range(len(n) - 2)}


def coined(title, abstract):
    """Names the paper coins: CamelCase or letter+digit words, and acronyms it defines "(ABC)"."""
    names = set()
    for w in words(title) + words(abstract):
        if re.search(r"[a-z][A-Z]", w) or (re.search(r"[A-Za-z]", w) and re.search(r"\d", w)):
            names.add(norm(w))
    for m in re.finditer(r"\(([A-Z][A-Za-z0-9-]{1,15})\)", abstract):
        names.add(norm(m.group(1)))
    return names


def main():
    listings, files = sys.argv[1], sys.argv[2:]
    papers = {}
    with gzip.open(listings, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            papers[row["id"]] = (row["title"], row["abstract"])
    bad = 0
    seen = set()
    for path in files:
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{where}: not JSON: {e}")
                bad += 1
                continue
            pid, style, text = q.get("id"), q.get("style"), q.get("query", "")
            problems = []
            if pid not in papers:
                problems.append(f"unknown paper {pid}")
            if style not in STYLES:
                problems.append(f"unknown style {style!r}")
            if (pid, style) in seen:
                problems.append("a second query of this style for this paper")
            seen.add((pid, style))
            if problems:
                print(f"{where}: " + "; ".join(problems))
                bad += 1
                continue
            title, abstract = papers[pid]
            qw = words(text)
            lo, hi = STYLES[style]
            if not lo <= len(qw) <= hi:
                problems.append(f"{len(qw)} words (the style takes {lo}-{hi})")
            qc = content(qw)
            in_title = qc & content(words(title))
            in_abstract = qc & content(words(abstract))
            names = qc & coined(title, abstract)
            if names:
                problems.append(f"a name the paper coins: {sorted(names)}")
            if style == "remembered":
                if len(in_title) > 2:
                    problems.append(f"{len(in_title)} title words {sorted(in_title)} (at most 2)")
                copied = trigrams(qw) & (trigrams(words(title)) | trigrams(words(abstract)))
                if copied:
                    problems.append(f"copies a three-word run: {[' '.join(t) for t in copied]}")
            elif style == "keywords":
                if len(in_title) > 3:
                    problems.append(f"{len(in_title)} title words {sorted(in_title)} (at most 3)")
            elif style == "vague":
                if in_title:
                    problems.append(f"title words {sorted(in_title)} (none allowed)")
                if len(in_abstract) > 2:
                    problems.append(f"{len(in_abstract)} abstract words {sorted(in_abstract)} (at most 2)")
            if problems:
                print(f"{where} [{pid} {style}] {text!r}: " + "; ".join(problems))
                bad += 1
    print(f"{len(seen)} queries checked, {bad} with broken rules", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
