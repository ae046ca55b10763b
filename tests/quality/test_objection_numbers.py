"""Objection numbers: per received year, no duplicates and no gaps, even under concurrent registration."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from quality.models import Objection, ObjectionCounter
from tests.factories import make_customer, make_objection


@pytest.mark.django_db
def test_numbers_count_up_within_the_received_year_and_restart_each_year():
    customer = make_customer()
    numbers = [
        make_objection(customer, received_date=datetime.date(2025, 12, 30)).number,
        make_objection(customer, received_date=datetime.date(2026, 1, 2)).number,
        make_objection(customer, received_date=datetime.date(2026, 1, 3)).number,
        make_objection(customer, received_date=datetime.date(2025, 12, 31)).number,
    ]
    assert numbers == ["ZY-2025-0001", "ZY-2026-0001", "ZY-2026-0002", "ZY-2025-0002"]


@pytest.mark.django_db
def test_a_registration_that_rolls_back_gives_its_number_back():
    customer = make_customer()
    make_objection(customer, received_date=datetime.date(2026, 5, 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        make_objection(customer, received_date=datetime.date(2026, 5, 2))
        raise RuntimeError("the request failed after the number was drawn")
    assert make_objection(customer, received_date=datetime.date(2026, 5, 3)).number == "ZY-2026-0002"


def _in_thread(target):
    errors = []

    def run():
        try:
            target()
        except BaseException as e:  # noqa: BLE001 - reported to the test below
            errors.append(e)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_get_consecutive_numbers():
    customer = make_customer()
    first_drawn = threading.Event()
    numbers = {}

    def slow_registration():
        # Draws a number, then keeps its transaction open a while.
        with transaction.atomic():
            numbers["slow"] = make_objection(customer, received_date=datetime.date(2026, 7, 1)).number
            first_drawn.set()
            time.sleep(0.5)

    def quick_registration():
        first_drawn.wait(5)
        started = time.monotonic()
        with transaction.atomic():
            numbers["quick"] = make_objection(customer, received_date=datetime.date(2026, 7, 1)).number
        numbers["waited"] = time.monotonic() - started

    threads = [_in_thread(slow_registration), _in_thread(quick_registration)]
    for thread, errors in threads:
        thread.join(10)
        assert not errors, errors
    assert (numbers["slow"], numbers["quick"]) == ("ZY-2026-0001", "ZY-2026-0002")
    assert numbers["waited"] > 0.3  # the second waited for the first's lock on the year's counter
    assert ObjectionCounter.objects.get(year=2026).last == 2


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_registration_that_fails_leaves_no_gap():
    customer = make_customer()
    first_drawn = threading.Event()
    numbers = []

    def failing_registration():
        with pytest.raises(RuntimeError), transaction.atomic():
            make_objection(customer, received_date=datetime.date(2026, 8, 1))
            first_drawn.set()
            time.sleep(0.3)
            raise RuntimeError("invalid photo after the number was drawn")

    def other_registration():
        first_drawn.wait(5)
        with transaction.atomic():
            numbers.append(make_objection(customer, received_date=datetime.date(2026, 8, 1)).number)

    threads = [_in_thread(failing_registration), _in_thread(other_registration)]
    for thread, errors in threads:
        thread.join(10)
        assert not errors, errors
    assert numbers == ["ZY-2026-0001"]
    assert list(Objection.objects.values_list("number", flat=True)) == ["ZY-2026-0001"]


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_registrations_have_no_duplicates_or_gaps():
    customer = make_customer()
    start = threading.Barrier(8)

    def register():
        start.wait(5)
        for _ in range(5):
            with transaction.atomic():
                make_objection(customer, received_date=datetime.date(2026, 9, 1))

    threads = [_in_thread(register) for _ in range(8)]
    for thread, errors in threads:
        thread.join(30)
        assert not errors, errors
    numbers = sorted(Objection.objects.values_list("number", flat=True))
    assert numbers == [f"ZY-2026-{n:04d}" for n in range(1, 41)]
