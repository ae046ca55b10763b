import datetime

import pytest

from quality.models import DeadlineRule

RECEIVED = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture
def mailed(alice, quality, admin_user):
    """The users who receive mail here have addresses."""
    for user, address in [(alice, "alice@mill.example"), (quality, "quality@mill.example")]:
        user.email = address
        user.save()
    return {"alice": alice, "quality": quality}


@pytest.fixture
def rules(db):
    """Severity 2: response 1 day after receipt, containment 2, cause 7, closure 20."""
    DeadlineRule.objects.all().delete()
    return DeadlineRule.objects.create(
        severity=2, response_days=1, containment_days=2, cause_days=7, closure_days=20
    )
