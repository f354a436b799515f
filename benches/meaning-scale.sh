#!/usr/bin/env bash
# Search by meaning at scale: `search --mode hybrid`, `--mode meaning` and `--mode words` as whole
# processes (the model loaded from disk in each; hyperfine medians), then `serve`'s
# /api/search?mode=hybrid one connection at a time (wrk p50, p99) and the server's RSS, over an
# archive whose papers all have vectors and a nearest-neighbour graph. benches/ann.rs makes them
# (its ARCHIVE mode: vectors made around real ones, as if `embed` had run). The server listens on
# 127.0.0.1 and every run is bounded in time. Prints markdown tables.
#
#   ARCHIVE=DIR MODEL=DIR benches/meaning-scale.sh
#
# RUNS (10) hyperfine runs per command, SECONDS_EACH (5) each wrk run; QUERIES_FILE (one a line,
# default benches/search-quality/sentences.txt). Needs hyperfine and wrk (apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ARCHIVE:?set ARCHIVE to the archive folder}" "${MODEL:?set MODEL to the model folder}"
RUNS=${RUNS:-10}
SECONDS_EACH=${SECONDS_EACH:-5}
QUERIES_FILE=${QUERIES_FILE:-benches/search-quality/sentences.txt}
for tool in hyperfine wrk; do
  command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool; }
done
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/arxiv-daily
fi
WORK=$(mktemp -d)
mapfile -t QUERIES < <(grep -v '^$' "$QUERIES_FILE")

echo "| sentence | hybrid ms | meaning ms | words ms |"
echo "| --- | --- | --- | --- |"
for q in "${QUERIES[@]}"; do
  hyperfine -N -i --style none --warmup 2 --runs "$RUNS" --export-json "$WORK/h.json" \
    "$BIN --data-dir '$ARCHIVE' search --json --limit 10 --mode hybrid --model '$MODEL' '$q'" \
    "$BIN --data-dir '$ARCHIVE' search --json --limit 10 --mode meaning --model '$MODEL' '$q'" \
    "$BIN --data-dir '$ARCHIVE' search --json --limit 10 --mode words '$q'" > /dev/null 2>&1
  python3 - "$WORK/h.json" "$q" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"| {sys.argv[2]} | " + " | ".join(f"{x['median'] * 1000:.1f}" for x in r) + " |")
PY
done

OUT=$WORK/serve.out
ARXIV_DAILY_MODEL=$MODEL "$BIN" --data-dir "$ARCHIVE" serve --addr 127.0.0.1:0 > "$OUT" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 600); do grep -q listening "$OUT" && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on \(.*\)\/$/\1/p' "$OUT")
[ -n "$BASE" ] || { echo "the server did not start:" >&2; cat "$OUT" >&2; exit 2; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
pct() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }; printf "%.2f", v }'; }
echo
echo "| sentence | served hybrid p50 ms | p99 ms |"
echo "| --- | --- | --- |"
for q in "${QUERIES[@]}"; do
  URL="$BASE/api/search?q=$(enc "$q")&mode=hybrid&size=25"
  CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
  [ "$CODE" = 200 ] || { echo "$q: HTTP $CODE" >&2; exit 2; }
  R=$(wrk -t1 -c1 -d"${SECONDS_EACH}"s --latency "$URL" 2>/dev/null)
  echo "| $q | $(echo "$R" | pct 50%) | $(echo "$R" | pct 99%) |"
done
echo
echo "server RSS after: $(awk '/VmRSS/ { printf "%.0f MiB", $2 / 1024 }' /proc/$SERVER/status)"
