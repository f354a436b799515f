#!/usr/bin/env bash
# Compares what two arxiv-daily binaries print on the shared fixtures, byte for byte: each builds
# its own archive from the same inputs (the 84 legacy report folders, the Kaggle lines that
# fake-arxiv derives from the shared listings, three RSS feeds), then both answer the same
# commands (every legacy day's report as markdown, CSV and JSON, report list, stats, status,
# searches of every kind as JSON, Atom and BibTeX, show, similar, feeds, doctor), first each over
# its own archive, then both over the same one. Prints one line per command that differs and a
# count per pass; exits 1 when any differ.
#
#   benches/compare-outputs.sh OLD_BINARY NEW_BINARY
#
# Needs ../shared (python3 for tools/fake-arxiv). Work files go to $COMPARE_DIR (default
# /tmp/arxiv-daily-compare), never into the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1")
NEW=$(realpath "$2")
SHARED=$(realpath "${SHARED:-../shared}")
WORK=${COMPARE_DIR:-/tmp/arxiv-daily-compare}
mkdir -p "$WORK"
LISTINGS=$SHARED/data/listings/listings-ai-ir-cl.jsonl.gz
KAGGLE=$WORK/kaggle.jsonl
[ -s "$KAGGLE" ] || "$SHARED/tools/fake-arxiv" kaggle --listings "$LISTINGS" > "$KAGGLE"
FEED_DAYS=(2026-08-03 2026-08-04 2026-08-05)
for d in "${FEED_DAYS[@]}"; do
  [ -s "$WORK/rss-$d.xml" ] || "$SHARED/tools/fake-arxiv" rss --listings "$LISTINGS" --date "$d" --categories cs.IR > "$WORK/rss-$d.xml"
done

build() { # BIN DIR (REUSE=1 keeps archives built by an earlier run)
  [ -n "${REUSE:-}" ] && [ -s "$2/arxiv-daily.sqlite3" ] && return
  rm -rf "$2"
  "$1" --data-dir "$2" import legacy "$SHARED/data/legacy-reports" > /dev/null 2>&1
  "$1" --data-dir "$2" import kaggle "$KAGGLE" > /dev/null 2>&1
  for d in "${FEED_DAYS[@]}"; do
    "$1" --data-dir "$2" ingest --category cs.IR --feed-file "$WORK/rss-$d.xml" > /dev/null 2>&1
  done
}
build "$OLD" "$WORK/old" &
build "$NEW" "$WORK/new"
wait

COMMANDS=()
for day in "$SHARED"/data/legacy-reports/*/; do
  d=$(basename "$day")
  COMMANDS+=("report show $d" "report show $d --format csv" "report show $d --json" "report show $d --clean")
done
for d in "${FEED_DAYS[@]}"; do
  COMMANDS+=("report show $d --json" "report show $d --profile default")
done
COMMANDS+=(
  "report list --json" "report list" "stats --json" "stats" "status --json" "status --from 2026-07-01"
  "report feed --profile default --days 30" "doctor --json"
)
QUERIES=(
  "transformer" '"large language models"' "retrieval augmented generation" "graph neural network recommendation"
  "recommendation -survey" 'ti:"generative retrieval"' "au:wang" 'abs:"semantic ids"' "multimodal OR multi-modal"
  "(retrieval OR ranking) llm" "diffusion" "benchmark"
)
for q in "${QUERIES[@]}"; do
  COMMANDS+=("search|$q|--json --limit 50" "search|$q|--json --limit 20 --offset 20" "search|$q|--json --sort date --limit 30"
    "search|$q|--limit 5" "search|$q|--format bibtex --limit 5" "search|$q|--json --from 2026-01-01 --to 2026-03-31 --category cs.IR --limit 20")
done
COMMANDS+=("search|retrieval|--format atom --limit 20")
# Ties that the old binary cut wrongly (constant-score queries): expected to differ.
TIES=("search|cat:cs.AI|--json --limit 3" "search|cat:cs.IR|--json --limit 25")
COMMANDS+=("${TIES[@]}")
IDS=$(head -n 8 "$KAGGLE" | python3 -c 'import json, sys; print(" ".join(json.loads(l)["id"] for l in sys.stdin))')
for id in $IDS; do
  COMMANDS+=("show $id" "show $id --json" "show $id --format bibtex" "similar $id --json" "similar $id")
done

run() { # BIN DIR OUT COMMAND
  local bin=$1 dir=$2 out=$3 c=$4
  if [[ $c == search\|* ]]; then
    IFS='|' read -r _ q flags <<< "$c"
    # shellcheck disable=SC2086
    "$bin" --data-dir "$dir" search "$q" $flags > "$out" 2>&1 || echo "exit $?" >> "$out"
  else
    # shellcheck disable=SC2086
    "$bin" --data-dir "$dir" $c > "$out" 2>&1 || echo "exit $?" >> "$out"
  fi
}
compare() { # OLD_ARCHIVE NEW_ARCHIVE LABEL
  local same=0 differ=0
  for c in "${COMMANDS[@]}"; do
    run "$OLD" "$1" "$WORK/out-old" "$c"
    run "$NEW" "$2" "$WORK/out-new" "$c"
    # When each archive fetched its feeds is the one thing that differs by design.
    sed -i -E 's/"fetched_at":"[^"]*"/"fetched_at":"-"/g' "$WORK/out-old" "$WORK/out-new"
    if cmp -s "$WORK/out-old" "$WORK/out-new"; then
      same=$((same + 1))
    else
      differ=$((differ + 1))
      echo "$3: differs: ${c//|/ }"
    fi
  done
  echo "$3: $same outputs equal, $differ differ (of ${#COMMANDS[@]} commands)"
  DIFFERED=$((DIFFERED + differ))
}
DIFFERED=0
# Each binary over the archive it wrote (the write path and the read path), then both over the
# same archive (the read path alone: Tantivy's segment layout after a bulk load depends on thread
# timing, and so can the last digits of a union query's scores).
compare "$WORK/old" "$WORK/new" "own archives"
compare "$WORK/new" "$WORK/new" "one archive"
[ "$DIFFERED" -eq 0 ]
