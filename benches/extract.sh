#!/usr/bin/env bash
# Extraction throughput and peak memory on generated corpora of ~50 MB and 100k footnotes (500 briefs,
# and one large report), against `lychee --dump` on the same files in the same run when lychee is
# installed (`cargo install lychee`). Usage: benches/extract.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked -q
bin=target/release/citecheck

# best wall time and peak RSS of $runs runs of a command
measure() {
  local best_wall="" best_rss=0 best_cpu=""
  for _ in $(seq "$runs"); do
    python3 benches/peak.py -o /tmp/citecheck-bench.time "$@" > /dev/null 2>&1 || true
    read -r wall user sys rss < <(tail -n 1 /tmp/citecheck-bench.time)
    if [[ -z "$best_wall" ]] || awk "BEGIN{exit !($wall < $best_wall)}"; then
      best_wall=$wall; best_cpu=$(awk "BEGIN{print $user + $sys}")
    fi
    (( rss > best_rss )) && best_rss=$rss
  done
  echo "$best_wall $best_cpu $best_rss"
}

bench() { # corpus directory, files
  local corpus=$1 files=$2
  if [[ ! -d "$corpus" ]]; then
    echo "generating $corpus" >&2
    python3 benches/gen_corpus.py "$corpus" 50 100000 "$files"
  fi
  local bytes
  bytes=$(cat "$corpus"/*.md | wc -c)
  echo "== $files file(s), $(awk "BEGIN{printf \"%.1f\", $bytes / 1048576}") MB"
  printf '%-34s %8s %9s %9s %9s\n' tool "wall s" "MB/s" "CPU s" "peak MB"
  row() {
    printf '%-34s %8.2f %9.1f %9.2f %9.1f\n' "$1" "$2" \
      "$(awk "BEGIN{print $bytes / 1048576 / $2}")" "$3" "$(awk "BEGIN{print $4 / 1024}")"
  }
  read -r cw cc cr <<< "$(measure "$bin" extract "$corpus" --format json)"
  row "citecheck extract --format json" "$cw" "$cc" "$cr"
  if command -v lychee > /dev/null; then
    read -r lw lc lr <<< "$(measure lychee --dump --no-progress "$corpus")"
    row "lychee --dump ($(lychee --version | head -1))" "$lw" "$lc" "$lr"
    echo "throughput ratio (citecheck / lychee): $(awk "BEGIN{printf \"%.2f\", $lw / $cw}")x;" \
      "peak memory ratio: $(awk "BEGIN{printf \"%.2f\", $cr / $lr}")"
  else
    echo "lychee not installed (cargo install lychee): peer comparison skipped" >&2
  fi
  echo
}

bench "${CORPUS:-target/bench-corpus}" 500
bench "${CORPUS_ONE:-target/bench-corpus-one}" 1
