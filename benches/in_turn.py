#!/usr/bin/env python3
"""Runs commands in turn, RUNS rounds of each, and prints the lowest and the median wall time and
CPU time (user + system, the command and the processes it waited for) of each.

On a shared machine the same binary's time drifts by a third from hour to hour, so two versions are
only compared in runs taken in turn, not in runs an hour apart.

Usage: benches/in_turn.py RUNS LABEL=COMMAND [LABEL=COMMAND ...]
  e.g. benches/in_turn.py 15 \\
         "before=/tmp/citecheck-before extract target/bench-corpus-one --format json" \\
         "now=target/release/citecheck extract target/bench-corpus-one --format json" \\
         "lychee=lychee --dump --no-progress target/bench-corpus-one"
Each command runs through the shell, with its output thrown away.
"""
import resource
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit() or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    results = {label: [] for label, _ in commands}
    for _ in range(runs):
        for label, command in commands:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            results[label].append((wall, cpu))
    width = max(len(label) for label in results)
    print(f"{'':{width}}  {'wall min':>9} {'median':>8}  {'CPU min':>8} {'median':>8}")
    for label, times in results.items():
        walls = [w for w, _ in times]
        cpus = [c for _, c in times]
        print(
            f"{label:{width}}  {min(walls):8.3f}s {statistics.median(walls):7.3f}s"
            f"  {min(cpus):7.3f}s {statistics.median(cpus):7.3f}s"
        )


if __name__ == "__main__":
    main()
