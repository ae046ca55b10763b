"""Every event table indexes the references a history is read by, and not the people and
dictionary entries a record names: no page reads history by them, and each index is written
with every event."""

import pghistory.core
import pytest

from archive_site.history import EVENT_KEYS, names_a_value
from tests.archive_site.schema import leading_columns

pytestmark = pytest.mark.django_db


def test_event_tables_index_what_histories_are_read_by_and_nothing_a_record_merely_names():
    events = pghistory.core.event_models()
    assert len(events) >= 30
    followed = left = 0
    for event_model in events:
        indexed = leading_columns(event_model._meta.db_table)
        assert {"pgh_obj_id", "pgh_context_id"} <= indexed, event_model.__name__
        for field in event_model._meta.fields:
            if not field.many_to_one or field.name in EVENT_KEYS:
                continue
            if names_a_value(field):
                assert field.column not in indexed, (event_model.__name__, field.name)
                left += 1
            else:
                assert field.column in indexed, (event_model.__name__, field.name)
                followed += 1
    # a customer's contacts, an objection's photos, a plan's revisions; their authors, their grades
    assert followed >= 20 and left >= 50
