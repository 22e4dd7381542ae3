#!/usr/bin/env python3
"""Runs a command and writes "WALL USER SYS PEAK_KIB" to a file, as `/usr/bin/time -f "%e %U %S %M"`
would, except that the peak counts the command's child processes too: citecheck reads documents in
child processes (the reader box), and `time`'s %M is the largest single process's peak, not their sum.

The peak is the largest sum of the proportional set sizes (Pss, of /proc/PID/smaps_rollup: shared
pages counted once across the processes) of the process and its descendants, sampled every 5 ms (a
spike shorter than that can be missed; the sampling itself takes a few percent of one core). CPU times come from wait4, which counts the children the
command waited for.

Usage: benches/peak.py -o FILE COMMAND [ARGS...]   (the command's stdout and stderr pass through)
"""
import os
import sys
import threading
import time


def pss_kib(pid):
    """A process's proportional set size: its own pages, and its share of those it shares (the
    executable's pages, shared by citecheck and its readers, count once in the sum, not once a
    process as resident sizes would)."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            pass
    return 0


def descendants(root):
    """The processes below `root`, from every process's parent (a kernel without
    CONFIG_PROC_CHILDREN has no /proc/PID/task/TID/children)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields after its last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        parent[int(entry)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found.extend(kids)
        frontier.extend(kids)
    return found


def main():
    if len(sys.argv) < 4 or sys.argv[1] != "-o":
        sys.exit(__doc__)
    out, command = sys.argv[2], sys.argv[3:]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        except OSError as e:
            print(f"peak.py: {command[0]}: {e}", file=sys.stderr)
        os._exit(127)
    peak = 0
    done = threading.Event()

    family, last_scan = [], 0.0

    def watch():
        while not done.is_set():
            try:
                sample()
            except Exception as e:  # a sampler that stops says so, rather than under-reporting
                print(f"peak.py: sampling stopped: {e}", file=sys.stderr)
                return
            time.sleep(0.005)

    def sample():
        nonlocal peak, family, last_scan
        now = time.monotonic()
        # The process tree changes rarely (readers start at once, and one is replaced after a
        # failure): read it every 10 ms for the first 200 ms, every 50 ms after; the memory every
        # 5 ms.
        if now - last_scan > (0.01 if now - start < 0.2 else 0.05):
            family, last_scan = descendants(pid), now
        peak = max(peak, pss_kib(pid) + sum(pss_kib(c) for c in family))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    done.set()
    watcher.join()
    with open(out, "w") as f:
        f.write(f"{wall:.2f} {usage.ru_utime:.2f} {usage.ru_stime:.2f} {max(peak, 1)}\n")
    code = os.waitstatus_to_exitcode(status)
    # Killed by a signal: the shell's 128 + its number.
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
