"""A new database is built by the squashed migrations: every trigger the models declare
must come out of them installed, as declared and enabled (history is kept from the first
write)."""

import pgtrigger
import pytest


@pytest.mark.django_db
def test_every_trigger_the_models_declare_is_installed_as_declared():
    statuses = {
        trigger.get_uri(model): trigger.get_installation_status(model)
        for model, trigger in pgtrigger.registered()
    }

    assert len(statuses) >= 100
    assert {uri: status for uri, status in statuses.items() if status != ("INSTALLED", True)} == {}
