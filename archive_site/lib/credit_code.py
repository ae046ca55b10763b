"""Unified social credit code (统一社会信用代码), GB 32100-2015."""

import re

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PATTERN = re.compile(rf"^[{CHARS}]{{18}}$")


def check_char(first17):
    total = sum(CHARS.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARS[(31 - total % 31) % 31]


def is_valid(code):
    code = (code or "").upper()
    return bool(PATTERN.match(code)) and check_char(code[:17]) == code[17]
