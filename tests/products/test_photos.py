"""Part photos: served only within scope, uploaded through the shared pipeline, captioned, deleted."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from products.models import PartPhoto
from tests.factories import make_part
from tests.products.conftest import jpeg, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def part(alices_customer):
    return make_part(alices_customer, number="A-1")


def upload(client, part, files, captions=()):
    return client.post(
        reverse("products:photo-upload", args=[part.pk]), {"photos": files, "caption": list(captions)}
    )


def test_engineer_adds_photos_to_a_part_and_sales_sees_the_thumbnail(login, engineer, alice, part):
    response = upload(
        login(engineer), part, [jpeg("a.jpg", size=(1200, 900)), png("b.png")], ["侧面", "背面"]
    )
    assert response.url == part.get_absolute_url()
    photos = list(part.photos.order_by("id"))
    assert [p.caption for p in photos] == ["侧面", "背面"]
    assert (photos[0].width, photos[0].height) == (1200, 900)

    thumb = login(alice).get(reverse("products:photo", args=[photos[0].pk, "thumb"]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(thumb.streaming_content))) as image:
        assert image.size == (480, 360)
    full = login(alice).get(reverse("products:photo", args=[photos[1].pk, "full"]))
    assert full["Content-Type"] == "image/png"


def test_upload_without_a_file_says_so(login, engineer, part):
    response = upload(login(engineer), part, [])
    assert response.status_code == 302
    assert not part.photos.exists()


def test_caption_can_be_corrected(login, engineer, part):
    client = login(engineer)
    upload(client, part, [jpeg()], ["旧说明"])
    photo = part.photos.get()
    url = reverse("products:photo-caption", args=[photo.pk])
    client.post(url, {"caption": "左前门外板实物", "version": photo.version})
    photo.refresh_from_db()
    assert photo.caption == "左前门外板实物" and photo.updated_by == engineer


def test_photo_delete_removes_the_files(login, engineer, part, django_capture_on_commit_callbacks):
    client = login(engineer)
    upload(client, part, [jpeg()])
    photo = part.photos.get()
    files = [Path(settings.MEDIA_ROOT, n) for n in photo.stored_names()]
    assert all(f.exists() for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("products:photo-delete", args=[photo.pk]))
    assert not PartPhoto.objects.exists()
    assert not any(f.exists() for f in files)


def test_sales_cannot_upload_caption_or_delete_photos(login, engineer, alice, part):
    upload(login(engineer), part, [jpeg()])
    photo = part.photos.get()
    client = login(alice)
    assert upload(client, part, [jpeg()]).status_code == 403
    assert (
        client.post(reverse("products:photo-caption", args=[photo.pk]), {"caption": "x"}).status_code == 403
    )
    assert client.post(reverse("products:photo-delete", args=[photo.pk])).status_code == 403
    assert part.photos.count() == 1


def test_unknown_photo_size_is_404(login, engineer, part):
    upload(login(engineer), part, [jpeg()])
    photo = part.photos.get()
    assert login(engineer).get(reverse("products:photo", args=[photo.pk, "huge"])).status_code == 404
