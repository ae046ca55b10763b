"""Chinese telephone numbers: mobiles and landlines with area code and extension."""

import re

MOBILE = re.compile(r"^(\+?86-?)?1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(\+?86-?)?(\(?0\d{2,3}\)?-?)?[1-9]\d{6,7}((转|ext\.?|-)\d{1,6})?$")


def _compact(number):
    return "".join((number or "").split())  # without white space: split() drops what \s+ matches


def is_mobile(number):
    return bool(MOBILE.match(_compact(number)))


def is_phone(number):
    number = _compact(number)
    return bool(MOBILE.match(number) or LANDLINE.match(number))
