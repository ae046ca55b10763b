from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from imports import files


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        error_messages={"empty": _("文件是空的（0 字节）。请选择填好数据的 .xlsx 或 .csv 文件。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        self.fields["file"].help_text = _(".xlsx，或 UTF-8 / GBK 编码的 .csv；最大 %(limit)s。") % {
            "limit": limit
        }
        self.fields["file"].widget.attrs.update(
            {
                "accept": ".xlsx,.csv",
                "data-max-bytes": settings.IMPORT_MAX_BYTES,
                "data-too-big": _("文件超过 %(limit)s，请分成几个文件导入。") % {"limit": limit},
            }
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            files.inspect(upload, upload.name)
        except files.FileRefused as e:
            raise ValidationError(e.message, code="refused") from e
        return upload
