#!/usr/bin/env python3
"""Per-field accuracy of citecheck's citation parser on labelled reference strings.

Reads an AnyStyle-format XML file (`<dataset><sequence><author>…</author><title>…</title>…`), as in
AnyStyle's `res/parser/core.xml` (BSD-2, https://github.com/inukshuk/anystyle; fetch it yourself: it is
not part of this repository), turns each reference into a GFM footnote of one Markdown file, runs
`citecheck extract --format json` on it and compares the fields found with the labels:

- title: normalised Sørensen–Dice similarity >= 0.9 with the labelled title;
- year: the year of the first labelled date equals the year of the date found;
- first author: the family name of the first labelled author is in the first author found;
- publication: similarity >= 0.8 with the labelled journal, container title or publisher.

Each field is scored over the references that have a label for it; a field left out counts as wrong.
`precision` is the share of the fields found that are right.

The split is by position: every 5th reference (index 4, 9, …) is held out (`--split test`); the others
are the development set (`--split dev`). Develop on dev, report test.

Usage: benches/citations.py CORE.xml [--split test|dev|all] [--bin target/release/citecheck]
       [--show FIELD] (prints the misses of one field, for development on the dev split)
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def norm(s):
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


def dice(a, b):
    """Sørensen–Dice on letter pairs, whitespace removed: strsim::sorensen_dice, as the drift rule."""
    a, b = a.replace(" ", ""), b.replace(" ", "")
    if a == b:
        return 1.0
    if len(a) < 2 or len(b) < 2:
        return 0.0
    pa = Counter(a[i : i + 2] for i in range(len(a) - 1))
    pb = Counter(b[i : i + 2] for i in range(len(b) - 1))
    return 2 * sum((pa & pb).values()) / (len(a) - 1 + len(b) - 1)


def strip_in(s):
    return re.sub(r"^in\s+", "", s)


INITIAL = re.compile(r"^(?:[A-Z]\.?-?){1,3}$|^[A-Z][a-z]?\.$")


def family_name(authors):
    """The family name of the first author of a labelled author list."""
    first = re.split(r",|;|&| and | und | et ", authors.strip(), maxsplit=1)[0]
    words = [w.strip(".()") for w in first.split() if not INITIAL.match(w.strip("(),"))]
    words = [w for w in words if w and w.lower() not in ("by", "edited", "eds", "ed")]
    return words[-1] if words else None


def year(s):
    m = re.search(r"\b(1[5-9]\d\d|20\d\d)", s or "")
    return m.group(1) if m else None


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def escape(text):
    return MD_SPECIAL.sub(r"\\\1", text)


def load(path):
    refs = []
    for seq in ET.parse(path).getroot().iter("sequence"):
        parts, gold = [], {}
        for child in seq:
            text = " ".join((child.text or "").split())
            if not text:
                continue
            parts.append(text)
            gold.setdefault(child.tag, text)
            if child.tag in ("journal", "container-title", "publisher"):
                gold.setdefault("publications", []).append(text)
        refs.append((" ".join(parts), gold))
    return refs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("xml")
    ap.add_argument("--split", choices=["test", "dev", "all"], default="test")
    ap.add_argument("--bin", default="target/release/citecheck")
    ap.add_argument("--show", choices=["title", "year", "author", "publication"])
    args = ap.parse_args()

    refs = load(args.xml)
    keep = {
        "test": lambda i: i % 5 == 4,
        "dev": lambda i: i % 5 != 4,
        "all": lambda i: True,
    }[args.split]
    refs = [(i, t, g) for i, (t, g) in enumerate(refs) if keep(i)]

    with tempfile.TemporaryDirectory() as tmp:
        md = Path(tmp) / "references.md"
        body = "".join(f"Reference {i}.[^r{i}]\n\n" for i, _, _ in refs)
        notes = "".join(f"[^r{i}]: {escape(t)}\n\n" for i, t, _ in refs)
        md.write_text(body + notes)
        out = subprocess.run(
            [args.bin, "extract", "--format", "json", str(md)],
            capture_output=True,
            text=True,
        )
        if not out.stdout:
            sys.exit(f"citecheck failed: {out.stderr}")
        found = {f["id"]: f for f in json.loads(out.stdout)["documents"][0]["footnotes"]}

    stats = {k: [0, 0, 0] for k in ("title", "year", "author", "publication")}  # scored, found, right
    guessed, certain = [0, 0], [0, 0]  # titles found (guessed or certain), right
    for i, text, gold in refs:
        f = found.get(f"r{i}", {})
        checks = {}
        if "title" in gold:
            t = f.get("title")
            ok = t is not None and dice(norm(t), norm(gold["title"])) >= 0.9
            checks["title"] = (t is not None, ok, t, gold["title"])
            if t is not None:
                kind = guessed if f.get("title_guessed") else certain
                kind[0] += 1
                kind[1] += ok
        if year(gold.get("date")):
            y = year(f.get("date"))
            checks["year"] = (y is not None, y == year(gold["date"]), f.get("date"), gold["date"])
        fam = family_name(gold.get("author", ""))
        if fam and norm(fam):  # "———" (the authors above) names no one: not scored
            a = (f.get("authors") or [None])[0]
            checks["author"] = (a is not None, a is not None and norm(fam) in norm(a), a, gold["author"])
        if "publications" in gold:
            p = f.get("publication")
            ok = p is not None and any(
                dice(strip_in(norm(p)), strip_in(norm(g))) >= 0.8 for g in gold["publications"]
            )
            checks["publication"] = (p is not None, ok, p, " | ".join(gold["publications"]))
        for field, (was_found, ok, got, want) in checks.items():
            s = stats[field]
            s[0] += 1
            s[1] += was_found
            s[2] += ok
            if args.show == field and not ok:
                print(f"#{i} want {want!r}\n   got  {got!r}\n   text {text}\n")

    print(f"{args.xml} ({args.split} split, {len(refs)} references)")
    print(f"{'field':<12} {'scored':>6} {'found':>6} {'right':>6} {'accuracy':>9} {'precision':>9}")
    for field, (n, fnd, ok) in stats.items():
        acc = 100 * ok / n if n else 0
        prec = 100 * ok / fnd if fnd else 0
        print(f"{field:<12} {n:>6} {fnd:>6} {ok:>6} {acc:>8.1f}% {prec:>8.1f}%")
    for name, (n, ok) in (("certain", certain), ("guessed", guessed)):
        if n:
            print(f"titles {name}: {n}, right {100 * ok / n:.1f}%")


if __name__ == "__main__":
    main()
