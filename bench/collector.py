"""The served app's garbage collector (`archive_site.collector.settle`: start-up frozen, the youngest
generation collected at 5 000 objects) against Python's defaults (nothing frozen, 700), in the same
run, on the generated archive.

    make bench BENCH=collector
    BENCH_ROUNDS=2 python -m bench.collector     # DATABASE_URL from the environment

Four pages through Django's test client: the objection list searched for 辊印 (pages 1–3, as
bench/search.py draws them) as the salesman and as the administrator, his objection list
unsearched, and the customer list. The two settings take turns in BENCH_ROUNDS rounds (default
4) of 25 requests a page, each after two unmeasured ones. Besides each page's times, the
collector's own time in every request is summed (`gc.callbacks`): its mean, p95 and longest
pause are what the setting changes, the pages' times show what that is worth in a page.
"""

import gc
import os
import random
import statistics
import time

from bench.common import bench_users, compared, ensure_archive, load, percentile, setup_django, table

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 4))
REQUESTS = 25
DEFAULTS = (700, 10, 10)  # Python's thresholds


def python_defaults():
    gc.unfreeze()
    gc.collect()
    gc.set_threshold(*DEFAULTS)


def settled():
    from archive_site import collector

    gc.unfreeze()
    collector.settle()


SETTINGS = (("Python's defaults", python_defaults), ("settled", settled))


class CollectorClock:
    """The milliseconds the collector ran since the last `reset()`."""

    def __init__(self):
        self.ms, self._started = 0.0, None
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.ms += (time.perf_counter() - self._started) * 1000

    def reset(self):
        self.ms = 0.0


def main():
    setup_django()
    ensure_archive()
    from django.test import Client

    admin, sales = bench_users()
    rng = random.Random(11)

    def searched():
        return {"q": "辊印", "page": rng.choice([1, 1, 1, 2, 3])}

    pages = (
        ("异议列表 ?q=辊印 (sales)", sales, "/quality/objections/", searched),
        ("异议列表 ?q=辊印 (admin)", admin, "/quality/objections/", searched),
        ("异议列表 (sales)", sales, "/quality/objections/", dict),
        ("客户列表 (admin)", admin, "/customers/", dict),
    )
    clients = {}
    for _, user, _, _ in pages:
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
    print(f"{len(pages)} pages, {ROUNDS} rounds of {REQUESTS} requests a page each way; {load()}")
    clock = CollectorClock()
    times = {(name, page[0]): [] for name, _ in SETTINGS for page in pages}
    collector_ms = {name: [] for name, _ in SETTINGS}
    statuses = set()
    for _ in range(ROUNDS):
        for name, apply in SETTINGS:
            apply()
            for label, user, url, params in pages:
                client = clients[user.pk]
                for _ in range(2):
                    client.get(url, params())
                for _ in range(REQUESTS):
                    clock.reset()
                    started = time.perf_counter()
                    response = client.get(url, params())
                    times[(name, label)].append((time.perf_counter() - started) * 1000)
                    collector_ms[name].append(clock.ms)
                    statuses.add(response.status_code)
    settled()  # as the benchmarks' setup left it
    if statuses != {200}:
        raise SystemExit(f"pages answered {sorted(statuses)}")

    def figures(values):
        return [
            f"{value:.1f}"
            for value in (statistics.mean(values), percentile(values, 50), percentile(values, 95))
        ]

    rows = []
    for label, *_ in pages:
        before, now = times[("Python's defaults", label)], times[("settled", label)]
        rows.append(
            [
                label,
                *figures(now),
                f"{max(now):.1f}",
                *figures(before),
                f"{max(before):.1f}",
                f"mean {compared(statistics.mean(before), statistics.mean(now))}",
            ]
        )
    headers = ["page", "mean", "p50", "p95", "max", "defaults mean", "p50", "p95", "max", "ratio"]
    print(table(headers, rows))
    print()
    rows = []
    for name, _ in SETTINGS:
        values = collector_ms[name]
        rows.append(
            [name, f"{statistics.mean(values):.2f}", f"{percentile(values, 95):.2f}", f"{max(values):.1f}"]
        )
    print("the collector's time in a request, ms")
    print(table(["setting", "mean", "p95", "longest"], rows))


if __name__ == "__main__":
    main()
