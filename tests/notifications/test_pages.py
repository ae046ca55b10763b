"""The notification list, marking read, the header's unread count and the e-mail preferences."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Kind, Notification, Preference
from tests.factories import make_objection

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:notification-list")
READ_ALL = reverse("notifications:notification-read-all")
PREFERENCES = reverse("notifications:preferences")


def read_url(note):
    return reverse("notifications:notification-read", args=[note.pk])


def tell(user, objection, kind=Kind.ASSIGNED, **fields):
    args = {"number": objection.number, "customer": objection.customer.name, "by": "管理员", "note": ""}
    return Notification.objects.create(recipient=user, kind=kind, objection=objection, args=args, **fields)


def test_the_list_shows_unread_first_then_newest(login, quality, alices_customer):
    objection = make_objection(alices_customer)
    old_unread = tell(quality, objection)
    read = tell(quality, objection)
    Notification.objects.filter(pk=read.pk).mark_read()
    new_unread = tell(quality, objection)
    response = login(quality).get(LIST)
    assert list(response.context["page_obj"]) == [new_unread, old_unread, read]
    assert "管理员 把质量异议" in response.content.decode()


def test_each_user_sees_only_their_own_notifications(login, quality, alice, alices_customer):
    objection = make_objection(alices_customer)
    tell(alice, objection, kind=Kind.CLOSED)
    mine = tell(quality, objection)
    assert list(login(quality).get(LIST).context["page_obj"]) == [mine]


def test_opening_a_notification_marks_it_read_and_leads_to_the_objection(login, quality, alices_customer):
    objection = make_objection(alices_customer)
    note = tell(quality, objection)
    response = login(quality).post(read_url(note), {"open": "1"})
    assert response.status_code == 302 and response.url == objection.get_absolute_url()
    note.refresh_from_db()
    assert note.is_read


def test_mark_all_read_leaves_no_unread_and_the_header_count_goes(login, quality, alices_customer):
    objection = make_objection(alices_customer)
    for _ in range(3):
        tell(quality, objection)
    client = login(quality)
    header = client.get(reverse("home")).content.decode()
    assert 'id="header-notifications"' in header and '<span class="count" title="未读">3</span>' in header
    client.post(READ_ALL)
    assert not Notification.objects.unread().exists()
    assert 'class="count"' not in client.get(reverse("home")).content.decode()


def test_someone_elses_notification_cannot_be_marked_read(login, quality, alice, alices_customer):
    note = tell(alice, make_objection(alices_customer), kind=Kind.CLOSED)
    assert login(quality).post(read_url(note)).status_code == 404
    note.refresh_from_db()
    assert not note.is_read


@pytest.mark.parametrize("rows", [3, 40])
def test_the_list_runs_a_constant_number_of_queries(
    login, quality, alices_customer, django_assert_num_queries, rows
):
    objection = make_objection(alices_customer)
    for _ in range(rows):
        tell(quality, objection)
    client = login(quality)
    # session, user (with its unread count), savepoint + release (ATOMIC_REQUESTS), count, page,
    # and the session's and axes' bookkeeping
    with django_assert_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_the_header_count_is_loaded_with_the_user(login, quality, alices_customer):
    for _ in range(5):
        tell(quality, make_objection(alices_customer))
    client = login(quality)
    with CaptureQueriesContext(connection) as queries:
        assert '<span class="count" title="未读">5</span>' in client.get(reverse("home")).content.decode()
    counted = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counted) == 1 and 'FROM "archive_site_user"' in counted[0]


def test_preferences_turn_e_mail_off_per_kind_and_choose_the_language(login, quality):
    client = login(quality)
    page = client.get(PREFERENCES).content.decode()
    assert page.count('type="checkbox" name="email"') == len(Kind) and page.count("checked") == len(Kind)
    response = client.post(PREFERENCES, {"email": [Kind.ASSIGNED, Kind.CLOSED], "language": "en"})
    assert response.status_code == 302
    preference = Preference.objects.get(user=quality)
    assert sorted(preference.email_off) == sorted([Kind.DUE_SOON, Kind.OVERDUE, Kind.NEW_OBJECTION])
    assert preference.language == "en"


def test_the_header_links_to_the_preferences(login, viewer):
    page = login(viewer).get(reverse("home")).content.decode()
    assert f'href="{PREFERENCES}" id="header-notification-preferences"' in page
