#!/usr/bin/env bash
# Whole-run benchmark at scale: builds a synthetic corpus (Kaggle layout), the SQLite FTS5 peer, and
# an arxiv-daily archive from the same file, then times the import, the 12 issue queries on both
# (hyperfine, whole processes, medians), `report show`, and the sizes. Prints one markdown table.
#
#   benches/scale.sh [COUNT]        # default 100000; 1000000 and 3000000 for the scale runs
#
# Needs ../shared/tools/synth-corpus (python3), sqlite3 and hyperfine (installed with apt-get when
# missing). Work files go to $SCALE_DIR (default /tmp/arxiv-daily-scale), never into the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
WORK=${SCALE_DIR:-/tmp/arxiv-daily-scale}
SHARED=${SHARED:-../shared}
mkdir -p "$WORK"
for tool in sqlite3 hyperfine; do
  command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool; }
done

# BIN=PATH times another binary (a previous release, for a before/after in one run).
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/arxiv-daily
fi
CORPUS=$WORK/corpus-$COUNT.jsonl
if [ ! -s "$CORPUS" ]; then
  "$SHARED/tools/synth-corpus" --listings "$SHARED/data/listings/listings-ai-ir-cl.jsonl.gz" --count "$COUNT" > "$CORPUS"
fi
RAW=$(stat -L -c %s "$CORPUS")

# The FTS5 peer, built as the issue describes (Python's sqlite3 driving the inserts).
FTS=$WORK/fts-$COUNT.db
if [ ! -s "$FTS" ]; then
  FTS_START=$(date +%s.%N)
  python3 - "$CORPUS" "$FTS" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
db.execute("create virtual table papers using fts5(id unindexed, title, abstract, authors, tokenize='porter unicode61')")
def rows():
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line)
            yield (r["id"], r.get("title") or "", r.get("abstract") or "", r.get("authors") or "")
db.executemany("insert into papers values (?, ?, ?, ?)", rows())
db.commit()
db.execute("insert into papers(papers) values('optimize')")
db.commit()
PY
  FTS_BUILD=$(echo "$(date +%s.%N) - $FTS_START" | bc)
else
  FTS_BUILD="(cached)"
fi

# arxiv-daily: import kaggle, whole process, wall time and peak memory.
ARCHIVE=$WORK/archive-$COUNT
rm -rf "$ARCHIVE"
/usr/bin/time -f "%e %M" -o "$WORK/import.time" "$BIN" --data-dir "$ARCHIVE" import kaggle "$CORPUS" > "$WORK/import.out" 2> "$WORK/import.err"
read -r IMPORT_S IMPORT_KB < "$WORK/import.time"
ARCHIVE_BYTES=$(du -sb "$ARCHIVE" | cut -f1)

QUERIES=(
  'transformer' '"large language models"' 'retrieval augmented generation' 'graph neural network recommendation'
  'diffusion' 'reinforcement learning robot' '"semantic IDs"' 'contrastive' 'federated learning privacy'
  'quantization' '"knowledge graph" completion' 'benchmark'
)
echo "| query | arxiv-daily median ms | FTS5 median ms | ratio |"
echo "| --- | --- | --- | --- |"
LOGSUM=0
# Both commands run without a shell (`hyperfine -N`): a shell's start-up, even subtracted, is
# noise of the same size as a few-millisecond search. The peer gets its SQL as an argument, as in
# the issue: sqlite3 fts.db "select id from papers where papers match 'Q' order by rank limit 10".
for q in "${QUERIES[@]}"; do
  SQL=$(printf "select id from papers where papers match '%s' order by rank limit 10" "$q" | sed 's/"/\\"/g')
  hyperfine -N -i --style none --warmup 2 --runs 10 --export-json "$WORK/q.json" \
    "$BIN --data-dir '$ARCHIVE' search --json --limit 10 '$q'" \
    "sqlite3 '$FTS' \"$SQL\"" > /dev/null 2>&1
  read -r OURS PEER < <(python3 -c "
import json; r=json.load(open('$WORK/q.json'))['results']; print(r[0]['median']*1000, r[1]['median']*1000)")
  RATIO=$(python3 -c "print(f'{$OURS/$PEER:.3f}')")
  LOGSUM=$(python3 -c "import math; print($LOGSUM + math.log($OURS/$PEER))")
  printf '| %s | %.1f | %.1f | %s |\n' "$q" "$OURS" "$PEER" "$RATIO"
done
GEO=$(python3 -c "import math; print(f'{math.exp($LOGSUM/12):.3f}')")

DAY=$("$BIN" --data-dir "$ARCHIVE" report list --json | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(max(rows, key=lambda r: r['rows'])['date'])")
hyperfine -N --style none --warmup 2 --runs 20 --export-json "$WORK/r.json" "$BIN --data-dir '$ARCHIVE' report show $DAY" > /dev/null 2>&1
REPORT_MS=$(python3 -c "import json; print(f\"{json.load(open('$WORK/r.json'))['results'][0]['median']*1000:.1f}\")")

echo
echo "| papers | import wall s | papers/s | peak RSS MB | archive / raw JSON | FTS5 build s | search geo-mean ratio | report show ms ($DAY) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
python3 -c "
print(f'| $COUNT | $IMPORT_S | {$COUNT/$IMPORT_S:.0f} | {$IMPORT_KB/1024:.0f} | {$ARCHIVE_BYTES/$RAW:.2f} | $FTS_BUILD | $GEO | $REPORT_MS |')"
