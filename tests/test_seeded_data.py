"""Transactional tests (browser tests, tests of commits) empty the database after them; every
such test still starts with what the migrations seeded: roles, dictionaries, deadline rules.

Without the serialized rollback `tests/conftest.py` gives them, the second of these tests
(whichever runs second) would find the deadline rules gone: the first one's flush removed them.
"""

import pytest
from django.contrib.auth.models import Group

from archive_site.accounts import roles
from archive_site.models import DictEntry
from quality.models import DeadlineRule

pytestmark = pytest.mark.django_db(transaction=True)


def seeded():
    return {
        "roles": set(Group.objects.values_list("name", flat=True))
        >= {roles.ADMIN, roles.SALES, roles.QUALITY},
        "dictionaries": DictEntry.objects.exists(),
        "deadline rules": DeadlineRule.objects.exists(),
    }


def test_a_transactional_test_finds_the_seeded_data():
    assert seeded() == {"roles": True, "dictionaries": True, "deadline rules": True}
    DeadlineRule.objects.all().delete()  # committed: what a test does is gone only by the flush


def test_another_transactional_test_finds_it_again():
    assert seeded() == {"roles": True, "dictionaries": True, "deadline rules": True}
    DeadlineRule.objects.all().delete()
