"""The served app's garbage collector: start-up frozen, the youngest generation raised, and what a
request leaves in cycles still collected without anyone calling `gc.collect()`."""

import json
import os
import subprocess
import sys
from pathlib import Path

from archive_site import collector

ROOT = Path(__file__).resolve().parents[2]

# Loads the app as gunicorn does, then leaves a request's kind of garbage: a cycle nobody holds,
# followed by more allocations than the youngest threshold.
SERVED = """
import gc, json, weakref
import archive_site.wsgi

frozen, threshold = gc.get_freeze_count(), gc.get_threshold()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a
alive = weakref.ref(a)
del a, b
kept = [[] for _ in range(3 * threshold[0])]
print(json.dumps({"frozen": frozen, "threshold": threshold, "cycle_collected": alive() is None}))
"""


def test_the_served_app_freezes_its_start_up_and_still_collects_cycles():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="archive_site.settings")
    command = [sys.executable, "-c", SERVED]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
    served = json.loads(out.stdout.strip().splitlines()[-1])
    # Django and every app's modules, models and URLs: far more than a page makes.
    assert served["frozen"] > 50_000
    assert served["threshold"][0] == collector.YOUNG
    assert served["cycle_collected"]
