#!/usr/bin/env bash
# Wall time and peak memory of `citecheck extract` on each real document in tests/fixtures
# (best of RUNS runs, release build). Usage: benches/realworld.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked -q
bin=target/release/citecheck
printf '%-48s %8s %9s\n' document "wall s" "peak MB"
for file in tests/fixtures/realworld/*.{pdf,docx,html,rst,md} tests/fixtures/generated/*.pdf; do
  best="" rss=0
  for _ in $(seq "$runs"); do
    python3 benches/peak.py -o /tmp/citecheck-realworld.time "$bin" extract "$file" --format json > /dev/null 2>&1 || true
    read -r wall _ _ mem < /tmp/citecheck-realworld.time
    if [[ -z "$best" ]] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; fi
    (( mem > rss )) && rss=$mem
  done
  printf '%-48s %8.2f %9.1f\n' "$(basename "$file")" "$best" "$(awk "BEGIN{print $rss / 1024}")"
done
