"""The photo pipeline shared by every module that keeps pictures (defect photos, part photos).

An upload is accepted only if Pillow decodes it as JPEG, PNG or WebP (the file
name and the browser's content type are ignored), it is within the size limit
(settings.UPLOAD_MAX_BYTES) and within the pixel limit (settings.PHOTO_MAX_PIXELS,
checked from the header before any pixel is decoded, so a decompression bomb
costs nothing). The picture is turned upright by its EXIF orientation, and
re-encoded without EXIF, XMP or comments, so the camera's GPS position never
reaches the archive. A thumbnail is made once, at upload, and both files are
kept through Django storage (filesystem or object storage).

To keep photos of a record:

    class PartPhoto(PhotoModel, ArchiveModel):
        part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="photos")
        def photo_folder(self):
            return f"products/parts/{self.part_id}"

and in the view: `PhotoUploadForm` (several files with a caption each) →
`save_photos(PartPhoto, form.cleaned_data["photos"], user=..., part=part)`;
serve with `photo_response(photo, "thumb"|"full")` after checking the user may
see the owning record. Photos are never served from a public MEDIA_URL.
"""

import io
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from archive_site.uploads import validate_size

# Formats Pillow must recognise in the content; the extension we store comes from here.
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
ACCEPT = "image/jpeg,image/png,image/webp"
THUMB_SIZE = (480, 360)
JPEG_QUALITY = 88
THUMB_QUALITY = 80


def max_pixels():
    return getattr(settings, "PHOTO_MAX_PIXELS", 40_000_000)


NOT_AN_IMAGE = _(
    "“%(name)s”不是可识别的图片。只接受 JPEG、PNG、WebP 格式的照片（按文件内容判断，不看扩展名）。"
)
WRONG_FORMAT = _("“%(name)s”是 %(format)s 格式。只接受 JPEG、PNG、WebP 格式的照片。")
TOO_MANY_PIXELS = _(
    "“%(name)s”的像素太多（%(width)s×%(height)s，约 %(mp)s 百万像素），上限为 %(limit)s 百万像素。"
    "请缩小后再上传。"
)
BOMB = _("“%(name)s”的像素太多（解压炸弹保护），上限为 %(limit)s 百万像素。请缩小后再上传。")
BROKEN = _("“%(name)s”无法完整读取，可能已损坏或上传中断。请重新上传。")
# save_photos raised OSError: the disk or object store refused a file (nothing was kept).
STORAGE_FAILED = _("照片未能保存（存储空间不足或存储不可用），请稍后重试或联系管理员。")


@dataclass
class ProcessedPhoto:
    """An accepted upload: the cleaned full image and its thumbnail, ready to store."""

    original_name: str
    extension: str
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    caption: str = ""


def _refuse(message, code, name, **params):
    raise ValidationError(message, code=code, params={"name": name, **params})


def process_upload(upload, caption=""):
    """Validate one uploaded file and return it cleaned, upright, stripped, with a thumbnail.

    Raises ValidationError with a message the uploader can act on.
    """
    name = getattr(upload, "name", "") or "?"
    validate_size(upload)
    upload.seek(0)
    limit = max_pixels()
    try:
        with Image.open(upload, formats=list(FORMATS)) as source:
            if source.format not in FORMATS:
                _refuse(WRONG_FORMAT, "photo_format", name, format=source.format or "?")
            width, height = source.size
            # Refuse before decoding: the header alone tells the size of a bomb.
            if width * height > limit:
                _refuse(
                    TOO_MANY_PIXELS,
                    "photo_pixels",
                    name,
                    width=width,
                    height=height,
                    mp=round(width * height / 1e6, 1),
                    limit=round(limit / 1e6),
                )
            source.seek(0)  # an animated WebP/PNG keeps its first frame
            fmt = source.format
            with _strict_loading():
                source.load()
            image = ImageOps.exif_transpose(source)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        _refuse(BOMB, "photo_pixels", name, limit=round(limit / 1e6))
    except UnidentifiedImageError:
        _refuse(NOT_AN_IMAGE, "photo_content", name)
    except (OSError, SyntaxError, ValueError, EOFError):
        _refuse(BROKEN, "photo_broken", name)
    finally:
        upload.seek(0)

    icc = image.info.get("icc_profile")
    image.info = {}  # no EXIF, XMP, comments: nothing of the camera's metadata survives
    extension = FORMATS[fmt][0]
    return ProcessedPhoto(
        original_name=name[:200],
        extension=extension,
        content=_encode(image, fmt, icc, JPEG_QUALITY),
        thumbnail=_encode(_thumbnail(image), "JPEG", None, THUMB_QUALITY),
        width=image.width,
        height=image.height,
        caption=caption,
    )


def _flatten(image):
    """RGB for JPEG: transparent areas on white, CMYK and palettes converted."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _thumbnail(image):
    thumb = _flatten(image).copy()
    thumb.thumbnail(THUMB_SIZE, Image.Resampling.LANCZOS)
    return thumb


def _encode(image, fmt, icc, quality):
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        _flatten(image).save(out, "JPEG", quality=quality, optimize=True, **options)
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True, **options)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "WEBP", quality=quality, **options)
    return out.getvalue()


_strict = threading.Lock()


@contextmanager
def _strict_loading():
    """Refuse (rather than pad) a truncated file: an interrupted upload is an error.

    Pillow reads the switch from a module global, which WeasyPrint turns on when
    imported; turn it off while an upload is decoded. Our stored photos are
    re-encoded whole, so nothing else depends on the switch meanwhile.
    """
    with _strict:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def photo_upload_to(instance, filename):
    return f"{instance.photo_folder()}/{filename}"


class PhotoModel(models.Model):
    """Abstract: one photo of a record, with its thumbnail, caption and size.

    Subclasses add the foreign key to their record and `photo_folder()`.
    """

    image = models.FileField(_("照片"), upload_to=photo_upload_to, max_length=255, editable=False)
    thumbnail = models.FileField(_("缩略图"), upload_to=photo_upload_to, max_length=255, editable=False)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, editable=False)
    width = models.PositiveIntegerField(_("宽度"), default=0, editable=False, help_text=_("像素"))
    height = models.PositiveIntegerField(_("高度"), default=0, editable=False, help_text=_("像素"))
    size = models.PositiveIntegerField(_("文件大小"), default=0, editable=False, help_text=_("字节"))

    class Meta:
        abstract = True

    def photo_folder(self):
        raise NotImplementedError("PhotoModel subclasses say where their photos are stored")

    def attach(self, processed, written=None):
        """Write the processed photo and its thumbnail to storage (not the row).

        Each stored name is appended to `written` as soon as it exists, so a
        caller can remove them if anything later fails.
        """
        written = [] if written is None else written
        stem = uuid.uuid4().hex
        self.caption = processed.caption or self.caption
        self.original_name = processed.original_name
        self.width, self.height = processed.width, processed.height
        self.size = len(processed.content)
        self.image.save(f"{stem}.{processed.extension}", ContentFile(processed.content), save=False)
        written.append(self.image.name)
        self.thumbnail.save(f"{stem}_thumb.jpg", ContentFile(processed.thumbnail), save=False)
        written.append(self.thumbnail.name)

    def stored_names(self):
        return [f.name for f in (self.image, self.thumbnail) if f]

    def delete_with_files(self):
        """Delete the row now and its files once the transaction commits."""
        names = self.stored_names()
        storage = self.image.storage
        self.delete()
        transaction.on_commit(lambda: [storage.delete(n) for n in names])

    @property
    def megapixels(self):
        return round(self.width * self.height / 1e6, 1)


def save_photos(model, processed, *, user=None, **owner):
    """Store processed photos as rows of `model` belonging to `owner` — all or none.

    Files written before a failure are removed again, and the rows roll back
    with the savepoint, so an interrupted batch leaves no orphan rows or files.
    Call it last in the request, after every other check: once it returns, the
    request's transaction only has to commit.
    """
    written = []
    storage = model._meta.get_field("image").storage
    try:
        with transaction.atomic():
            photos = []
            for item in processed:
                photo = model(**owner)
                if user is not None and hasattr(photo, "stamp"):
                    photo.stamp(user)
                photo.attach(item, written)
                photo.save()
                photos.append(photo)
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    return photos


def photo_response(photo, size="full"):
    """The stored full image or thumbnail as an inline response (after the caller's access check)."""
    field = photo.thumbnail if size == "thumb" else photo.image
    extension = field.name.rsplit(".", 1)[-1].lower()
    content_type = dict(FORMATS.values()).get(extension, "image/jpeg")
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is validated and processed by `process_upload`."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files=20, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("一次最多上传 %(n)s 张照片。"), code="too_many", params={"n": self.max_files}
            )
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class PhotoUploadForm(forms.Form):
    """Several photos at once, each with its caption (inputs named `caption`, in file order).

    Every file is decoded and cleaned before anything is stored: one bad file
    refuses the whole batch with a message per file.
    """

    photos = MultiplePhotoField(
        label=_("照片"),
        required=False,
        help_text=_("可一次选择多张；JPEG、PNG 或 WebP，每张不超过 %(mb)s MB"),
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].required = required
        self.fields["photos"].help_text = self.fields["photos"].help_text % {
            "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        }

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("photos") or []
        getlist = getattr(self.data, "getlist", lambda key: [])
        captions = [c.strip()[:200] for c in getlist("caption")]
        shared = captions[0] if len(captions) == 1 else ""
        processed, errors = [], []
        for i, upload in enumerate(files):
            caption = captions[i] if len(captions) > 1 and i < len(captions) else shared
            try:
                processed.append(process_upload(upload, caption))
            except ValidationError as e:
                errors.extend(e.messages)
        if errors:
            self.add_error("photos", errors)
        cleaned["processed"] = processed
        return cleaned
