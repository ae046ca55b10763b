from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archive_site.lib import credit_code, phones


def validate_credit_code(value):
    if not credit_code.is_valid(value):
        raise ValidationError(
            _("统一社会信用代码无效：应为18位（数字和大写字母，不含I、O、S、V、Z），且校验位正确。"),
            code="credit_code",
        )


def validate_phone(value):
    if not phones.is_phone(value):
        raise ValidationError(
            _("电话号码格式不正确，例如 010-12345678、0531-8888888 转 123 或 13812345678。"), code="phone"
        )


def validate_mobile(value):
    if not phones.is_mobile(value):
        raise ValidationError(_("手机号码格式不正确，应为11位，例如 13812345678。"), code="mobile")
