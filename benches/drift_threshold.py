#!/usr/bin/env python3
"""Similarity of real web pages at two dates, to set the default of the content-drift check.

The check compares the text of a cited page now with the Wayback Machine capture near the citation
date and warns `content-drift` when the similarity falls below a threshold. This script measures the
same similarity on pairs of real pages listed in a manifest (benches/drift/pairs.tsv) and prints, per
kind of pair, the distribution and how many pairs fall on the wrong side of a threshold.

Similarity, exactly as the check is to compute it:
1. Page text: parse the HTML; drop the contents of script, style, noscript, template, svg, nav, header,
   footer, aside and form; keep only the text of the first <article> if there is one, else of the first
   <main>, else of the whole body. Text pieces are joined with spaces.
2. Words: Unicode NFKD, combining marks dropped, lower case, every character that is not a letter or
   digit (str.isalnum) made a space, split on white space.
3. Shingles: every run of 5 consecutive words (a text of fewer than 5 words is one shingle of all its
   words). Similarity = Jaccard of the two shingle sets, |A & B| / |A | B|.

The pages are not copied here: each side of a pair is `COMMIT:PATH` in a public GitHub repository,
read with `git show` from a bare or normal clone under --mirrors (DIR/owner+name/repo, as the search
tool's `fetch` lays it out, or DIR/owner+name). benches/drift/README.md says how to get them.

Manifest: tab-separated, a header line, then `kind  repo  commitA:pathA  commitB:pathB  similarity`.
Kinds: same-minor, same-rewrite, same-noise, same-thin, different, different-thin (see the README).

Usage: benches/drift_threshold.py [benches/drift/pairs.tsv] [--mirrors /work/.mirror]
       [--threshold 0.10] [--min-words 100] [--by-site] [--write]
Standard library only.
"""

import argparse
import os
import statistics
import subprocess
import sys
import unicodedata
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

DROP = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "keygen", "command", "basefont", "bgsound", "frame", "isindex"}


class TextParser(HTMLParser):
    """Collects text pieces with where they are: in the first article, the first main, the body.

    An end tag closes the innermost open element of its name and everything opened inside it (so an
    unclosed <p> or <li> does not matter); an end tag with no open element of its name is ignored.
    The "first" article or main is the first one not inside a dropped element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, is_first_article, is_first_main)
        self.drop = self.head = self.in_article = self.in_main = 0
        self.have_article = self.have_main = False
        self.pieces = []  # (text, in_first_article, in_first_main, in_body)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        first_article = tag == "article" and not self.have_article and not self.drop
        first_main = tag == "main" and not self.have_main and not self.drop
        self.have_article |= first_article
        self.have_main |= first_main
        self.stack.append((tag, first_article, first_main))
        self.drop += tag in DROP
        self.head += tag == "head"
        self.in_article += first_article
        self.in_main += first_main

    def handle_startendtag(self, tag, attrs):
        pass  # <x/> has no content

    def handle_endtag(self, tag):
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            t, a, m = self.stack.pop()
            self.drop -= t in DROP
            self.head -= t == "head"
            self.in_article -= a
            self.in_main -= m
            if t == tag:
                break

    def handle_data(self, data):
        if not self.drop and data.strip():
            self.pieces.append((data, self.in_article > 0, self.in_main > 0, self.head == 0))


def page_text(html):
    p = TextParser()
    p.feed(html)
    p.close()
    if p.have_article:
        return " ".join(t for t, a, _, _ in p.pieces if a)
    if p.have_main:
        return " ".join(t for t, _, m, _ in p.pieces if m)
    return " ".join(t for t, _, _, body in p.pieces if body)


def words(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return "".join(c if c.isalnum() else " " for c in text).split()


def shingles(ws, k=5):
    if len(ws) < k:
        return {tuple(ws)}
    return {tuple(ws[i:i + k]) for i in range(len(ws) - k + 1)}


def jaccard(a, b):
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def decode(raw):
    """UTF-8, else the charset the page declares, else Windows-1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = raw[:4096].lower()
    at = head.find(b"charset=")
    if at >= 0:
        name = head[at + 8:at + 40].strip(b"\"' ").split(b'"')[0].split(b"'")[0].split(b";")[0]
        name = name.split()[0] if name.split() else b""
        try:
            return raw.decode(name.decode("ascii"), errors="replace")
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace")


def git_dir(mirrors, repo):
    base = Path(mirrors) / repo.replace("/", "+")
    for cand in (base / "repo", base / ".git", base):
        if (cand / "HEAD").exists() or (cand / "objects").is_dir():
            return str(cand)
    sys.exit(f"no clone of {repo} under {mirrors} (looked for {base}/repo): see benches/drift/README.md")


def git(gd, *args):
    return subprocess.run(["git", "--git-dir", gd, *args], check=True, capture_output=True).stdout


def pct(v, q):
    return v[min(len(v) - 1, int(q * len(v)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = Path(__file__).resolve().parent
    ap.add_argument("manifest", nargs="?", default=str(here / "drift" / "pairs.tsv"))
    ap.add_argument("--mirrors", default=os.environ.get("DRIFT_MIRRORS", "/work/.mirror"),
                    help="folder of the fetched repositories (default /work/.mirror or $DRIFT_MIRRORS)")
    ap.add_argument("--threshold", type=float, default=0.10, help="the threshold to score (default 0.10)")
    ap.add_argument("--min-words", type=int, default=100,
                    help="pairs with a side shorter than this are the -thin kinds (default 100)")
    ap.add_argument("--write", action="store_true", help="rewrite the similarity column of the manifest")
    ap.add_argument("--by-site", action="store_true", help="also one table row per kind and repository")
    args = ap.parse_args()

    lines = Path(args.manifest).read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [ln.split("\t") for ln in lines[1:] if ln.strip() and not ln.startswith("#")]
    texts, dates, out = {}, {}, []
    stale = thin_mismatch = 0
    by_kind = defaultdict(list)
    for kind, repo, a, b, *rest in rows:
        gd = git_dir(args.mirrors, repo)
        sides = []
        for rev in (a, b):
            if (repo, rev) not in texts:
                texts[repo, rev] = words(page_text(decode(git(gd, "show", rev))))
            commit = rev.split(":", 1)[0]
            if (repo, commit) not in dates:
                dates[repo, commit] = int(git(gd, "log", "-1", "--format=%ct", commit).strip())
            sides.append(texts[repo, rev])
        sim = jaccard(shingles(sides[0]), shingles(sides[1]))
        gap = abs(dates[repo, b.split(":", 1)[0]] - dates[repo, a.split(":", 1)[0]]) / 86400
        short = min(len(sides[0]), len(sides[1])) < args.min_words
        thin_mismatch += short != kind.endswith("-thin")
        if rest and rest[0] and abs(float(rest[0]) - sim) > 5e-5:
            stale += 1
        by_kind[kind].append((sim, gap, repo))
        out.append("\t".join((kind, repo, a, b, f"{sim:.4f}")))

    order = ["same-minor", "same-rewrite", "same-noise", "different", "same-thin", "different-thin"]
    kinds = [k for k in order if k in by_kind] + sorted(k for k in by_kind if k not in order)
    t = args.threshold
    print(f"{len(out)} pairs from {len({r[1] for r in rows})} repositories; similarity = Jaccard of "
          f"5-word shingle sets\n")
    print(f"| kind | pairs | repos | min | p10 | median | p90 | max | gap days (min, median, max) | "
          f"below {t:g} |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for k in kinds:
        v = sorted(s for s, _, _ in by_kind[k])
        gaps = sorted(g for _, g, _ in by_kind[k])
        below = sum(s < t for s in v)
        print(f"| {k} | {len(v)} | {len({r for _, _, r in by_kind[k]})} | {v[0]:.3f} | {pct(v, .1):.3f} | "
              f"{statistics.median(v):.3f} | {pct(v, .9):.3f} | {v[-1]:.3f} | "
              f"{gaps[0]:.0f}, {statistics.median(gaps):.0f}, {gaps[-1]:.0f} | {below} |")

    if args.by_site:
        print("\n| kind | repository | pairs | min | median | max | below %g |" % t)
        print("|---|---|---:|---:|---:|---:|---:|")
        for k in kinds:
            for repo in sorted({r for _, _, r in by_kind[k]}):
                v = sorted(s for s, _, r in by_kind[k] if r == repo)
                print(f"| {k} | {repo} | {len(v)} | {v[0]:.3f} | {statistics.median(v):.3f} | {v[-1]:.3f} | "
                      f"{sum(x < t for x in v)} |")

    same = sorted(s for s, _, _ in by_kind.get("same-minor", []))
    diff = sorted(s for s, _, _ in by_kind.get("different", []))
    if same and diff:
        print(f"\nsame-minor lowest {same[0]:.3f}; different highest {diff[-1]:.3f}")
        print("\nthreshold sweep (a warning is similarity < threshold):")
        print("| threshold | same-minor warned | same-rewrite warned | same-noise warned | "
              "different not warned |")
        print("|---:|---:|---:|---:|---:|")
        for cand in (0.02, 0.03, 0.05, 0.08, 0.10, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50):
            cnt = {k: sum(s < cand for s, _, _ in by_kind.get(k, [])) for k in by_kind}
            print(f"| {cand:.2f} | {cnt.get('same-minor', 0)}/{len(same)} | "
                  f"{cnt.get('same-rewrite', 0)}/{len(by_kind.get('same-rewrite', []))} | "
                  f"{cnt.get('same-noise', 0)}/{len(by_kind.get('same-noise', []))} | "
                  f"{len(diff) - cnt.get('different', 0)}/{len(diff)} |")
    if stale:
        print(f"\n{stale} similarities differ from the manifest's column (--write updates it)")
    if thin_mismatch:
        print(f"\n{thin_mismatch} pairs: the -thin kind does not match --min-words {args.min_words}")
    if args.write:
        Path(args.manifest).write_text("\n".join([header, *out]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
