#!/usr/bin/env python3
"""The manifest's `rust-version` must equal the highest `rust-version` among the packages that
Cargo.lock resolves for a normal build (dependencies of the library and binary, not dev-only ones):
a lower one lets an older toolchain start and then fail on a dependency; a higher one refuses
toolchains that would build. Reads `cargo metadata --locked`."""
import json
import subprocess
import sys


def version(v):
    return tuple(int(p) for p in v.split("."))


def main():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--locked", "--format-version", "1"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    root = meta["resolve"]["root"]
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    # Walk normal and build dependencies from the root (dev-dependencies only build the tests).
    seen, todo = set(), [root]
    while todo:
        node = nodes[todo.pop()]
        for dep in node["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if node["id"] == root and kinds == {"dev"}:
                continue
            if dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
    needs = [
        (version(packages[p]["rust_version"]), packages[p]["name"], packages[p]["version"])
        for p in seen
        if packages[p].get("rust_version")
    ]
    highest = max(needs)
    declared = packages[root].get("rust_version")
    if declared is None:
        sys.exit("Cargo.toml has no rust-version")
    if version(declared) != highest[0]:
        sys.exit(
            f"Cargo.toml says rust-version {declared}, but Cargo.lock needs "
            f"{'.'.join(map(str, highest[0]))} ({highest[1]} {highest[2]})"
        )
    print(f"rust-version {declared}: the highest of Cargo.lock's ({highest[1]} {highest[2]})")


if __name__ == "__main__":
    main()
