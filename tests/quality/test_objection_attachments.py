"""Files of an objection that are not photos: the customer's letter, its 8D form, test reports —
PDF and Office files recognised by their content, size-limited, downloaded only by whoever may
see the objection, listed on its page and deleted with a confirmation."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from archive_site.models import AccessLog
from quality.models import ObjectionAttachment
from tests.factories import make_objection

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def xlsx_bytes():
    out = io.BytesIO()
    book = Workbook()
    book.active.append(["检测项目", "结果"])
    book.save(out)
    return out.getvalue()


def docx_bytes(part="word/document.xml"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return out.getvalue()


def upload(client, objection, name, content, kind="letter", title="客户来函"):
    data = {"kind": kind, "title": title, "file": SimpleUploadedFile(name, content)}
    return client.post(reverse("quality:attachment-upload", args=[objection.pk]), data)


@pytest.mark.parametrize(
    "name, content",
    [
        ("letter.pdf", PDF),
        ("8d.docx", docx_bytes()),
        ("report.xlsx", xlsx_bytes()),
        ("old.doc", OLE2),
        ("old.xls", OLE2),
    ],  # fmt: skip
)
def test_pdf_and_office_files_are_kept_and_downloaded(login, alice, alices_customer, name, content):
    o = make_objection(alices_customer)
    client = login(alice)
    assert upload(client, o, name, content).status_code == 302
    attachment = ObjectionAttachment.objects.get()
    assert (attachment.objection, attachment.created_by) == (o, alice)
    download = client.get(attachment.get_absolute_url())
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.filter(action="download", detail__contains=o.number).exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("letter.pdf", b"just text, named pdf", "文件内容与扩展名"),
        ("8d.docx", docx_bytes("xl/workbook.xml"), "文件内容与扩展名"),  # a workbook renamed .docx
        ("report.xlsx", b"PK\x03\x04 not a zip at all", "文件内容与扩展名"),
        ("old.doc", b"MZ\x90\x00 a program", "文件内容与扩展名"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "不支持的文件类型"),
        ("setup.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ],
)
def test_files_are_judged_by_their_content(login, quality, alices_customer, name, content, message):
    response = upload(login(quality), make_objection(alices_customer), name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ObjectionAttachment.objects.exists()


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_a_file_above_the_limit_is_refused(login, quality, alices_customer):
    response = upload(login(quality), make_objection(alices_customer), "big.pdf", PDF + b"0" * 2048)
    assert "文件太大" in response.content.decode()
    assert not ObjectionAttachment.objects.exists()


def test_only_those_who_see_the_objection_download_its_files(login, alice, bob, viewer, alices_customer):
    o = make_objection(alices_customer)
    upload(login(alice), o, "letter.pdf", PDF)
    url = ObjectionAttachment.objects.get().get_absolute_url()
    assert login(bob).get(url).status_code == 404
    assert login(viewer).get(url).status_code == 200


def test_the_page_lists_the_files_and_deletes_one_after_confirmation(
    login, quality, alices_customer, django_capture_on_commit_callbacks
):
    o = make_objection(alices_customer)
    client = login(quality)
    upload(client, o, "8d.docx", docx_bytes(), kind="8d", title="8D 报告第一版")
    attachment = ObjectionAttachment.objects.get()
    stored, storage = attachment.file.name, attachment.file.storage
    page = client.get(o.get_absolute_url()).content.decode()
    assert "8D 报告第一版" in page and attachment.get_absolute_url() in page
    delete = reverse("quality:attachment-delete", args=[attachment.pk])
    assert f'action="{delete}"' in page and "确定删除这个文件吗？" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(delete).status_code == 302
    assert not ObjectionAttachment.objects.exists()
    assert not storage.exists(stored)
