#!/usr/bin/env bash
# Ranked search's worst case, whole processes: the 12-word sentences of
# benches/search-quality/sentences.txt (many common words each) through `arxiv-daily search --json
# --limit 10`, beside SQLite FTS5 answering the same words OR-ed, ordered by rank (the peer), over
# the archive and FTS5 database benches/scale.sh built (hyperfine medians, shell-less). Prints one
# markdown table.
#
#   SCALE_DIR=/work/scale benches/sentences.sh 1000000
#
# Needs hyperfine, sqlite3 and python3 (hyperfine and sqlite3 are installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
WORK=${SCALE_DIR:-/tmp/arxiv-daily-scale}
ARCHIVE=${ARCHIVE:-$WORK/archive-$COUNT}
FTS=$WORK/fts-$COUNT.db
RUNS=${RUNS:-10}
for tool in sqlite3 hyperfine; do
  command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool; }
done
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/arxiv-daily
fi
[ -d "$ARCHIVE" ] || { echo "no archive at $ARCHIVE: run benches/scale.sh $COUNT first" >&2; exit 2; }
echo "| sentence | arxiv-daily ms | hits holding all words / some | FTS5 (words OR-ed) ms |"
echo "| --- | --- | --- | --- |"
while IFS= read -r q; do
  [ -n "$q" ] || continue
  MATCH=$(python3 -c 'import re, sys; print(" OR ".join(re.findall(r"\w+", sys.argv[1])))' "$q")
  SQL="select id from papers where papers match '$MATCH' order by rank limit 10"
  PEER=()
  [ -s "$FTS" ] && PEER=("sqlite3 '$FTS' \"$SQL\"")
  hyperfine -N -i --style none --warmup 2 --runs "$RUNS" --export-json "$WORK/s.json" \
    "$BIN --data-dir '$ARCHIVE' search --json --limit 10 '$q'" "${PEER[@]}" > /dev/null 2>&1
  COUNTS=$("$BIN" --data-dir "$ARCHIVE" search --count --json "$q" | python3 -c '
import json, sys; c = json.load(sys.stdin); print(c["all_words"], "/", c["total"])')
  python3 - "$WORK/s.json" "$q" "$COUNTS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
peer = f"{r[1]['median'] * 1000:.1f}" if len(r) > 1 else "n/a"
print(f"| {sys.argv[2]} | {r[0]['median'] * 1000:.1f} | {sys.argv[3]} | {peer} |")
PY
done < benches/search-quality/sentences.txt
