"""The shared photo pipeline (archive_site.photos) and the defect photos of objections."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from archive_site.photos import process_upload
from quality.models import Objection, ObjectionPhoto
from tests.factories import entry, make_objection

pytestmark = pytest.mark.django_db

RED, BLUE = (255, 0, 0), (0, 0, 255)


def jpeg(size=(40, 20), color=RED, exif=None, name="photo.jpg"):
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    image.save(out, "JPEG", **({"exif": exif} if exif is not None else {}))
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png(size=(30, 30), name="photo.png", mode="RGBA"):
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def webp(size=(30, 30), name="photo.webp"):
    out = io.BytesIO()
    Image.new("RGB", size, BLUE).save(out, "WEBP")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/webp")


def bomb_png(width, height, name="bomb.png"):
    """A real decompression bomb: a tiny file whose header promises width × height pixels.

    Built by hand (1-bit greyscale, all zero, deflated), so the test never holds
    the pixels in memory: 8 000 × 8 000 is 64 megapixels in a few kilobytes.
    """

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, data, content_type="image/png")


def exif_with(orientation=None, gps=False):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (116.0, 23.0, 17.0),
        }
    return exif.tobytes()


def decoded(data):
    return Image.open(io.BytesIO(data))


# The pipeline --------------------------------------------------------------


@pytest.mark.parametrize(("upload", "extension"), [(jpeg, "jpg"), (png, "png"), (webp, "webp")])
def test_accepts_jpeg_png_and_webp_with_a_jpeg_thumbnail(upload, extension):
    processed = process_upload(upload(size=(1200, 900)))
    assert processed.extension == extension
    assert (processed.width, processed.height) == (1200, 900)
    thumb = decoded(processed.thumbnail)
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= 480


def test_format_is_read_from_the_content_not_the_name():
    processed = process_upload(png(name="really-a-png.jpg"))
    assert processed.extension == "png"


def test_refuses_a_text_file_renamed_jpg():
    fake = SimpleUploadedFile("defect.jpg", "这不是图片，只是一段文字。".encode(), content_type="image/jpeg")
    with pytest.raises(ValidationError) as e:
        process_upload(fake)
    assert "不是可识别的图片" in e.value.messages[0]
    assert "defect.jpg" in e.value.messages[0]


def test_refuses_a_gif_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError, match="JPEG、PNG、WebP"):
        process_upload(SimpleUploadedFile("anim.gif", out.getvalue()))


def test_refuses_a_decompression_bomb_before_decoding_it():
    bomb = bomb_png(8000, 8000)
    assert bomb.size < 100_000  # a few kilobytes on disk ...
    with pytest.raises(ValidationError) as e:
        process_upload(bomb)  # ... 64 megapixels if decoded
    message = e.value.messages[0]
    assert "8000×8000" in message and "上限为 40 百万像素" in message


def test_refuses_a_bomb_beyond_pillows_own_limit_with_the_same_message():
    with pytest.raises(ValidationError, match="像素太多"):
        process_upload(bomb_png(20000, 20000))


def test_refuses_a_file_over_the_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="文件太大"):
        process_upload(jpeg(size=(400, 400)))


def test_refuses_a_truncated_upload(monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint leaves it
    whole = jpeg(size=(600, 400)).read()
    with pytest.raises(ValidationError, match="无法完整读取"):
        process_upload(SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2]))


def test_applies_exif_orientation_6_by_turning_the_picture_upright():
    # A 40 × 20 picture, left half red, right half blue, that the camera says
    # must be rotated 90° clockwise to be seen upright (orientation 6).
    image = Image.new("RGB", (40, 20), RED)
    image.paste(BLUE, (20, 0, 40, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif_with(orientation=6), quality=95)
    processed = process_upload(SimpleUploadedFile("turned.jpg", out.getvalue()))
    assert (processed.width, processed.height) == (20, 40)
    upright = decoded(processed.content).convert("RGB")
    top, bottom = upright.getpixel((10, 5)), upright.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60  # red on top
    assert bottom[2] > 200 and bottom[0] < 60  # blue below
    assert not upright.getexif()  # and no orientation left to apply twice


def test_strips_gps_and_all_other_exif():
    upload = jpeg(exif=exif_with(gps=True))
    assert ExifTags.IFD.GPSInfo in decoded(upload.read()).getexif()
    upload.seek(0)
    processed = process_upload(upload)
    for data in (processed.content, processed.thumbnail):
        image = decoded(data)
        assert not image.getexif()
        assert "exif" not in image.info and "xmp" not in image.info
        assert b"TestCam" not in data


# Defect photos of objections -----------------------------------------------


@pytest.fixture
def objection(alices_customer):
    return make_objection(alices_customer)


def objection_files(objection):
    folder = Path(settings.MEDIA_ROOT) / "quality" / "objections" / str(objection.pk)
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def test_quality_uploads_several_photos_with_a_caption_each(login, quality, objection):
    response = login(quality).post(
        reverse("quality:photo-upload", args=[objection.pk]),
        {"photos": [jpeg(name="a.jpg"), png(name="b.png")], "caption": ["边部划伤", "划伤放大"]},
    )
    assert response.status_code == 302
    photos = list(objection.photos.order_by("id"))
    assert [p.caption for p in photos] == ["边部划伤", "划伤放大"]
    assert [p.original_name for p in photos] == ["a.jpg", "b.png"]
    assert all(p.created_by == quality for p in photos)
    assert len(objection_files(objection)) == 4  # each photo and its thumbnail


def test_one_caption_is_shared_by_every_photo(login, quality, objection):
    login(quality).post(
        reverse("quality:photo-upload", args=[objection.pk]),
        {"photos": [jpeg(), jpeg()], "caption": "卷尾"},
    )
    assert [p.caption for p in objection.photos.all()] == ["卷尾", "卷尾"]


def test_one_bad_file_refuses_the_whole_batch_and_stores_nothing(login, quality, objection):
    fake = SimpleUploadedFile("c.jpg", b"not an image at all")
    response = login(quality).post(
        reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg(), png(), fake]}
    )
    assert response.status_code == 200
    assert "“c.jpg”不是可识别的图片" in response.content.decode()
    assert not objection.photos.exists()
    assert objection_files(objection) == []


def test_a_storage_failure_halfway_leaves_no_orphan_rows_or_files(login, quality, objection, monkeypatch):
    real_save = FileSystemStorage._save
    calls = []

    def failing_save(self, name, content):
        calls.append(name)
        if len(calls) == 3:  # the second photo's full image: the disk fills up
            raise OSError("No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)
    response = login(quality).post(
        reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg(), jpeg()]}
    )
    assert response.status_code == 200  # the form again, with what happened
    assert "照片未能保存（存储空间不足或存储不可用）" in response.content.decode()
    assert len(calls) == 3
    assert not ObjectionPhoto.objects.filter(objection=objection).exists()
    assert objection_files(objection) == []


def test_viewer_cannot_upload_photos(login, viewer, objection):
    response = login(viewer).post(reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()]})
    assert response.status_code == 403
    assert not objection.photos.exists()


def test_engineer_cannot_delete_photos(login, quality, engineer, objection):
    login(quality).post(reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()]})
    photo = objection.photos.get()
    response = login(engineer).post(reverse("quality:photo-delete", args=[photo.pk]))
    assert response.status_code == 403


def test_photos_are_served_to_users_who_may_see_the_customer(login, quality, alice, objection):
    login(quality).post(reverse("quality:photo-upload", args=[objection.pk]), {"photos": [png()]})
    photo = objection.photos.get()
    response = login(alice).get(reverse("quality:photo", args=[photo.pk, "thumb"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"  # not kept after access is withdrawn
    full = login(alice).get(reverse("quality:photo", args=[photo.pk, "full"]))
    assert full["Content-Type"] == "image/png"
    assert decoded(b"".join(full.streaming_content)).size == (30, 30)


def test_bob_cannot_see_the_photos_of_alices_customer(login, quality, bob, objection):
    login(quality).post(reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()]})
    photo = objection.photos.get()
    assert login(bob).get(reverse("quality:photo", args=[photo.pk, "full"])).status_code == 404


def test_photos_are_not_under_a_public_media_url():
    from archive_site.urls import urlpatterns

    assert not any(str(p.pattern).startswith(settings.MEDIA_URL) for p in urlpatterns)


def test_deleting_a_photo_removes_its_files_after_commit(
    login, quality, objection, django_capture_on_commit_callbacks
):
    client = login(quality)
    client.post(reverse("quality:photo-upload", args=[objection.pk]), {"photos": [jpeg()]})
    photo = objection.photos.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quality:photo-delete", args=[photo.pk]))
    assert response.status_code == 302
    assert not objection.photos.exists()
    assert objection_files(objection) == []


def test_registering_an_objection_with_two_photos(login, quality, alices_customer):
    response = login(quality).post(
        reverse("quality:objection-create"),
        {
            "kind": "objection",
            "customer": alices_customer.code,
            "received_date": "2026-03-02",
            "defect_type": entry("defect_type", "SCRATCH").pk,
            "severity": 2,
            "tonnage": "12.5",
            "claim_amount": "0",
            "description": "冲压后表面可见划伤",
            "photos": [jpeg(name="1.jpg"), jpeg(name="2.jpg")],
            "caption": ["卷头", "卷尾"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    objection = Objection.objects.get()
    assert [p.caption for p in objection.photos.order_by("id")] == ["卷头", "卷尾"]


def test_a_bad_photo_refuses_the_registration_too(login, quality, alices_customer):
    response = login(quality).post(
        reverse("quality:objection-create"),
        {
            "kind": "objection",
            "customer": alices_customer.code,
            "received_date": "2026-03-02",
            "defect_type": entry("defect_type", "SCRATCH").pk,
            "severity": 2,
            "tonnage": "1",
            "claim_amount": "0",
            "description": "划伤",
            "photos": [jpeg(), bomb_png(8000, 8000)],
        },
    )
    assert response.status_code == 200
    assert "像素太多" in response.content.decode()
    assert not Objection.objects.exists()
