#!/usr/bin/env bash
# Every hostile document of tests/common/bombs.rs, read by the release binary with its default
# limits: prints size, exit code, seconds and peak memory (citecheck and its reader) per input.
#   benches/hostile.sh [SCALE]   (1 = the sizes measured in issue 20; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
CITECHECK_HOSTILE_BIN="$PWD/target/release/citecheck" CITECHECK_HOSTILE_SCALE="${1:-1}" \
  cargo test --release --locked --test hostile every_hostile_document_ends_within_its_budget \
  -- --nocapture
