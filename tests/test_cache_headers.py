"""Nothing of a customer's archive stays in a browser's cache once access is withdrawn.

Every named URL of the permission matrix, as the first role it serves, and every POST that
answers with a document (the PDFs): the answer says `private, no-store`, whatever it is —
a page, an export, a photo, a download, a PDF, a refusal.
"""

import pytest
from django.db import transaction

from tests.test_permission_matrix import (
    READ_ONLY,
    ROLES,
    TABLE,
    answer,
    client_for,
    world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db


def first_role(expected, answers):
    return next((role for role, got in zip(ROLES, answers, strict=True) if got == expected), "admin")


def test_every_answer_of_a_permission_checked_view_is_private_and_not_stored(world):  # noqa: F811
    kinds, wrong = set(), []
    for row in TABLE:
        kwargs = row.kwargs(world)
        url = row.url(world, kwargs)
        requests = [("get", first_role(200, row.get), None)]
        if row.post is not READ_ONLY and row.done == 200:  # a document made by a POST
            requests.append(("post", first_role(row.done, row.post), row.data))
        for method, role, data in requests:
            with transaction.atomic():
                world.actor = world.users[role]
                client = client_for(world.actor)
                response = getattr(client, method)(url, data(world, kwargs) if data else {})
                got = answer(response)
                transaction.set_rollback(True)
            kinds.add(response.get("Content-Type", "").split(";")[0])
            if response.get("Cache-Control") != "private, no-store":
                wrong.append(f"{method.upper()} {url} [{role}] → {got}: {response.get('Cache-Control')!r}")
    assert not wrong, "\n".join(wrong)
    # The walk reached photos, exports and PDFs, not only pages.
    assert {
        "image/jpeg",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/html",
    } <= kinds, kinds
