"""Checks on uploaded files: size, and that the content is what the name claims."""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from PIL import Image

IMAGE_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
OFFICE_EXTENSIONS = {".docx", ".xlsx", ".pptx"}
DOCUMENT_EXTENSIONS = (
    {".pdf", ".dwg", ".dxf", ".txt", ".doc", ".xls"} | OFFICE_EXTENSIONS | set(IMAGE_EXTENSIONS)
)


def validate_size(upload):
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("文件太大（%(size)s），上限为 %(limit)s。"),
            code="too_big",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        )


def _head(upload, n=8):
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def _is_image_of(upload, fmt):
    try:
        with Image.open(upload) as im:
            im.verify()
            return im.format == fmt
    except Exception:
        return False
    finally:
        upload.seek(0)


def validate_document(upload):
    """A customer document: allowed type, within the size limit, content matching its name."""
    if getattr(upload, "_committed", False):
        return  # a stored file, validated when it was uploaded
    validate_size(upload)
    ext = PurePath(upload.name).suffix.lower()
    if ext not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”。可上传：%(allowed)s。"),
            code="file_type",
            params={"ext": ext or "?", "allowed": pgettext("列举", "、").join(sorted(DOCUMENT_EXTENSIONS))},
        )
    ok = True
    if ext in IMAGE_EXTENSIONS:
        ok = _is_image_of(upload, IMAGE_EXTENSIONS[ext])
    elif ext == ".pdf":
        ok = _head(upload, 5) == b"%PDF-"
    elif ext in OFFICE_EXTENSIONS:
        ok = _head(upload, 4) == b"PK\x03\x04" and zipfile.is_zipfile(upload)
        upload.seek(0)
    if not ok:
        raise ValidationError(
            _("文件内容与扩展名“%(ext)s”不符，可能已损坏或被改名。"), code="file_content", params={"ext": ext}
        )


# Reports kept with a record (a customer's letter, its 8D form, test reports): PDF and Office
# files only, each recognised by what it holds, not by its name.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .doc / .xls container
REPORT_EXTENSIONS = {".pdf", ".docx", ".xlsx", ".doc", ".xls"}
OOXML_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def _holds_part(upload, part):
    try:
        with zipfile.ZipFile(upload) as archive:
            return part in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def validate_report(upload):
    """A report file: PDF, Word or Excel (docx, xlsx, doc, xls), within the size limit, its
    content that of the type its name says (a PDF header; a Word or Excel package holding its
    document or workbook; the OLE2 container of the legacy formats)."""
    if getattr(upload, "_committed", False):
        return  # a stored file, validated when it was uploaded
    validate_size(upload)
    ext = PurePath(upload.name).suffix.lower()
    if ext not in REPORT_EXTENSIONS:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”。可上传：%(allowed)s。"),
            code="file_type",
            params={"ext": ext or "?", "allowed": pgettext("列举", "、").join(sorted(REPORT_EXTENSIONS))},
        )
    if ext == ".pdf":
        ok = _head(upload, 5) == b"%PDF-"
    elif ext in OOXML_PARTS:
        ok = _head(upload, 4) == b"PK\x03\x04" and _holds_part(upload, OOXML_PARTS[ext])
    else:
        ok = _head(upload, 8) == OLE2_MAGIC
    if not ok:
        raise ValidationError(
            _("文件内容与扩展名“%(ext)s”不符，可能已损坏或被改名。"), code="file_content", params={"ext": ext}
        )
