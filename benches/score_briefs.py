#!/usr/bin/env python3
"""Real published briefs in a folder (provenance in its README.md), scored against hand-counted truth.

Usage: score_briefs.py [--dir DIR] BIN [FILE ...]
DIR (default tests/fixtures/briefs, relative to the current directory) holds the PDFs and truth.json.
Think-tank discussion papers, case studies and government reports as published (Microsoft Word, Word printed
through PScript5/Distiller, InDesign, InDesign and Apple Pages through macOS Quartz; page-foot footnotes and endnotes
on a References page). Truth (DIR/truth.json) was counted by hand from the documents.

Cases per document:
  (a) the footnote count is within max(1, 10%) of the truth;
  (b) no error-severity finding (a published document is taken to be sound);
  (c) one case per note that prints URLs: every URL of the note is among the `urls` of the footnote with the same id
      (compared exactly, but for the case of scheme and host and an empty path standing for '/')
      (a number printed twice because numbering restarted is matched by occurrence in page order: the 2nd "1" is "1#2");
  (d) one case per labelled field (title, publication, date) of the labelled notes: case, whitespace, quote marks
      and trailing punctuation are ignored; a date must equal the truth at the precision the truth gives ("2023-08"
      wants "2023-08": a day the document does not print is a miss, so is a coarser date); a field the truth sets
      to null must be absent.
Prints one 'miss: ...' line per miss, a subtotal per document and, last, 'score: H/T'. Exit 0 only when H == T.
"""
import json, os, re, subprocess, sys, unicodedata

import argparse

ap = argparse.ArgumentParser(description="score citecheck's PDF reader on real published briefs")
ap.add_argument("--dir", default="tests/fixtures/briefs", help="folder with the PDFs and truth.json")
ap.add_argument("binary")
ap.add_argument("files", nargs="*")
args = ap.parse_args()
HERE = os.path.abspath(args.dir)

binary = args.binary
truth = json.load(open(os.path.join(HERE, "truth.json")))
only = set(args.files)

hit = tot = 0


def score(ok, what, sub):
    global hit, tot
    tot += 1; hit += bool(ok)
    sub[0] += bool(ok); sub[1] += 1
    if not ok:
        print("miss:", what)
    return ok


QUOTES = dict.fromkeys(map(ord, "\"“”„‟«»‹›"), None)


def norm(s):
    if s is None:
        return ""
    s = unicodedata.normalize("NFKC", str(s)).replace("’", "'").replace("‘", "'").replace("`", "'")
    s = s.translate(QUOTES)
    s = re.sub(r"\s+", " ", s).strip().lower()
    s = s.strip("'")
    s = re.sub(r"[\s.,;:'\u2013\u2014-]+$", "", s)
    return s.strip()


def canon(u):
    """URL equivalence only where the standard says so: scheme and host case, and an empty path being '/'."""
    u = (u or "").strip()
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)(.*)$", u)
    if not m:
        return u
    rest = m.group(3) if m.group(3) else "/"
    if rest[0] in "?#":
        rest = "/" + rest
    return m.group(1).lower() + m.group(2).lower() + rest


def short(x, n=110):
    x = json.dumps(x, ensure_ascii=False) if not isinstance(x, str) else x
    return x if len(x) <= n else x[: n - 1] + "…"


def extract(path):
    try:
        p = subprocess.run([binary, "extract", path, "--format", "json"], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    try:
        return json.loads(p.stdout)["documents"][0], ""
    except Exception:
        return None, f"exit {p.returncode}: {p.stderr.strip()[:160]}"


results = []
for name, t in truth.items():
    if only and name not in only:
        continue
    sub = [0, 0]
    parts = {"count": [0, 0], "errors": [0, 0], "urls": [0, 0], "fields": [0, 0]}

    def case(kind, ok, what):
        parts[kind][0] += bool(ok); parts[kind][1] += 1
        return score(ok, f"{name}: {what}", sub)

    url_notes = {k: v for k, v in t["urls"].items() if v}
    field_cases = [(k, f, v) for k, fs in t["fields"].items() for f, v in fs.items()]
    doc, err = extract(os.path.join(HERE, name))
    if doc is None:
        case("count", False, f"no report ({err})")
        case("errors", False, "no report")
        for k in url_notes:
            case("urls", False, f"note {k}: no report")
        for k, f, v in field_cases:
            case("fields", False, f"note {k} {f}: no report")
    else:
        fns = doc.get("footnotes", [])
        got = len(fns)
        want = t["notes"]
        case("count", abs(got - want) <= max(1, want // 10), f"{got} footnotes, truth {want} {t['kind']}")
        errs = [i for i in doc.get("issues", []) if i.get("severity") == "error"]
        case("errors", not errs, f"{len(errs)} error findings, e.g. "
             + (f"{errs[0].get('kind')}: {short(errs[0].get('message', ''), 100)}" if errs else ""))
        by_key, groups = {}, {}
        for n, fn in enumerate(fns):  # a repeated id: its occurrences in page/line order
            groups.setdefault(str(fn.get("id")), []).append((fn.get("line") or 0, n, fn))
        for i, occ in groups.items():
            for k, (_, _, fn) in enumerate(sorted(occ, key=lambda o: o[:2]), 1):
                by_key[i if k == 1 else f"{i}#{k}"] = fn
        for k, want_urls in url_notes.items():
            fn = by_key.get(k)
            got_urls = [u if isinstance(u, str) else u.get("url") for u in (fn or {}).get("urls", [])]
            have = {canon(u) for u in got_urls}
            missing = [u for u in want_urls if canon(u) not in have]
            if fn is None:
                case("urls", False, f"note {k}: no footnote with this id (want {short(want_urls, 120)})")
            else:
                alt = doc.get("alternatives") or {}
                hint = [a for a in got_urls if canon(alt.get(a)) in {canon(m) for m in missing}]
                case("urls", not missing, f"note {k}: missing {short(missing, 140)}; got {short(got_urls, 160)}"
                     + (" (the hyphen-free alternative holds it)" if hint else ""))
        for k, f, v in field_cases:
            fn = by_key.get(k)
            g = (fn or {}).get(f)
            if fn is None:
                case("fields", False, f"note {k} {f}: no footnote with this id")
            elif v is None:
                case("fields", not g, f"note {k} {f}: truth none, got {short(g, 100)}")
            elif f == "date":
                ok = isinstance(g, str) and g[: len(v)] == v and len(g) == len(v)
                case("fields", ok, f"note {k} date: want {v}, got {g}")
            else:
                case("fields", norm(g) == norm(v), f"note {k} {f}: want {short(v, 90)}, got {short(g, 90)}")
    results.append((name, sub, parts))
    print(f"{name}: {sub[0]}/{sub[1]} (count {parts['count'][0]}/{parts['count'][1]}, no errors "
          f"{parts['errors'][0]}/{parts['errors'][1]}, urls {parts['urls'][0]}/{parts['urls'][1]}, fields "
          f"{parts['fields'][0]}/{parts['fields'][1]})")

totals = {k: [sum(p[k][0] for _, _, p in results), sum(p[k][1] for _, _, p in results)] for k in
          ("count", "errors", "urls", "fields")}
print("by kind: " + ", ".join(f"{k} {h}/{n}" for k, (h, n) in totals.items()))
print(f"score: {hit}/{tot}")
sys.exit(0 if hit == tot else 1)
