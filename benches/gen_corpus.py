#!/usr/bin/env python3
"""Generates a corpus of briefs in the example's style for the extraction benchmark.

Usage: gen_corpus.py OUT_DIR [TOTAL_MB] [FOOTNOTES] [FILES]
Writes OUT_DIR/brief-NNNN.md files (FILES of them, default 500; 1 makes one large report), deterministic
(fixed seed), with `<sup>N</sup>` footnotes at the bottom of each page, GFM footnotes in every fifth
file, inline links and bare URLs in the body.
"""
import os
import random
import sys

out = sys.argv[1]
total_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 50
footnotes = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
files = int(sys.argv[4]) if len(sys.argv) > 4 else 500
per_file = footnotes // files
body_target = int(total_mb * 1024 * 1024 / files)

rng = random.Random(20201119)
words = ("pakistan afghanistan peace process visit bilateral trade connectivity security taliban kabul "
         "islamabad ceasefire refugees region transition agreement dialogue violence border treaty water "
         "the of and to in a that is for on with as by was it this be are from at have").split()
hosts = ["www.dawn.com", "tribune.com.pk", "www.bbc.com", "www.youtube.com", "twitter.com",
         "www.mfa.gov.af", "www.reuters.com", "www.aljazeera.com", "thediplomat.com", "www.un.org"]
pubs = ["Dawn", "Express Tribune", "BBC News", "YouTube", "Reuters", "Al Jazeera", "The Diplomat"]
months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def sentence(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def url(i, j):
    host = rng.choice(hosts)
    return f"https://{host}/news/{i}-{j}/" + "-".join(rng.choice(words) for _ in range(6))


os.makedirs(out, exist_ok=True)
for i in range(files):
    parts = [f"### Brief {i}: an assessment\n\nBy **Author {i}**\n\nDecember 6, 2020\n\n"]
    gfm = i % 5 == 0 and files > 1
    size = 0
    n = 1
    page_notes = []
    while n <= per_file:
        para = " ".join(sentence(rng.randint(8, 20)) for _ in range(rng.randint(2, 4)))
        marker = f"[^{n}]" if gfm else f"<sup>{n}</sup>"
        if rng.random() < 0.2:
            para += f" See [the report]({url(i, n)}) and https://example.org/{i}/{n}/background (more)."
        parts.append(para + marker + "\n\n")
        d = f"{months[rng.randrange(12)]} {rng.randint(1, 28)}, {rng.randint(2005, 2024)}"
        note = f'"{sentence(rng.randint(5, 12))[:-1]}," *{rng.choice(pubs)}*, {d}, <{url(i, n)}>'
        if gfm:
            page_notes.append(f"[^{n}]: {note}\n\n")
        else:
            page_notes.append(f"<sup>{n}</sup> {note}\n\n")
        n += 1
        if len(page_notes) == 4 or n > per_file:
            if not gfm:
                parts.append("---\n\n" + "".join(page_notes))
                page_notes = []
    if gfm:
        parts.append("".join(page_notes))
    text = "".join(parts)
    # Pad with body text to reach the target size.
    while len(text) < body_target:
        text += " ".join(sentence(rng.randint(8, 20)) for _ in range(8)) + "\n\n"
    with open(os.path.join(out, f"brief-{i:04}.md"), "w") as f:
        f.write(text)
