import datetime

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


# Dates people enter: wide enough for any real date of the archive, narrow enough that the
# app's date arithmetic (a day after, a month after, time zones) stays within Python's dates.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)


def validate_plausible_date(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("日期应在 %(earliest)s 至 %(latest)s 之间。"),
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
