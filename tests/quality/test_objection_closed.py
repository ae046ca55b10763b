"""A closed objection is read-only: every page that changes it (or its photos, files, comments,
handler) refuses, until someone who handles objections reopens it with a reason."""

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from archive_site.photos import process_upload, save_photos
from quality.models import Objection, ObjectionClosed, ObjectionPhoto, ObjectionTransition, TransitionRefused
from tests.factories import make_objection
from tests.test_permission_matrix import (  # noqa: F401  (world: the fixture)
    READ_ONLY,
    TABLE,
    client_for,
    jpeg_upload,
    world,
)
from tests.test_permission_matrix import objection as objection_kwargs
from tests.test_permission_matrix import objection_attachment as objection_attachment_kwargs
from tests.test_permission_matrix import objection_photo as objection_photo_kwargs

READ_ONLY_MESSAGE = "这条异议已关闭，不能再修改。如需修改，请由处理人员说明原因后重新打开。"
REASON_NEEDED = "重新打开已关闭的异议必须说明原因。"

# The URLs that change an objection or what hangs from it, posted on a closed one.
CHANGING = {
    "quality:objection-edit",
    "quality:objection-transition",  # without a reason: reopening refused
    "quality:objection-assign",
    "quality:photo-upload",
    "quality:photo-delete",
    "quality:attachment-upload",
    "quality:attachment-delete",
    "quality:comment-create",
}
# (The lessons an objection gives similar customers do not change it, and a closed objection's
# lessons are the ones worth spreading: `quality:objection-lessons` stays open.)
# Posts about an objection that change nothing of it: printing its 8D report (a closed
# objection's report is the one filed).
NOT_CHANGING = {"printing:eight-d-pdf"}
OBJECTION_RECORDS = {objection_kwargs, objection_photo_kwargs, objection_attachment_kwargs}


def close(objection, by):
    Objection.objects.filter(pk=objection.pk).update(cause="辊面异物", solution="换辊", preventive="点检")
    objection.refresh_from_db()
    for step in ("investigating", "measures_taken", "closed"):
        objection.transition(step, by=by)
    return objection


def closed(customer, by):
    return close(make_objection(customer), by)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


POST_ROWS = [row for row in TABLE if row.post is not READ_ONLY and row.kwargs in OBJECTION_RECORDS]


def test_every_url_about_an_objection_is_walked_below():
    assert {row.name for row in POST_ROWS} == CHANGING | NOT_CHANGING


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in POST_ROWS if r.name in CHANGING], ids=str)
def test_every_change_to_a_closed_objection_is_refused(row, world):  # noqa: F811
    admin = world.users["admin"]  # holds every permission: only the closed state refuses
    world.actor = admin
    kwargs = row.kwargs(world)
    data = row.data(world, kwargs)  # the form as the open objection's page shows it
    objection = close(Objection.objects.latest("id"), admin)
    if "version" in data:
        data["version"] = objection.version
    before = (row.state(world, kwargs), Objection.objects.get(pk=objection.pk).version)

    with transaction.atomic():
        response = client_for(admin).post(row.url(world, kwargs), data)

    assert (row.state(world, kwargs), Objection.objects.get(pk=objection.pk).version) == before
    assert response.status_code == 302 and response.url == objection.get_absolute_url()
    assert set(messages_of(response)) & {READ_ONLY_MESSAGE, REASON_NEEDED}
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in TABLE if r.name in CHANGING and r.get[1] == 200], ids=str)
def test_the_forms_that_change_a_closed_objection_are_not_shown(row, world):  # noqa: F811
    kwargs = row.kwargs(world)
    objection = close(Objection.objects.latest("id"), world.users["admin"])
    response = client_for(world.users["quality"]).get(row.url(world, kwargs))
    assert response.status_code == 302 and response.url == objection.get_absolute_url()
    assert messages_of(response) == [READ_ONLY_MESSAGE]


def test_the_closed_objection_page_offers_no_change_but_reopening(login, quality, viewer, alices_customer):
    o = closed(alices_customer, quality)
    save_photos(ObjectionPhoto, [process_upload(jpeg_upload())], objection=make_objection(alices_customer))
    page = login(quality).get(o.get_absolute_url()).content.decode()
    for url in (
        reverse("quality:objection-edit", args=[o.pk]),
        reverse("quality:photo-upload", args=[o.pk]),
        reverse("quality:objection-assign", args=[o.pk]),
        reverse("quality:attachment-upload", args=[o.pk]),
    ):
        assert url not in page
    assert reverse("quality:objection-transition", args=[o.pk]) in page
    assert "重新打开的原因" in page and 'id="read-only"' in page
    viewers = login(viewer).get(o.get_absolute_url()).content.decode()
    assert reverse("quality:objection-transition", args=[o.pk]) not in viewers


def test_reopening_needs_a_reason_and_logs_it(login, quality, alices_customer):
    o = closed(alices_customer, quality)
    url = reverse("quality:objection-transition", args=[o.pk])
    client = login(quality)

    refused = client.post(url, {"to_status": "investigating", "note": "  ", "version": o.version})
    assert REASON_NEEDED in messages_of(refused)
    assert Objection.objects.get(pk=o.pk).status == "closed"
    with pytest.raises(TransitionRefused, match=REASON_NEEDED):
        Objection.objects.get(pk=o.pk).transition("investigating", by=quality, note="")

    done = client.post(url, {"to_status": "investigating", "note": "客户再次反馈", "version": o.version})
    assert done.status_code == 302
    o.refresh_from_db()
    assert (o.status, o.closed_date) == ("investigating", None)
    log = ObjectionTransition.objects.filter(objection=o).latest("id")
    assert (log.from_status, log.to_status, log.by) == ("closed", "investigating", quality)
    assert log.note == "客户再次反馈"
    # Open again: it can be edited.
    o.description = "重新打开后补充"
    o.full_clean()
    o.save()


def test_only_those_who_handle_objections_reopen_one(quality, alice, engineer, alices_customer):
    o = closed(alices_customer, quality)
    for user in (alice, engineer):
        with pytest.raises(TransitionRefused, match="只有负责处理质量异议的人员"):
            Objection.objects.get(pk=o.pk).transition("investigating", by=user, note="想改一下")
    assert Objection.objects.get(pk=o.pk).status == "closed"


def test_the_model_refuses_changes_whoever_calls_it(quality, alices_customer):
    o = closed(alices_customer, quality)
    stale = Objection.objects.get(pk=o.pk)
    o = Objection.objects.get(pk=o.pk)
    o.description = "直接改"
    with pytest.raises(ObjectionClosed):
        o.save()
    with pytest.raises(ObjectionClosed):
        save_photos(ObjectionPhoto, [process_upload(jpeg_upload())], objection=stale)
    with pytest.raises(ObjectionClosed):
        stale.assign(quality, by=quality, note="")
    assert Objection.objects.get(pk=o.pk).description == "带钢表面划伤"
    assert not ObjectionPhoto.objects.filter(objection=o).exists()
