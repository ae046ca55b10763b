import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from customers.models import CustomerDocument

pytestmark = pytest.mark.django_db


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def upload(client, customer, name, content, **fields):
    data = {"kind": "drawing", "title": "图纸", "file": SimpleUploadedFile(name, content), **fields}
    return client.post(reverse("customers:document-create", args=[customer.pk]), data)


def test_upload_and_download_a_drawing(login, alice, alices_customer):
    client = login(alice)
    response = upload(client, alices_customer, "part.png", png_bytes())
    assert response.status_code == 302
    document = CustomerDocument.objects.get()
    download = client.get(reverse("customers:document-download", args=[document.pk]))
    assert b"".join(download.streaming_content) == png_bytes()


def test_text_file_renamed_jpg_is_refused(login, alice, alices_customer):
    response = upload(login(alice), alices_customer, "photo.jpg", b"this is not an image")
    assert "文件内容与扩展名" in response.content.decode()
    assert not CustomerDocument.objects.exists()


def test_twenty_megabyte_file_is_refused(login, alice, alices_customer):
    big = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    response = upload(login(alice), alices_customer, "big.pdf", big)
    assert "文件太大" in response.content.decode()
    assert not CustomerDocument.objects.exists()


def test_executable_is_refused(login, alice, alices_customer):
    response = upload(login(alice), alices_customer, "setup.exe", b"MZ\x90\x00")
    assert "不支持的文件类型" in response.content.decode()


def test_other_sales_user_cannot_download(login, alice, bob, alices_customer):
    upload(login(alice), alices_customer, "a.pdf", b"%PDF-1.4")
    document = CustomerDocument.objects.get()
    response = login(bob).get(reverse("customers:document-download", args=[document.pk]))
    assert response.status_code == 404
