"""The cost curve: every page at several sizes of the archive, and how each grows.

    make bench BENCH=scaling                         # BENCH_SCALES="0.1 1 10"; not in a plain `make bench`
    BENCH_SCALES="0.01 0.1" python -m bench.scaling  # DATABASE_URL from the environment

For each scale (1 = the default archive: 20 000 customers, 500 000 objections; 10 = 5 million
objections) the archive is generated in one go, in a database of its own on the same server
(`<database>_s<scale>`, kept for the next run), and `bench.pages` measures every list, record
and statistics page, the judgement check and its API and the home page on it, with Django
admin's pages as their baseline in the same run. The table then gives each page's p95 at
each scale and its growth from one scale to the next, beside the growth of the logarithm of
the archive (the objections), log(N₂) ÷ log(N₁): a list page whose p95 grows faster than that
is marked. The judgement API's p95 at the largest scale is held against its goal (20 ms at
5 million objections).
"""

import math
import os
import re
import subprocess
import sys

import django

from bench.common import database_name, database_of_its_own, table
from bench.judgement import GOAL_P95_MS

SCALES = [float(s) for s in os.environ.get("BENCH_SCALES", "0.1 1 10").split()]
JUDGEMENT_API = "判定 API judgement JSON"
LISTS = ("列表", "工作队列", "选择")  # the list pages, by their labels in bench.pages
ROW = re.compile(r"^(\S.*?)\s{2,}(\d+)\s+([\d.]+)\s+([\d.]+)\s")


def database_for(scale):
    """DATABASE_URL of this scale's archive, the database created if missing."""
    return database_of_its_own(f"{database_name()}_s{scale:g}".replace(".", "_"))


def pages_at(scale):
    """{page label: (p50, p95)} measured by bench.pages on the archive of `scale`, its output echoed."""
    env = dict(os.environ, BENCH_SCALE=str(scale), DATABASE_URL=database_for(scale))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.pages"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    figures = {}
    for line in proc.stdout:
        print(f"  [{scale:g}×] {line}", end="", flush=True)
        if match := ROW.match(line):
            figures[match[1].strip()] = (float(match[3]), float(match[4]))
    if proc.wait() != 0:
        sys.exit(f"bench.pages failed at scale {scale:g}")
    return figures


def objections_at(scale):
    from devtools.generator import sizes

    return sizes(scale)["objections"]


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings")
    django.setup()  # for the generator's sizes; each scale is measured in a process of its own
    measured = {scale: pages_at(scale) for scale in SCALES}
    counts = {scale: objections_at(scale) for scale in SCALES}
    labels = [label for label in measured[SCALES[0]] if all(label in measured[s] for s in SCALES)]
    headers = ["page"] + [f"p95 ms {s:g}×" for s in SCALES]
    for a, b in pairs():
        headers.append(f"growth {a:g}→{b:g}× (log: {math.log(counts[b]) / math.log(counts[a]):.2f})")
    rows, marked = [], []
    for label in labels:
        row = [label] + [f"{measured[s][label][1]:.1f}" for s in SCALES]
        for a, b in pairs():
            growth = measured[b][label][1] / measured[a][label][1]
            logarithmic = math.log(counts[b]) / math.log(counts[a])
            faster = label.split()[0].endswith(LISTS) and growth > logarithmic
            row.append(f"{growth:.2f}{' > log' if faster else ''}")
            if faster:
                marked.append(f"{label} ({a:g}→{b:g}×)")
        rows.append(row)
    sizes_said = ", ".join(f"{s:g}× = {counts[s]:,} objections" for s in SCALES)
    print(f"\nThe cost curve ({sizes_said}); p95 of bench.pages at each scale, growth = p95 ratio")
    print(table(headers, rows))
    print("List pages growing faster than the logarithm of the archive: " + (", ".join(marked) or "none"))
    largest = SCALES[-1]
    if JUDGEMENT_API in measured[largest]:
        p95 = measured[largest][JUDGEMENT_API][1]
        met = "met" if p95 < GOAL_P95_MS else "NOT met"
        print(
            f"Judgement API at {counts[largest]:,} objections: p95 {p95:.1f} ms "
            f"(goal < {GOAL_P95_MS} ms at 5 000 000: {met})"
        )


def pairs():
    return list(zip(SCALES, SCALES[1:], strict=False))


if __name__ == "__main__":
    main()
