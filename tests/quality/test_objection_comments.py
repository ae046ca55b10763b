"""The discussion of an objection: comments with author and time, newest last, read by whoever
reads the objection, written by those who handle it or own its customer, never changed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quality.models import ObjectionComment
from tests.factories import make_objection
from tests.quality.test_objection_closed import closed, messages_of

pytestmark = pytest.mark.django_db


def comment(client, objection, text):
    return client.post(reverse("quality:comment-create", args=[objection.pk]), {"text": text})


def test_handler_and_owner_discuss_newest_last(login, alice, quality, viewer, alices_customer):
    o = make_objection(alices_customer)
    assert comment(login(quality), o, "已封锁在库钢卷，等待客户现场照片").status_code == 302
    assert comment(login(alice), o, "客户周三发来照片，已上传").status_code == 302

    rows = list(ObjectionComment.objects.filter(objection=o).values_list("author__username", "text"))
    assert rows == [
        (quality.username, "已封锁在库钢卷，等待客户现场照片"),
        (alice.username, "客户周三发来照片，已上传"),
    ]
    page = login(viewer).get(o.get_absolute_url()).content.decode()
    first, second = page.index("已封锁在库钢卷"), page.index("客户周三发来照片")
    assert first < second  # newest last
    assert str(alice) in page[first:] and reverse("quality:comment-create", args=[o.pk]) not in page


def test_an_empty_comment_is_refused(login, quality, alices_customer):
    o = make_objection(alices_customer)
    response = comment(login(quality), o, "   ")
    assert response.status_code == 302 and messages_of(response)
    assert not ObjectionComment.objects.exists()


def test_a_comment_is_never_changed_or_removed(quality, alices_customer):
    o = make_objection(alices_customer)
    c = ObjectionComment.objects.create(objection=o, author=quality, text="原话")
    c.text = "改过的话"
    with pytest.raises(ValidationError, match="评论发表后不能修改或删除"):
        c.save()
    with pytest.raises(ValidationError, match="评论发表后不能修改或删除"):
        c.delete()
    assert ObjectionComment.objects.get(pk=c.pk).text == "原话"


def test_a_closed_objection_takes_no_comment(login, quality, alices_customer):
    o = closed(alices_customer, quality)
    page = login(quality).get(o.get_absolute_url()).content.decode()
    assert reverse("quality:comment-create", args=[o.pk]) not in page
    response = comment(login(quality), o, "关闭后补一句")
    assert "这条异议已关闭" in messages_of(response)[0]
    assert not ObjectionComment.objects.exists()
