"""`day` and `minute` write exactly what Django's `date:"Y-m-d"` and `date:"Y-m-d H:i"` write,
a datetime in the local time of the mill, and no page still draws a date through the format."""

import datetime
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import engines

UTC = datetime.UTC
VALUES = [
    datetime.date(2026, 12, 5),
    datetime.date(999, 1, 2),
    datetime.datetime(2026, 12, 4, 16, 30, tzinfo=UTC),  # 00:30 the next day in Shanghai
    datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai")),
    datetime.datetime(2026, 1, 1, 0, 0),  # naive
    None,
    "",
    "2026-12-05",
]


def render(source, value):
    return engines["django"].from_string("{% load archive %}" + source).render({"v": value})


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_day_and_minute_write_what_the_date_filter_writes(value):
    assert render("{{ v|day }}", value) == render('{{ v|date:"Y-m-d" }}', value)
    if not (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        # (a date has no minutes: both refuse it)
        assert render("{{ v|minute }}", value) == render('{{ v|date:"Y-m-d H:i" }}', value)


def test_a_datetime_is_written_in_the_mills_local_time():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    value = datetime.datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
    assert render("{{ v|day }} {{ v|minute }}", value) == "2026-12-05 2026-12-05 00:30"


def test_no_template_draws_a_day_or_a_minute_through_the_date_format():
    root = Path(settings.BASE_DIR)
    found = subprocess.run(
        ["grep", "-rlE", r'\|date:"Y-m-d( H:i)?"', "templates"], cwd=root, capture_output=True, text=True
    ).stdout.split()
    assert found == []
