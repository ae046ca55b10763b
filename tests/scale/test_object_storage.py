"""Media on S3-compatible object storage, against a real S3 API server (moto's server mode).

Files are uploaded through the real views, land in the bucket (read back with
the S3 API, not through Django), and come back only through the
permission-checked views: nothing is written to MEDIA_ROOT, no object is public.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from archive_site import backup
from customers.models import CustomerDocument, DemandAttachment
from devtools import generator
from imports.models import ImportRun
from imports.tasks import check_import
from products.models import PartPhoto
from quality.models import ObjectionPhoto
from tests.factories import make_demand, make_objection, make_part
from tests.imports.helpers import CUSTOMER_HEADERS, xlsx
from tests.security.test_backup import restore

pytestmark = pytest.mark.django_db

PUBLIC = "http://acs.amazonaws.com/groups/global/AllUsers"


def jpeg(name="defect.jpg", size=(640, 480)):
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG", quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def body(response):
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def nothing_on_disk(*names):
    return not any((Path(settings.MEDIA_ROOT) / name).exists() for name in names)


def test_defect_photo_is_kept_in_the_bucket_and_served_only_through_the_checked_view(
    s3_bucket, login, quality, alice, bob, alices_customer
):
    objection = make_objection(alices_customer)
    response = login(quality).post(
        reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()], "caption": "边部划伤"}
    )
    assert response.status_code == 302
    photo = ObjectionPhoto.objects.get(objection=objection)

    assert s3_bucket.object_keys() == sorted(f"archive/{n}" for n in (photo.image.name, photo.thumbnail.name))
    assert nothing_on_disk(photo.image.name, photo.thumbnail.name)
    stored = s3_bucket.read(photo.image.name)
    assert stored[:3] == b"\xff\xd8\xff" and len(stored) == photo.size

    assert body(login(alice).get(reverse("quality:photo", args=[photo.pk, "full"]))) == stored
    thumb = body(login(alice).get(reverse("quality:photo", args=[photo.pk, "thumb"])))
    assert thumb == s3_bucket.read(photo.thumbnail.name)
    assert login(bob).get(reverse("quality:photo", args=[photo.pk, "full"])).status_code == 404
    assert PUBLIC not in [grantee for grantee, _permission in s3_bucket.grants(photo.image.name)]


def test_deleted_photo_leaves_the_bucket_once_the_deletion_commits(
    s3_bucket, login, quality, alices_customer, django_capture_on_commit_callbacks
):
    objection = make_objection(alices_customer)
    login(quality).post(reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()]})
    photo = ObjectionPhoto.objects.get()
    assert len(s3_bucket.object_keys()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        login(quality).post(reverse("quality:photo-delete", args=[photo.pk]))
    assert s3_bucket.object_keys() == []


def test_customer_document_and_demand_attachment_round_trip(s3_bucket, login, alice, bob, alices_customer):
    client = login(alice)
    contract = b"%PDF-1.4 supply contract " * 200
    response = client.post(
        reverse("customers:document-create", args=[alices_customer.pk]),
        {"kind": "contract", "title": "供货合同", "file": SimpleUploadedFile("合同.pdf", contract)},
    )
    assert response.status_code == 302
    document = CustomerDocument.objects.get()
    demand = make_demand(alices_customer)
    drawing = b"%PDF-1.4 drawing " * 300
    client.post(
        reverse("customers:demand-attachment-create", args=[demand.pk]),
        {"title": "订单扫描件", "file": SimpleUploadedFile("order.pdf", drawing)},
    )
    attachment = DemandAttachment.objects.get()

    assert s3_bucket.read(document.file.name) == contract
    assert s3_bucket.read(attachment.file.name) == drawing
    assert nothing_on_disk(document.file.name, attachment.file.name)
    download = client.get(reverse("customers:document-download", args=[document.pk]))
    assert body(download) == contract and "attachment" in download["Content-Disposition"]
    assert body(client.get(reverse("customers:demand-attachment-download", args=[attachment.pk]))) == drawing
    for name, pk in [
        ("customers:document-download", document.pk),
        ("customers:demand-attachment-download", attachment.pk),
    ]:
        assert login(bob).get(reverse(name, args=[pk])).status_code == 404


def test_a_second_upload_of_the_same_name_keeps_both_files(s3_bucket, login, alice, alices_customer):
    url = reverse("customers:document-create", args=[alices_customer.pk])
    for content in (b"%PDF-1.4 first", b"%PDF-1.4 second"):
        file = SimpleUploadedFile("合同.pdf", content)
        login(alice).post(url, {"kind": "contract", "title": "合同", "file": file})
    first, second = CustomerDocument.objects.order_by("pk")
    assert first.file.name != second.file.name  # as on a disk: nothing is overwritten
    assert s3_bucket.read(first.file.name) == b"%PDF-1.4 first"
    assert s3_bucket.read(second.file.name) == b"%PDF-1.4 second"


def test_technical_sheet_prints_the_part_photo_from_the_bucket(s3_bucket, login, engineer, alices_customer):
    part = make_part(alices_customer)
    client = login(engineer)
    client.post(reverse("products:photo-upload", args=[part.pk]), {"photos": [jpeg(size=(2400, 1800))]})
    photo = PartPhoto.objects.get()

    response = client.post(reverse("printing:technical-sheet-pdf", args=[part.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    [image] = {image.name: image.data for page in pages for image in page.images}.values()  # one, shared
    assert max(Image.open(io.BytesIO(image)).size) == 1200  # the print copy, from the 2400 px photo
    [copy] = [key for key in s3_bucket.object_keys() if key.startswith("archive/printing/cache/")]
    assert Image.open(io.BytesIO(s3_bucket.read(copy.removeprefix("archive/")))).size == (1200, 900)
    assert body(client.get(reverse("printing:photo", args=[photo.pk])))[:3] == b"\xff\xd8\xff"


def test_import_file_is_kept_in_the_bucket_and_read_by_the_worker(s3_bucket, login, alice):
    content = xlsx({"客户": [CUSTOMER_HEADERS, ["C5001", "烟台汽车配件有限公司", "AUTO", "合作中", "", 80]]})
    client = login(alice)
    client.post(
        reverse("imports:upload", args=["customers"]), {"file": SimpleUploadedFile("客户.xlsx", content)}
    )
    run = ImportRun.objects.get()
    assert s3_bucket.read(run.file.name) == content

    check_import.call(run.pk)
    run.refresh_from_db()
    assert (run.status, run.created_count, run.error_count) == (ImportRun.Status.CHECKED, 1, 0)
    assert body(client.get(reverse("imports:run-file", args=[run.pk]))) == content


def test_generator_writes_its_photos_to_the_bucket(s3_bucket):
    generator.generate(scale=0.0005, seed=5, log=None)
    photos = [*ObjectionPhoto.objects.all(), *PartPhoto.objects.all()]
    assert photos
    keys = set(s3_bucket.object_keys())
    for photo in photos:
        for field in (photo.image, photo.thumbnail):
            assert f"archive/{field.name}" in keys
            assert Image.open(io.BytesIO(s3_bucket.read(field.name))).format == "JPEG"
        assert photo.size == len(s3_bucket.read(photo.image.name))
    assert nothing_on_disk(*(photo.image.name for photo in photos))


@pytest.mark.django_db(transaction=True)
def test_backup_says_media_in_object_storage_is_not_in_the_archive(
    s3_bucket, login, alice, alices_customer, tmp_path
):
    login(alice).post(
        reverse("customers:document-create", args=[alices_customer.pk]),
        {"kind": "contract", "title": "合同", "file": SimpleUploadedFile("c.pdf", b"%PDF-1.4 c")},
    )
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path), stdout=out)
    [archive] = tmp_path.glob("archive-backup-*.tar.gz")
    where = f"s3://{s3_bucket.name}/archive"
    assert f"媒体文件保存在对象存储 {where} 中，不包含在本备份内" in out.getvalue()
    assert f"媒体文件不在备份内（保存在对象存储 {where} 中）" in out.getvalue()
    manifest = backup.read_manifest(archive)
    assert manifest["media"]["files"] == {} and manifest["media"]["object_storage"] == where
    assert manifest["tables"]["public.customers_customerdocument"] == 1


@pytest.mark.django_db(transaction=True)
def test_restore_with_media_in_object_storage_restores_the_database_only(
    s3_server, s3_bucket, alice, alices_customer, empty_database, tmp_path
):
    document = CustomerDocument(customer=alices_customer, kind="contract", title="合同")
    document.file.save("c.pdf", SimpleUploadedFile("c.pdf", b"%PDF-1.4 c"), save=True)
    archive = backup.backup(tmp_path, log=lambda *a: None).path

    # The restoring site is configured as production is: MEDIA_S3_* in its environment.
    env = {
        "MEDIA_S3_BUCKET": s3_bucket.name,
        "MEDIA_S3_ENDPOINT_URL": s3_server.endpoint,
        "MEDIA_S3_PREFIX": "archive",
        "MEDIA_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "archive-test",
        "AWS_SECRET_ACCESS_KEY": "archive-test-secret",
    }
    result = restore(archive, empty_database, tmp_path / "media", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"媒体文件保存在对象存储 s3://{s3_bucket.name}/archive 中：只恢复数据库" in result.stdout
    assert "已恢复，行数和文件校验和与清单一致" in result.stdout
    assert not (tmp_path / "media").exists()
    assert s3_bucket.read(document.file.name) == b"%PDF-1.4 c"  # the bucket is left as it is
