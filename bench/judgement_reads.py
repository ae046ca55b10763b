"""The judgement API on the generated archive, each request made as it is now and as it was.

    BENCH_SCALE=10 python -m bench.judgement_reads     # DATABASE_URL from the environment

The API's p95 is held to `judgement.GOAL_P95_MS` at 5 million objections (scale 10). Each
question is asked twice in turn, now and with the old reads patched in (the order swapped
from one question to the next, so that neither gets the warmer cache):

- the alerts from similar customers: before, one query joining each alert to its defect type,
  its source objection and that objection's customer, paid by every question, though most
  customers have no alert; now the alerts alone, their defect and source read only when
  there are any;
- the matching objections of a question that does not name the coil's product: before, each
  joined to its demand and to its part's demand, with their grades, surface qualities and end
  uses read, though nothing is compared with them; now with their part (its name is shown)
  and their own grade only;
- the permissions of a user who is not a superuser (every request of his reads them): before,
  Django's model backend's two queries (his own, his groups'); now one
  (`accounts.backends.granted_permissions`).

The questions are drawn as `bench.pages` draws them (seven in ten a customer and a defect it
has objected to, the rest any customer and defect; any severity; no product), asked by the
administrator and by the generator's first quality inspector (whose permissions are read
from his groups), in a session, and with an API token of his as the mill's other systems
ask. The generated archive holds no alerts: BENCH_ALERTS (default 5 000) are added for the
run, from random objections to random other customers, in a transaction rolled back
afterwards.
"""

import os
import random
import statistics
import time
from contextlib import contextmanager

from bench.common import ensure_archive, load, percentile, rolled_back, setup_django
from bench.judgement import GOAL_P95_MS

QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", 300))
ALERTS = int(os.environ.get("BENCH_ALERTS", 5000))
SEED = 20261203

# The alerts as the answer read them before: every one joined to what it shows.
OLD_ALERT_FIELDS = (
    "message",
    "reason",
    "created_at",
    "defect_type__code",
    "defect_type__name",
    "defect_type__name_en",
    "objection__number",
    "objection__customer__name",
)


def joined_alerts(alerts, customer):
    return list(
        alerts.filter(customer=customer, active=True)
        .select_related("defect_type", "objection__customer")
        .only(*OLD_ALERT_FIELDS)
        .order_by("-created_at", "-id")
    )


@contextmanager
def before():
    """The old reads, patched in: the alerts joined, the matches with their demands' facts, the
    permissions in two queries."""
    from django.contrib.auth.backends import ModelBackend

    from archive_site.accounts.backends import AccountBackend
    from quality.models import judgement

    alerts, matches, entries = judgement._alerts, judgement._matches, judgement._with_entries
    judgement._alerts = joined_alerts
    judgement._matches = lambda objections, products: matches(objections, products=True)
    judgement._with_entries = lambda found, products: entries(found, products=True)
    permissions = AccountBackend.get_all_permissions
    AccountBackend.get_all_permissions = ModelBackend.get_all_permissions
    try:
        yield
    finally:
        judgement._alerts, judgement._matches, judgement._with_entries = alerts, matches, entries
        AccountBackend.get_all_permissions = permissions


def questions(rng, n):
    """Query parameters as `bench.pages` asks them: 70 % a customer and a defect it objected to."""
    from archive_site.models import DictEntry, DictKind
    from customers.models import Customer
    from quality.models import Objection

    top = Objection.objects.order_by("-pk").values_list("pk", flat=True)[0]
    judged = list(
        Objection.objects.filter(pk__in=[rng.randint(1, top) for _ in range(n)]).values_list(
            "customer__code", "defect_type__code"
        )
    )
    last = Customer.objects.order_by("-pk").values_list("pk", flat=True)[0]
    codes = list(
        Customer.objects.filter(pk__in=[rng.randint(1, last) for _ in range(n)]).values_list(
            "code", flat=True
        )
    )
    defects = list(DictEntry.objects.of(DictKind.DEFECT_TYPE).values_list("code", flat=True))
    asked = []
    for _ in range(n):
        code, defect = rng.choice(judged) if rng.random() < 0.7 else (rng.choice(codes), rng.choice(defects))
        asked.append({"customer": code, "defect": defect, "severity": rng.randint(1, 4)})
    return asked


def add_alerts():
    """ALERTS alerts from random objections to random other customers (in the caller's transaction,
    rolled back)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO quality_alert (created_at, updated_at, version, customer_id, objection_id,
                                       defect_type_id, reason, message, active)
            SELECT now(), now(), 1, c.id, o.id, o.defect_type_id, '同牌号',
                   '对此缺陷敏感：同类客户' || o.number, true
            FROM (SELECT id, row_number() OVER () AS n
                  FROM (SELECT id FROM customers_customer ORDER BY md5(id::text) LIMIT %s) picked) c
            JOIN (SELECT id, customer_id, defect_type_id, number, row_number() OVER () AS n
                  FROM (SELECT * FROM quality_objection WHERE id %% 997 = 0 LIMIT %s) picked) o
              ON o.n = c.n AND o.customer_id <> c.id
            ON CONFLICT DO NOTHING
            """,
            [ALERTS, ALERTS],
        )
        cursor.execute("ANALYZE quality_alert")
        cursor.execute("SELECT count(DISTINCT customer_id) FROM quality_alert WHERE active")
        return cursor.fetchone()[0]


def asked_in_turn(client, url, asked):
    """{"before": [ms], "now": [ms]} of each question asked both ways in turn."""
    times = {"before": [], "now": []}
    for i, query in enumerate(asked):
        for mode in ("before", "now") if i % 2 else ("now", "before"):
            with before() if mode == "before" else _nothing():
                started = time.perf_counter()
                response = client.get(url, query)
                ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (query, response.status_code)
            if i >= 10:
                times[mode].append(ms)
    return times


@contextmanager
def _nothing():
    yield


def main():
    setup_django()
    ensure_archive()
    from django.test import Client
    from django.urls import reverse

    from archive_site.models import ApiToken
    from bench.common import bench_quality_user, bench_users
    from quality.models import Objection

    rng = random.Random(SEED)
    admin, _sales = bench_users()
    inspector = bench_quality_user()
    asked = questions(rng, QUESTIONS)
    url = reverse("quality:judgement-api")
    objections = Objection.objects.count()
    with rolled_back():
        with_alerts = add_alerts()
        print(
            f"{objections:,} objections; {with_alerts:,} customers with alerts (added for the run); "
            f"{len(asked)} questions asked each way; {load()}"
        )
        header = f"{'before p50':>11} {'p95':>7} {'now p50':>9} {'p95':>7} {'p95 ratio':>10}"
        print(f"\n{'judgement API as':28} {header}")
        _token, key = ApiToken.issue(inspector, "bench", by=admin)
        for who, user, token in (
            ("administrator", admin, None),
            ("quality inspector", inspector, None),
            ("quality inspector's token", None, key),
        ):
            client = Client(headers={"authorization": f"Bearer {token}"}) if token else Client()
            if user is not None:
                client.force_login(user)
            times = asked_in_turn(client, url, asked)
            b50, b95 = statistics.median(times["before"]), percentile(times["before"], 95)
            n50, n95 = statistics.median(times["now"]), percentile(times["now"], 95)
            goal = "met" if n95 < GOAL_P95_MS else "NOT met"
            figures = f"{b50:11.1f} {b95:7.1f} {n50:9.1f} {n95:7.1f} {b95 / n95:9.2f}×"
            print(f"{who:28} {figures}  goal p95 < {GOAL_P95_MS} ms: {goal}", flush=True)
    print(load())


if __name__ == "__main__":
    main()
