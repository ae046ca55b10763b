"""Submitting a create form twice makes one record; the second submission shows the first's result.

Every URL that makes a record (the permission matrix's rows whose POST adds a row) is
posted twice with the form as its page shows it — the same one-time token both times,
as a double click or a page sent again does.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from archive_site.middleware import ALREADY_SUBMITTED
from customers.models import Customer
from tests.test_hostile_input import fresh
from tests.test_permission_matrix import ROLES, TABLE, World, customer_form, world  # noqa: F401

# URL name → the page whose form posts to it, when it is not the URL itself.
CREATES = {
    "user-create": None,
    "role-create": None,
    "dictionary-create": None,
    "customers:customer-create": None,
    "customers:document-create": None,
    "customers:demand-create": None,
    "customers:customer-follow": "customers:customer-detail",
    "customers:demand-copy": "customers:demand-detail",
    "customers:demand-attachment-create": "customers:demand-detail",
    "quality:objection-create": None,
    "quality:photo-upload": None,
    "quality:attachment-upload": None,
    "quality:comment-create": "quality:objection-detail",
    "quality:plan-create": None,
    "quality:revision-new": "quality:revision-detail",
    "quality:revision-adopt": "quality:revision-detail",
    "quality:plan-apply": None,
    "quality:run-create": None,
    "quality:run-upload": None,
    "products:part-create": None,
    "products:part-copy": None,
    "products:photo-upload": "products:part-detail",
    "imports:upload": None,
    "orders:order-create": None,
    "orders:delivery-create": "orders:order-detail",
    "quality:deadline-rule-create": None,
    "quality:decision-create": None,
}
# POSTs that add a row but are not a form filled once: the merge of two customers (sent again,
# the duplicate is gone and the merge refused), a batch print queued from a list (a second one is
# another print), the lessons' alerts (one per customer and objection: sent again, none is left
# to send), the run grid (each coil once per line, the plan's rule) and the line computers' API
# (idempotent by plan, coil and line).
NOT_ONE_FORM = {
    "customers:customer-merge",
    "printing:customer-sheets",
    "printing:selected-sheets",
    "quality:objection-lessons",
    "quality:run-grid",
    "quality:runs-api",
}
ROWS = [row for row in TABLE if row.name in CREATES]


def token_of(html, action):
    """The one-time token of the form that posts to `action` (or of the page's own form)."""
    for form in re.findall(r"<form\b.*?</form>", html, re.DOTALL):
        target = re.search(r'\baction="([^"]*)"', form.split(">", 1)[0])
        if (target.group(1) if target else "") in (action, ""):
            token = re.search(r'name="submit_token" value="([0-9a-f]{32})"', form)
            if token:
                return token.group(1)
    raise AssertionError(f"no one-time token in the form that posts to {action}")


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_a_create_form_submitted_twice_makes_one_record(row, world: World):  # noqa: F811
    role = next(r for r, answer in zip(ROLES, row.post, strict=True) if r != "anon" and answer == row.done)
    user = world.users[role]
    world.actor = user
    kwargs = row.kwargs(world)
    url = row.url(world, kwargs)
    client = Client()
    client.force_login(user)
    page = CREATES[row.name]
    page_url = reverse(page, kwargs=kwargs) if page else url
    html = client.get(page_url).content.decode()
    data = row.data(world, kwargs)
    data["submit_token"] = token_of(html, url.split("?")[0] if page else "")

    before = row.state(world, kwargs)
    first = client.post(url, fresh(data))
    made = row.state(world, kwargs)
    second = client.post(url, fresh(data))

    assert first.status_code == row.done == 302 and made == before + 1, "the first submission makes it"
    assert row.state(world, kwargs) == made, "the second makes nothing"
    assert second.status_code == 302 and second.url == first.url, "and shows what the first made"
    assert [str(m) for m in get_messages(second.wsgi_request)][-1:] == [str(ALREADY_SUBMITTED)]


def test_every_url_that_makes_a_record_is_checked():
    """A POST row whose state is a count of records is a create, unless it deletes."""
    counted = {
        row.name
        for row in TABLE
        if row.state is not None
        and row.done == 302
        and (row.state.__qualname__.startswith("count.") or row.state.__name__.endswith("_count"))
        and not row.name.endswith("delete")
    }
    assert counted == set(CREATES) | NOT_ONE_FORM


def test_a_corrected_form_goes_through_with_its_token(login, alice):
    """A form shown again with errors keeps its token, and the corrected submission is saved."""
    client = login(alice)
    url = reverse("customers:customer-create")
    token = token_of(client.get(url).content.decode(), "")
    data = customer_form(None, {}) | {"name": "", "submit_token": token}
    again = client.post(url, data)
    assert again.status_code == 200 and token_of(again.content.decode(), "") == token
    data["name"] = "安徽江淮汽车集团股份有限公司"
    assert client.post(url, data).status_code == 302
    assert Customer.objects.filter(name=data["name"]).count() == 1
