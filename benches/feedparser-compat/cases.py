#!/usr/bin/env python3
"""Records what feedparser makes of RSS item text, for the Rust port's differential test.

Each input string goes into an arXiv-style RSS item as its <title>, its description's abstract
and its <dc:creator> (XML-escaped, as arXiv escapes them); feedparser parses the feed, and one
JSON line per input gives `in` and the `title`, `abstract` (the part after "Abstract: ", as the
original run.py took it) and `author` feedparser returned.

    python3 cases.py [--random N] [--seed S] < inputs.jsonl > cases.jsonl   (inputs: JSON strings)
    python3 cases.py --random 5000 > cases.jsonl

Needs feedparser 6.0.11 (pip install feedparser==6.0.11).
"""
import argparse
import json
import random
import sys
from xml.sax.saxutils import escape

import feedparser

FEED = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
<channel><title>cs.IR updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.IR</link>
<description>cs.IR updates</description><pubDate>Wed, 24 Sep 2025 00:00:00 -0400</pubDate>
{items}</channel></rss>"""

ITEM = """<item><title>{text}</title><link>https://arxiv.org/abs/2509.{n:05d}</link>
<description>arXiv:2509.{n:05d}v1 Announce Type: new 
Abstract: {text}</description>
<guid isPermaLink="false">oai:arXiv.org:2509.{n:05d}v1</guid>
<dc:creator>{text}</dc:creator></item>
"""

# Pieces that exercise the parser: tags of every kind, entities, bare & and <, quotes, comments.
PIECES = [
    "<", ">", "&", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#34;", "&#x27;", "&#150;",
    "&#8217;", "&nbsp;", "&copy", "&foo;", "&A", "&B-", "Q&A", "A&B", "3&4", "& ", "&#", "&#1",
    "&#x", "<b>", "</b>", "<i>", "</i>", "<s>", "</s>", "<EOS>", "<eos>", "<br/>", "<br />",
    "<x/>", "<a/b/", "<script>", "</script>", "<style>", "</style>", "<p class='x'>",
    '<a href="http://x.org/?a=1&b=2">', '<a href="javascript:x">', "</a>", "<img src=x>",
    "<reference image, modification text, target image>", "<sep>", "<|endoftext|>", "<>",
    "</>", "< ", "<1", "x<y", "a < b", "a > b", "<!-- c -->", "<!--", "-->", "<?pi?>", "<!x>",
    "<![CDATA[", "]]>", '"', "'", "=", "/", " ", "\n", "  ", "word", "LLM", "é", "Ã©", "\u0096",
    "<span title=\"a>b\">", "<td colspan=2 rowspan=\"3\">", "<div a=1 a=2 B=3>", "$x<y$",
    "<math>", "<svg>", "<mi>", "</math>", "</svg>", "<linearGradient x1=0>", "<path d=\"M0\" style=\"fill: red; color: blue\">",
    "<p style=\"color: red; margin: 0 auto; foo: bar\">", "<span style=\"url(x) background: #fff\">", "<a xlink:href=\"x\">",
    "<u>", "<table>", "<!DOCTYPE x>", "<![if x]>", "<![endif]>", "]>", "<!x y>", "<!x 1>",
]


def feed_text(texts):
    items = "".join(ITEM.format(text=escape(t), n=i) for i, t in enumerate(texts))
    return FEED.format(items=items)


def record(texts, out):
    # One feed per text. Some texts make feedparser itself fail (an AssertionError from
    # markupbase on `<!x 1>` when a third `<!` reaches it): the original script would have
    # crashed on that day; such texts are counted and left out.
    crashed = 0
    for t in texts:
        try:
            parsed = feedparser.parse(feed_text([t]).encode("utf-8"))
        except Exception:
            crashed += 1
            continue
        if parsed.bozo or len(parsed.entries) != 1:
            crashed += 1
            continue
        e = parsed.entries[0]
        parts = e.get("summary", "").split("Abstract: ")
        out.write(json.dumps({
            "in": t,
            "title": e.get("title", ""),
            "abstract": parts[1] if len(parts) > 1 else "",
            "author": e.get("author", ""),
        }, ensure_ascii=False) + "\n")
    if crashed:
        print(f"{crashed} texts left out (feedparser failed on them)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--random", type=int, default=0, help="N random strings instead of stdin")
    ap.add_argument("--seed", type=int, default=29)
    args = ap.parse_args()
    if args.random:
        rng = random.Random(args.seed)
        texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
                 for _ in range(args.random)]
    else:
        texts = [json.loads(line) for line in sys.stdin if line.strip()]
    record(texts, sys.stdout)


if __name__ == "__main__":
    main()
