"""Uploaded files are served only through views that check login, permission and scope.

Every file-serving URL that exists is tried as: anonymous (→ login), a user
without the permission (403), a user who may read the module but not this
customer (404), and the customer's own sales user (the file). No URL serves
MEDIA_ROOT directly.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, get_resolver, reverse
from PIL import Image

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "PNG")
    return out.getvalue()


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.skip(f"{name} is not built yet")


def customer_document(customer):
    from customers.models import CustomerDocument

    document = CustomerDocument(customer=customer, kind="drawing", title="落料图")
    document.file.save("blank.png", ContentFile(png_bytes()), save=True)
    return _url("customers:document-download", document.pk), document.file.name


def demand_attachment(customer):
    from customers.models import DemandAttachment
    from tests.factories import make_demand

    attachment = DemandAttachment(demand=make_demand(customer), title="订单扫描件")
    attachment.file.save("order.png", ContentFile(png_bytes()), save=True)
    return _url("customers:demand-attachment-download", attachment.pk), attachment.file.name


def _photo(model, **owner):
    from archive_site.photos import process_upload, save_photos

    [photo] = save_photos(model, [process_upload(SimpleUploadedFile("p.png", png_bytes()))], **owner)
    return photo


def objection_photo(customer):
    url = _url("quality:photo", 1, "full")  # skips while the module is not built
    from quality.models import ObjectionPhoto
    from tests.factories import make_objection

    photo = _photo(ObjectionPhoto, objection=make_objection(customer))
    return url.replace("/1/", f"/{photo.pk}/"), photo.image.name


def part_photo(customer, name="products:photo", size=("full",)):
    _url(name, 1, *size)  # skips while the module is not built
    from products.models import PartPhoto
    from tests.factories import make_part

    photo = _photo(PartPhoto, part=make_part(customer))
    return reverse(name, args=[photo.pk, *size]), photo.image.name


def print_photo(customer):
    """The print view serves the part photo re-encoded for the PDF, not the stored bytes."""
    url, name = part_photo(customer, "printing:photo", size=())
    return url, name + "#derived"


FILES = [customer_document, demand_attachment, objection_photo, part_photo, print_photo]


@pytest.fixture(params=FILES, ids=lambda f: f.__name__)
def served_file(request, alices_customer):
    return request.param(alices_customer)


def test_anonymous_is_sent_to_login(client, served_file):
    url, _ = served_file
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_permission_is_refused(login, served_file):
    url, _ = served_file
    assert login(make_user("nobody")).get(url).status_code == 403


def test_user_outside_the_customers_scope_gets_not_found(login, bob, served_file):
    url, _ = served_file
    assert login(bob).get(url).status_code == 404


def test_owner_gets_the_file(login, alice, served_file):
    url, name = served_file
    response = login(alice).get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if name.endswith("#derived"):
        assert body[:3] == b"\xff\xd8\xff" or body[:4] == b"\x89PNG"
    else:
        assert body == (Path(settings.MEDIA_ROOT) / name).read_bytes()


def test_media_url_serves_nothing_even_to_an_admin(login, admin_user, served_file):
    name = served_file[1].removesuffix("#derived")
    assert (Path(settings.MEDIA_ROOT) / name).is_file()
    response = login(admin_user).get(f"/{settings.MEDIA_URL.strip('/')}/{name}")
    assert response.status_code == 404


def test_no_url_pattern_serves_the_media_folder():
    media = settings.MEDIA_URL.strip("/")
    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not [r for r in routes if r.lstrip("^").startswith(media)]


def test_media_folder_is_not_among_the_static_files():
    media = Path(settings.MEDIA_ROOT).resolve()
    for folder in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        folder = Path(folder).resolve()
        assert not media.is_relative_to(folder) and not folder.is_relative_to(media)
