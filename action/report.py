#!/usr/bin/env python3
"""Reads a citecheck report (reports/latest.json) for the GitHub Action.

    report.py outputs LATEST      step outputs: `broken=N` and `newly_broken=N`, one a line
    report.py issue-body LATEST   the Markdown body of the issue listing newly broken citations
    report.py config-has KEY [ARGS…]   exit 0 when the config file citecheck reads (`--config FILE`
                                  among ARGS, else ./citecheck.toml) sets KEY

`broken` counts the cited URLs failing now (broken, unreachable, server_error or timeout: what the
history calls failing); `newly_broken` those of them that were not failing in the previous run (all of
them on a first run). With GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA set, the issue links each
footnote's line, and with GITHUB_RUN_ID the run.
"""

import json
import os
import sys
from urllib.parse import quote

FAILING = ("broken", "unreachable", "server_error", "timeout")
MARKER = "<!-- citecheck: newly broken citations -->"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def newly_broken(report):
    return (report.get("changes") or {}).get("newly_broken") or []


def outputs(report):
    summary = report.get("summary") or {}
    # schema_version 2 counts link results in summary.links; version 1 in summary.statuses.
    statuses = summary.get("links") or summary.get("statuses") or {}
    broken = sum(int(statuses.get(s) or 0) for s in FAILING)
    return f"broken={broken}\nnewly_broken={len(newly_broken(report))}\n"


def escape(text):
    """Text safe inside a Markdown list item (no markup, mentions or HTML)."""
    out = str(text)
    for ch in "\\`*_[]<>|#@":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def place(citation, blob):
    path = citation.get("path") or "?"
    where = f"{path} footnote {citation['footnote']}" if citation.get("footnote") else path
    line = citation.get("line")
    if line:
        where += f", line {line}"
    label = escape(where)
    if blob and citation.get("path") and citation["path"] != "-":
        anchor = f"#L{line}" if line else ""
        return f"[{label}]({blob}/{quote(citation['path'])}{anchor})"
    return label


def issue_body(report):
    env = os.environ
    blob = None
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        blob = f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/blob/{env['GITHUB_SHA']}"
    results = {r.get("url"): r for r in report.get("results") or []}
    broken = newly_broken(report)
    run = "The citation check"
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_RUN_ID"):
        run = (f"[{run}]({env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}"
               f"/actions/runs/{env['GITHUB_RUN_ID']})")
    noun = "citation" if len(broken) == 1 else "citations"
    lines = [
        MARKER,
        f"{run} of {report.get('generated_at', '?')} found {len(broken)} newly broken {noun}:",
        "",
    ]
    for change in broken:
        url = change.get("url", "")
        result = results.get(url) or {}
        why = result.get("detail")
        item = f"- <{url}> **{escape(change.get('status', '?'))}**"
        if why:
            item += f" ({escape(why)})"
        cited = change.get("cited_in") or []
        if cited:
            item += " in " + "; ".join(place(c, blob) for c in cited)
        archive = result.get("archive")
        if archive and archive.get("url"):
            item += f"; archived copy: <{archive['url']}>"
        lines.append(item)
    still = len((report.get("changes") or {}).get("still_broken") or [])
    if still:
        lines += ["", f"{still} more still broken since earlier runs (see the run's summary)."]
    return "\n".join(lines) + "\n"


def config_has(key, args):
    """Whether the config file citecheck will read sets `key` (citecheck reads --config FILE, else
    citecheck.toml in the working directory, when there is one)."""
    try:
        import tomllib
    except ImportError:  # Python before 3.11: the file is not read here; citecheck still reads it.
        return False

    path = "citecheck.toml"
    for i, word in enumerate(args):
        if word == "--config" and i + 1 < len(args):
            path = args[i + 1]
        elif word.startswith("--config="):
            path = word.split("=", 1)[1]
    try:
        with open(path, "rb") as f:
            return key in tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        # No file, or one citecheck itself will refuse with a clear message.
        return False


def main(argv):
    if len(argv) >= 3 and argv[1] == "config-has":
        return 0 if config_has(argv[2], argv[3:]) else 1
    if len(argv) != 3 or argv[1] not in ("outputs", "issue-body"):
        sys.stderr.write("usage: report.py outputs|issue-body LATEST.json\n")
        return 2
    report = load(argv[2])
    sys.stdout.write(outputs(report) if argv[1] == "outputs" else issue_body(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
