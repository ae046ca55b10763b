"""Throughput of the customer list and the judgement check under gunicorn, on the generated archive.

    make bench BENCH=load
    BENCH_LOAD_SECONDS=10 BENCH_CONNECTIONS=8 python -m bench.load   # DATABASE_URL from the environment

gunicorn serves the app with the production settings (DEBUG off, static files
collected and served by whitenoise) on a loopback port: BENCH_WORKERS sync
workers (default 2, one per core). The load comes from wrk (installed by
scripts/setup-system.sh) — or, without it, a small Python client of keep-alive
connections in threads — with BENCH_CONNECTIONS concurrent connections for
BENCH_LOAD_SECONDS (default 15) per case, each request a different page,
search or question, logged in as an administrator (session cookie). Baselines
in the same run: Django admin's stock changelist for the same model and
question, and a static file (what the server does with no Django view at all).
"""

import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import BASE_DIR, bench_users, ensure_archive, percentile, setup_django, table

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", 15))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 8))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
PATHS_PER_CASE = 400

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
wrk.headers["Cookie"] = "%(cookie)s"
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def paths_for_cases(rng):
    """Request paths of each case, varied like a day of use."""
    from django.urls import reverse

    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer
    from quality.models import Objection

    customers = Customer.objects.count()
    words = ["汽车", "电器", "钢桶", "长安", "华鑫", "青岛", "济南"]
    questions = list(
        Objection.objects.order_by("?").values_list("customer_id", "customer__code", "defect_type__code")[
            :300
        ]
    )
    defects = dict(DictEntry.objects.of(DictKind.DEFECT_TYPE).values_list("code", "pk"))

    def url(path, **params):
        return f"{path}?{urlencode(params)}" if params else path

    def pages(size):
        last = max(1, -(-customers // size))
        return rng.choice([1, 1, 2, 3, rng.randint(1, last)])

    cases = {
        "客户列表 customer list": lambda: url(
            reverse("customers:customer-list"),
            **rng.choice([{}, {"page": pages(50)}, {"q": rng.choice(words)}, {"status": "active"}]),
        ),
        "baseline: admin customer changelist": lambda: url(
            reverse("admin:customers_customer_changelist"),
            **rng.choice([{}, {"p": pages(100)}, {"q": rng.choice(words)}, {"status__exact": "active"}]),
        ),
    }

    def question():
        customer_id, code, defect = rng.choice(questions)
        return customer_id, code, defect, rng.randint(1, 4)

    def judgement(name):
        _, code, defect, severity = question()
        return url(reverse(name), customer=code, defect=defect, severity=severity)

    def judgement_admin():
        customer_id, _, defect, severity = question()
        return url(
            reverse("admin:quality_objection_changelist"),
            customer__id__exact=customer_id,
            defect_type__id__exact=defects[defect],
            severity__lte=severity,
        )

    cases["判定辅助 judgement check"] = lambda: judgement("quality:judgement")
    cases["判定 API judgement JSON"] = lambda: judgement("quality:judgement-api")
    cases["baseline: admin objection changelist, same question"] = judgement_admin
    if (BASE_DIR / "static" / "css" / "app.css").exists():  # collected under its own name too
        cases["baseline: static file (whitenoise)"] = lambda: "/static/css/app.css"
    return {name: [make() for _ in range(PATHS_PER_CASE)] for name, make in cases.items()}


class Server:
    """gunicorn on a loopback port with the production settings, static files collected first."""

    def __init__(self, env):
        self.port = free_port()
        self.static_root = tempfile.mkdtemp(prefix="bench-static-")
        self.env = dict(
            env,
            DJANGO_SETTINGS_MODULE="archive_site.settings",
            STATIC_ROOT=self.static_root,
            ALLOWED_HOSTS="127.0.0.1,localhost",
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=self.env,
            check=True,
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "archive_site.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(WORKERS),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=BASE_DIR,
            env=self.env,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.static_root, ignore_errors=True)


def run_wrk(port, paths, cookie):
    """(requests, seconds, p50 ms, p95 ms, errors) from wrk."""
    with tempfile.TemporaryDirectory() as tmp:
        paths_file = Path(tmp) / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "bench.lua"
        script.write_text(WRK_SCRIPT % {"paths": paths_file, "cookie": cookie})
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(CONNECTIONS),
                "-d",
                f"{SECONDS:.0f}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", out)
    requests, micros, p50, p95, errors = m.groups()
    return int(requests), int(micros) / 1e6, float(p50), float(p95), int(errors)


def run_threads(port, paths, cookie):
    """The same with Python threads and keep-alive connections (when wrk is not installed)."""
    stop = time.perf_counter() + SECONDS
    latencies, errors = [], [0]
    lock = threading.Lock()

    def worker(offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = offset
        mine, bad = [], 0
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k * 37,)) for k in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(latencies), elapsed, percentile(latencies, 50), percentile(latencies, 95), errors[0]


def main():
    setup_django()
    ensure_archive()
    from django.conf import settings
    from django.test import Client

    admin, _sales = bench_users()
    client = Client()
    client.force_login(admin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    cases = paths_for_cases(random.Random(9))
    tool = "wrk" if shutil.which("wrk") else "python threads"
    run = run_wrk if tool == "wrk" else run_threads
    server = Server(os.environ)
    rows = []
    try:
        for name, paths in cases.items():
            # Warm up each worker (imports, templates, connections) before measuring.
            run_threads_quick(server.port, paths[:20], cookie)
            requests, seconds, p50, p95, errors = run(server.port, paths, cookie)
            rows.append([name, requests, f"{requests / seconds:.1f}", f"{p50:.1f}", f"{p95:.1f}", errors])
            print(f"  measured {name}", flush=True)
    finally:
        server.stop()
    by_name = {r[0]: float(r[2]) for r in rows}
    pairs = {
        "客户列表 customer list": "baseline: admin customer changelist",
        "判定辅助 judgement check": "baseline: admin objection changelist, same question",
        "判定 API judgement JSON": "baseline: admin objection changelist, same question",
    }
    for r in rows:
        base = pairs.get(r[0])
        r.append(f"{by_name[r[0]] / by_name[base]:.2f}" if base in by_name and by_name[base] else "")
    print()
    print(
        f"Throughput under gunicorn ({WORKERS} sync workers) on loopback, {CONNECTIONS} concurrent "
        f"connections, {SECONDS:.0f} s per case, load by {tool}; ratio = requests/s ÷ the admin baseline's"
    )
    print(table(["case", "requests", "req/s", "p50 ms", "p95 ms", "errors", "ratio"], rows))


def run_threads_quick(port, paths, cookie):
    """A few requests one by one, each of which must succeed (wrk counts a redirect to login as a success)."""
    for path in paths:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status} {response.getheader('Location') or ''}")


if __name__ == "__main__":
    main()
