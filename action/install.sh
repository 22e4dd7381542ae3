#!/usr/bin/env bash
# Installs citecheck for the GitHub Action from the action's own checkout.
#
#   install.sh key        step outputs: `key` (for actions/cache) and `root` (the install root)
#   install.sh install    cargo install --locked the checkout into the root (the action runs it on a cache miss)
#
# The key is INPUT_VERSION when set; else the checkout's version (Cargo.toml) and a hash of its Cargo.toml,
# Cargo.lock and src/, so a changed checkout (`uses: ./` on a branch) is rebuilt and an unchanged one never is.
# CITECHECK_ROOT overrides the install root (default ~/.citecheck-action).
set -euo pipefail

source=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=${CITECHECK_ROOT:-$HOME/.citecheck-action}

crate_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$source/Cargo.toml" | head -n 1
}

case ${1:-} in
  key)
    version=${INPUT_VERSION:-}
    if [[ -z $version ]]; then
      hash=$(cd "$source" && find Cargo.toml Cargo.lock src -type f -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum | sha256sum | cut -c 1-16)
      version="$(crate_version)-$hash"
    fi
    echo "key=citecheck-$(uname -s)-$(uname -m)-$version"
    echo "root=$root"
    ;;
  install)
    cargo install --locked --path "$source" --root "$root"
    "$root/bin/citecheck" --version
    ;;
  *)
    echo "usage: install.sh key|install" >&2
    exit 2
    ;;
esac
