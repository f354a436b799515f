#!/usr/bin/env bash
# Before and after in one run: two arxiv-daily binaries answer the same searches and report over
# the same archive (whole processes, hyperfine, medians, the two interleaved by hyperfine), and
# each imports the same Kaggle corpus into an archive of its own (wall time, peak memory).
#
#   benches/compare-speed.sh OLD_BINARY NEW_BINARY CORPUS.jsonl
#
# REUSE=1 keeps the archives of an earlier run (the searches alone are timed again).
#
# Work files go to $SCALE_DIR (default /tmp/arxiv-daily-scale). Needs hyperfine (apt-get).
set -euo pipefail
OLD=$(realpath "$1")
NEW=$(realpath "$2")
CORPUS=$(realpath "$3")
WORK=${SCALE_DIR:-/tmp/arxiv-daily-scale}
mkdir -p "$WORK"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
echo "| import | wall s | peak RSS MB |"
echo "| --- | --- | --- |"
for which in old new; do
  BIN=$OLD; [ "$which" = new ] && BIN=$NEW
  # REUSE=1 keeps the archives of an earlier run (and skips the import timing).
  [ -n "${REUSE:-}" ] && [ -s "$WORK/compare-$which/arxiv-daily.sqlite3" ] && continue
  rm -rf "$WORK/compare-$which"
  /usr/bin/time -f "%e %M" -o "$WORK/time-$which" "$BIN" --data-dir "$WORK/compare-$which" import kaggle "$CORPUS" > /dev/null 2>&1
  read -r S KB < "$WORK/time-$which"
  echo "| $which | $S | $((KB / 1024)) |"
done
ARCHIVE=$WORK/compare-new
QUERIES=(
  'transformer' '"large language models"' 'retrieval augmented generation' 'graph neural network recommendation'
  'diffusion' 'reinforcement learning robot' '"semantic IDs"' 'contrastive' 'federated learning privacy'
  'quantization' '"knowledge graph" completion' 'benchmark' 'cat:cs.AI' 'au:wang'
)
echo
echo "| search --json --limit 10 | old median ms | new median ms | new / old |"
echo "| --- | --- | --- | --- |"
for q in "${QUERIES[@]}"; do
  hyperfine -N -i --style none --warmup 3 --runs 20 --export-json "$WORK/speed.json" \
    "$OLD --data-dir '$ARCHIVE' search --json --limit 10 '$q'" \
    "$NEW --data-dir '$ARCHIVE' search --json --limit 10 '$q'" > /dev/null 2>&1
  python3 - "$WORK/speed.json" "$q" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results']
a, b = r[0]['median'] * 1000, r[1]['median'] * 1000
print(f'| {sys.argv[2]} | {a:.1f} | {b:.1f} | {b / a:.2f} |')
PY
done
DAY=$("$NEW" --data-dir "$ARCHIVE" report list --json | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(max(rows, key=lambda r: r['rows'])['date'])")
for cmd in "report show $DAY" "stats --json" "show $("$NEW" --data-dir "$ARCHIVE" search --json --limit 1 transformer | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')"; do
  hyperfine -N --style none --warmup 3 --runs 20 --export-json "$WORK/speed.json" \
    "$OLD --data-dir $ARCHIVE $cmd" "$NEW --data-dir $ARCHIVE $cmd" > /dev/null 2>&1
  python3 - "$WORK/speed.json" "$cmd" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))['results']
a, b = r[0]['median'] * 1000, r[1]['median'] * 1000
print(f'| {sys.argv[2]} | {a:.1f} | {b:.1f} | {b / a:.2f} |')
PY
done
