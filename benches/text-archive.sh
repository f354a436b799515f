#!/usr/bin/env bash
# The archive as text and the static site, timed as whole processes (BENCHMARKS.md, "Report
# repositories"): export into an empty folder, export again (nothing changed), import into an
# empty data folder, import again (nothing changes), the site and its rerun; then the sizes.
#
#   benches/text-archive.sh ARCHIVE [BINARY]
#
# ARCHIVE is a data folder (e.g. the one benches/compare-outputs.sh or benches/scale.sh builds).
# Work files go to $SCALE_DIR (default /tmp/arxiv-daily-text); they are removed first.
set -euo pipefail
ARCHIVE=$(realpath "$1")
BIN=$(realpath "${2:-target/release/arxiv-daily}")
WORK=${SCALE_DIR:-/tmp/arxiv-daily-text}
rm -rf "$WORK" && mkdir -p "$WORK"
step() {
  local what=$1
  shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" "$@" > /dev/null
  read -r S KB < "$WORK/time"
  echo "| $what | $S | $((KB / 1024)) |"
}
echo "| step | wall s | peak RSS MB |"
echo "| --- | --- | --- |"
step "archive export (empty folder)" --data-dir "$ARCHIVE" archive export "$WORK/text"
step "archive export (nothing changed)" --data-dir "$ARCHIVE" archive export "$WORK/text"
step "archive import (empty data folder)" --data-dir "$WORK/data" archive import "$WORK/text"
step "archive import (again)" --data-dir "$WORK/data" archive import "$WORK/text"
step "site (empty folder)" --data-dir "$ARCHIVE" site "$WORK/site"
step "site (nothing changed)" --data-dir "$ARCHIVE" site "$WORK/site"
echo
echo "| what | bytes |"
echo "| --- | --- |"
for p in "$WORK/text" "$ARCHIVE/arxiv-daily.sqlite3" "$ARCHIVE/index" "$WORK/site"; do
  echo "| ${p#"$WORK/"} | $(du -sb "$p" | cut -f1) |"
done
# The imported archive answers as the original does.
for q in retrieval '"language model"' 'ti:graph'; do
  a=$("$BIN" --data-dir "$ARCHIVE" search --json --limit 100 "$q" | md5sum)
  b=$("$BIN" --data-dir "$WORK/data" search --json --limit 100 "$q" | md5sum)
  [ "$a" = "$b" ] || { echo "search $q differs after the round trip" >&2; exit 1; }
done
cmp <("$BIN" --data-dir "$ARCHIVE" stats --json) <("$BIN" --data-dir "$WORK/data" stats --json)
echo
echo "round trip: stats and three searches byte-identical"
