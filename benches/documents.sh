#!/usr/bin/env bash
# Extraction time and peak memory for a generated 300-page PDF report and a 300-footnote Word draft.
# Usage: benches/documents.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=target/bench-documents
cargo build --release --locked -q --bin citecheck --example gen_documents
target/release/examples/gen_documents "$out"
printf '%-28s %9s %8s %10s %9s %9s\n' document size footnotes "wall s" "CPU s" "peak MB"
for doc in "$out"/report-300-pages.pdf "$out"/draft-300-footnotes.docx; do
  best=""; cpu=""; rss=0
  for _ in $(seq "$runs"); do
    python3 benches/peak.py -o "$out/time" target/release/citecheck extract "$doc" --format json > "$out/report.json" || true
    read -r w u s m < <(tail -n 1 "$out/time")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($w < $best)}"; then best=$w; cpu=$(awk "BEGIN{print $u + $s}"); fi
    (( m > rss )) && rss=$m
  done
  notes=$(python3 -c "import json;print(json.load(open('$out/report.json'))['summary']['footnotes'])")
  printf '%-28s %8sK %8s %10.2f %9.2f %9.1f\n' "$(basename "$doc")" "$(( $(stat -c %s "$doc") / 1024 ))" "$notes" "$best" "$cpu" "$(awk "BEGIN{print $rss / 1024}")"
done
