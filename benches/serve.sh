#!/usr/bin/env bash
# Load benchmark of `arxiv-daily serve` over the archive benches/scale.sh built (1M or 3M papers):
# the 12 benchmark queries through /api/search (a page of 25 with snippets and the total) one
# connection at a time (the first request, which counts the total; then p50, p99 per query), the
# day and paper pages, then 16 concurrent connections over all 12 queries (requests/s, p99, errors)
# and the server's RSS after; beside it, the same queries against SQLite FTS5 in a warm process
# (one persistent connection, top 10 by rank). Everything listens on 127.0.0.1 and every run is
# bounded in time. Prints markdown tables.
#
#   SCALE_DIR=/work/corpus benches/serve.sh 1000000
#
# QUERIES_FILE (one query a line) replaces the 12 queries. SECONDS_EACH (5) sets each wrk run's length, PEER_RUNS (30) the FTS5 repetitions, MIX_RUNS (1)
# how many times the last table's runs are repeated (this VM's timings drift between runs).
#
# Needs wrk and python3 (wrk is installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
WORK=${SCALE_DIR:-/tmp/arxiv-daily-scale}
ARCHIVE=${ARCHIVE:-$WORK/archive-$COUNT}
FTS=$WORK/fts-$COUNT.db
SECONDS_EACH=${SECONDS_EACH:-5}
PEER_RUNS=${PEER_RUNS:-30}
MIX_RUNS=${MIX_RUNS:-1}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
# BIN=PATH times another binary (a previous release, for a before/after in one run).
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/arxiv-daily
fi
OUT=$(mktemp)
"$BIN" --data-dir "$ARCHIVE" serve --addr 127.0.0.1:0 > "$OUT" 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 50); do grep -q listening "$OUT" && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on \(.*\)\/$/\1/p' "$OUT")

QUERIES=(
  'transformer' '"large language models"' 'retrieval augmented generation' 'graph neural network recommendation'
  'diffusion' 'reinforcement learning robot' '"semantic IDs"' 'contrastive' 'federated learning privacy'
  'quantization' '"knowledge graph" completion' 'benchmark'
)
# QUERIES_FILE=benches/search-quality/sentences.txt times other queries (one a line) instead.
if [ -n "${QUERIES_FILE:-}" ]; then mapfile -t QUERIES < <(grep -v '^$' "$QUERIES_FILE"); fi
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
# wrk --latency prints "50%  1.23ms" lines; the value in ms.
pct() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }; printf "%.2f", v }'; }

# The first request of each query (it counts the total, which later pages and repeats reuse
# until the index changes), which also warms the page cache; errors are refused.
declare -A FIRST
for q in "${QUERIES[@]}"; do
  read -r CODE SECS < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$BASE/api/search?q=$(enc "$q")&size=25")
  [ "$CODE" = 200 ] || { echo "$q: HTTP $CODE" >&2; exit 2; }
  FIRST[$q]=$(python3 -c "print(f'{$SECS * 1000:.1f}')")
done

# The FTS5 peer in a warm process: one connection, each query PEER_RUNS times, the median (top 10 by
# rank; the server returns a page of 25 with snippets, so the comparison favours the peer).
# Without the peer's database (benches/scale.sh builds it), its columns say so.
declare -A PEER
[ -s "$FTS" ] || { for q in "${QUERIES[@]}"; do PEER[$q]=nan; done; PEER_RUNS=0; }
[ "$PEER_RUNS" -gt 0 ] && while IFS=$'\t' read -r q ms; do PEER[$q]=$ms; done < <(python3 - "$FTS" "$PEER_RUNS" "${QUERIES[@]}" <<'PY'
import sqlite3, sys, time, statistics
db = sqlite3.connect(sys.argv[1])
for q in sys.argv[3:]:
    sql = "select id from papers where papers match ? order by rank limit 10"
    db.execute(sql, (q,)).fetchall()
    times = []
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter(); db.execute(sql, (q,)).fetchall(); times.append((time.perf_counter() - t) * 1000)
    print(f"{q}\t{statistics.median(times):.3f}")
PY
)

echo "| query | first request ms | /api/search p50 ms | p99 ms | FTS5 warm median ms | ratio of medians |"
echo "| --- | --- | --- | --- | --- | --- |"
LOGSUM=0
for q in "${QUERIES[@]}"; do
  R=$(wrk -t1 -c1 -d"${SECONDS_EACH}"s --latency "$BASE/api/search?q=$(enc "$q")&size=25" 2>/dev/null)
  P50=$(echo "$R" | pct 50%); P99=$(echo "$R" | pct 99%)
  RATIO=$(python3 -c "nan = float('nan'); print(f'{$P50/${PEER[$q]}:.3f}')")
  LOGSUM=$(python3 -c "import math; nan = float('nan'); print($LOGSUM + math.log($P50/${PEER[$q]}))")
  echo "| $q | ${FIRST[$q]} | $P50 | $P99 | ${PEER[$q]} | $RATIO |"
done
echo "| geo-mean | | | | | $(python3 -c "import math; nan = float('nan'); print(f'{math.exp($LOGSUM/12):.3f}')") |"

DAY=$("$BIN" --data-dir "$ARCHIVE" report list --json | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(max(rows, key=lambda r: r['rows'])['date'])")
PAPER=$(curl -s "$BASE/api/search?q=transformer&size=25" | python3 -c "import json,sys; print(json.load(sys.stdin)['hits'][0]['id'])")
echo
echo "| page | p50 ms | p99 ms |"
echo "| --- | --- | --- |"
for path in "/day/$DAY" "/day/$DAY?view=all" "/paper/$PAPER" "/search?q=transformer" "/"; do
  R=$(wrk -t1 -c1 -d"${SECONDS_EACH}"s --latency "$BASE$path" 2>/dev/null)
  echo "| $path | $(echo "$R" | pct 50%) | $(echo "$R" | pct 99%) |"
done

# One connection, then 16, over the 12 queries in turn.
LUA=$(mktemp --suffix=.lua)
{
  echo "local paths = {"
  for q in "${QUERIES[@]}"; do echo "  \"/api/search?q=$(enc "$q")&size=25\","; done
  echo "}"
  echo 'local i = 0'
  echo 'request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end'
} > "$LUA"
echo
echo "| the 12 queries in turn, $((SECONDS_EACH * 3)) s | requests/s | p50 ms | p99 ms | errors | server RSS after |"
echo "| --- | --- | --- | --- | --- | --- |"
for c in 1 16; do for _ in $(seq "$MIX_RUNS"); do
  R=$(wrk -t$((c > 1 ? 2 : 1)) -c$c -d$((SECONDS_EACH * 3))s --latency -s "$LUA" "$BASE" 2>/dev/null)
  RPS=$(echo "$R" | awk '/Requests\/sec/ { print $2 }')
  ERR=$(echo "$R" | awk '/Non-2xx|Socket errors/ { print }' | tr '\n' ' ')
  RSS=$(ps -o rss= -p $SERVER)
  echo "| $c connection(s) | $RPS | $(echo "$R" | pct 50%) | $(echo "$R" | pct 99%) | ${ERR:-none} | $((RSS / 1024)) MB |"
done; done
rm -f "$LUA"
