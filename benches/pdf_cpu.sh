#!/usr/bin/env bash
# CPU time (user + system) of reading PDFs: `citecheck extract` against `pdftotext -layout` (poppler)
# on the same files, best of RUNS runs each. The reader is held to costing no more CPU than
# pdftotext. Usage: benches/pdf_cpu.sh [RUNS] [PDF...]
# (default: the PDFs of tests/fixtures/briefs, tests/fixtures/realworld and, where present,
# ../shared/briefs and ../shared/realworld).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
command -v pdftotext >/dev/null || { echo "pdftotext (poppler-utils) is needed" >&2; exit 2; }
cargo build --release --locked -q
bin=target/release/citecheck
if (( $# )); then files=("$@"); else
  files=(tests/fixtures/briefs/*.pdf tests/fixtures/realworld/*.pdf)
  for extra in ../shared/briefs/*.pdf ../shared/realworld/*.pdf; do [[ -f $extra ]] && files+=("$extra"); done
fi
cpu() { # least user+sys seconds of RUNS runs of a command (getrusage: microseconds, not time's 10 ms)
  python3 - "$runs" "$@" <<'PY'
import resource, subprocess, sys
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = t if best is None else min(best, t)
print(f"{best:.4f}")
PY
}
total_c=0 total_p=0
printf '%-56s %10s %10s\n' document "citecheck" "pdftotext"
for f in "${files[@]}"; do
  c=$(cpu "$bin" extract "$f" --format json)
  p=$(cpu pdftotext -layout "$f" -)
  total_c=$(awk "BEGIN{print $total_c + $c}"); total_p=$(awk "BEGIN{print $total_p + $p}")
  printf '%-56s %10.3f %10.3f\n' "$(basename "$f")" "$c" "$p"
done
printf '%-56s %10.2f %10.2f  (ratio %.2f)\n' "total CPU s" "$total_c" "$total_p" "$(awk "BEGIN{print $total_c / $total_p}")"
