#!/usr/bin/env bash
# Link-checking throughput against a local server on 50 loopback addresses (127.0.0.2–51), for citecheck
# and lychee (when installed: `cargo install lychee`) with the same global and per-host settings.
#  1. latency-bound: 5,000 URLs, 50 ms per answer, global concurrency 128, no per-host interval;
#     the physical limit is URLs × latency ÷ concurrency.
#  2. CPU-bound: 20,000 URLs answered at once: wall, CPU seconds, peak RSS.
#  3. dead host (issue 12): 20 and 200 URLs on a host that accepts connections and never answers, plus
#     20 fine URLs elsewhere, --timeout 2 and default retries; the aim is the whole run within
#     2.5 × --timeout. Also 20 dead URLs with --no-host-breaker, once, for the cost without it.
# Usage: benches/check.sh [RUNS] [CASES]   (CASES: any of 1 2 3, default all)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cases=${2:-123}
out=target/bench-check
mkdir -p "$out"
cargo build --release --locked -q --bin citecheck --example bench_server
bin=target/release/citecheck
host_conc=8   # 50 hosts × 8 ≥ 128: the global limit binds

start_server() {
  target/release/examples/bench_server "$1" 2 50 > "$out/port" &
  server=$!
  for _ in $(seq 50); do [[ -s "$out/port" ]] && break; sleep 0.1; done
  port=$(cat "$out/port")
}
stop_server() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
trap stop_server EXIT

make_doc() { # N URLS spread over the 50 hosts, one per line
  python3 - "$1" "$port" > "$2" <<'PY'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print(f"http://127.0.0.{2 + i % 50}:{port}/page/{i}\n")
PY
}

measure() { # best wall of $runs runs, with its CPU and the peak RSS over all runs
  local best="" cpu="" rss=0
  for _ in $(seq "$runs"); do
    local rc=0
    python3 benches/peak.py -o "$out/time" "$@" > /dev/null 2> "$out/stderr" || rc=$?
    if (( rc > 1 )); then echo "$1 failed (exit $rc):" >&2; cat "$out/stderr" >&2; exit 1; fi
    read -r w u s m < <(tail -n 1 "$out/time")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($w < $best)}"; then best=$w; cpu=$(awk "BEGIN{print $u + $s}"); fi
    (( m > rss )) && rss=$m
  done
  echo "$best $cpu $rss"
}

row() { printf '%-44s %8.2f %8.2f %9.1f\n' "$1" "$2" "$3" "$(awk "BEGIN{print $4 / 1024}")"; }
have_lychee=$(command -v lychee > /dev/null && echo yes || echo no)
lychee_args=(--no-progress --max-concurrency 128 --host-concurrency "$host_conc" --host-request-interval 0ms --timeout 20 --max-retries 0)
cc_args=(--no-progress --concurrency 128 --host-concurrency "$host_conc" --host-interval 0 --max-retries 0 --format json)

if [[ $cases == *1* ]]; then
echo "== 1. latency-bound: 5,000 URLs, 50 ms each, concurrency 128 (limit $(awk 'BEGIN{printf "%.2f", 5000*0.05/128}') s)"
start_server 50
make_doc 5000 "$out/latency.md"
printf '%-44s %8s %8s %9s\n' tool "wall s" "CPU s" "peak MB"
read -r cw cc cr <<< "$(measure "$bin" check "$out/latency.md" "${cc_args[@]}")"
row citecheck "$cw" "$cc" "$cr"
echo "citecheck vs limit: $(awk "BEGIN{printf \"%+.1f%%\", ($cw / (5000*0.05/128) - 1) * 100}")"
if [[ $have_lychee == yes ]]; then
  read -r lw lc lr <<< "$(measure lychee "${lychee_args[@]}" "$out/latency.md")"
  row "lychee $(lychee --version | awk '{print $2}')" "$lw" "$lc" "$lr"
  echo "lychee vs limit: $(awk "BEGIN{printf \"%+.1f%%\", ($lw / (5000*0.05/128) - 1) * 100}")"
fi
stop_server

fi

if [[ $cases == *2* ]]; then
echo
echo "== 2. CPU-bound: 20,000 URLs answered at once"
start_server 0
make_doc 20000 "$out/cpu.md"
printf '%-44s %8s %8s %9s\n' tool "wall s" "CPU s" "peak MB"
read -r cw cc cr <<< "$(measure "$bin" check "$out/cpu.md" "${cc_args[@]}")"
row citecheck "$cw" "$cc" "$cr"
if [[ $have_lychee == yes ]]; then
  read -r lw lc lr <<< "$(measure lychee "${lychee_args[@]}" "$out/cpu.md")"
  row "lychee $(lychee --version | awk '{print $2}')" "$lw" "$lc" "$lr"
  echo "CPU ratio citecheck/lychee: $(awk "BEGIN{printf \"%.2f\", $cc / $lc}"); memory ratio: $(awk "BEGIN{printf \"%.2f\", $cr / $lr}")"
else
  echo "lychee not installed (cargo install lychee): peer comparison skipped" >&2
fi
stop_server
fi

if [[ $cases == *3* ]]; then
echo
echo "== 3. dead host: N URLs on 127.0.0.60 that never answers + 20 fine URLs, --timeout 2 (aim: 5 s)"
# The dead host: the bench server with an hour's delay, on one address.
target/release/examples/bench_server 3600000 60 1 > "$out/dead_port" &
dead_server=$!
start_server 0
for _ in $(seq 50); do [[ -s "$out/dead_port" ]] && break; sleep 0.1; done
dead_port=$(cat "$out/dead_port")
trap 'stop_server; kill "$dead_server" 2>/dev/null || true' EXIT
make_dead_doc() { # N dead URLs, then 20 fine ones
  python3 - "$1" "$dead_port" "$port" > "$2" <<'PY'
import sys
n, dead, fine = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for i in range(n):
    print(f"http://127.0.0.60:{dead}/news/{i}-agreement.html\n")
for i in range(20):
    print(f"http://127.0.0.2:{fine}/page/{i}\n")
PY
}
dead_args=(--no-progress --timeout 2 --format json)
printf '%-44s %8s %8s %9s\n' tool "wall s" "CPU s" "peak MB"
for n in 20 200; do
  make_dead_doc "$n" "$out/dead$n.md"
  read -r cw cc cr <<< "$(measure "$bin" check "$out/dead$n.md" "${dead_args[@]}")"
  row "citecheck, $n dead + 20 fine" "$cw" "$cc" "$cr"
  "$bin" check "$out/dead$n.md" "${dead_args[@]}" > "$out/dead$n.json" || true
  python3 - "$out/dead$n.json" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))["results"]
print("   statuses:", dict(collections.Counter(x["status"] for x in r)),
      "requests to the dead host:", sum(x["attempts"] for x in r if "127.0.0.60" in x["url"]))
PY
  if [[ $have_lychee == yes ]]; then
    read -r lw lc lr <<< "$(measure lychee --no-progress --timeout 2 "$out/dead$n.md")"
    row "lychee $(lychee --version | awk '{print $2}'), $n dead + 20 fine" "$lw" "$lc" "$lr"
  fi
done
runs_saved=$runs; runs=1
read -r cw cc cr <<< "$(measure "$bin" check "$out/dead20.md" "${dead_args[@]}" --no-host-breaker)"
row "citecheck --no-host-breaker, 20 dead + 20" "$cw" "$cc" "$cr"
runs=$runs_saved
[[ $have_lychee == yes ]] || echo "lychee not installed (cargo install lychee): peer comparison skipped" >&2
stop_server
kill "$dead_server" 2>/dev/null || true
fi
