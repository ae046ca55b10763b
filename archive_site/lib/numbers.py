"""Numbers as the mill writes them, the same on pages, printed sheets and exports.

`plain(Decimal("120.000"))` is "120", `plain(Decimal("1.5E+3"))` is "1500",
`plain(0.78341, 3)` is "0.783": never an exponent, never trailing zeros, at
most `places` decimals when a computed value has more than its unit needs
(stored values already carry their field's precision: thickness 0.001 mm,
width 0.1 mm, weight 0.001 kg).
"""

import math
from decimal import ROUND_HALF_UP, Decimal

DASH = "–"  # between the two ends of a range


def plain(value, places=None):
    """`value` (Decimal, int or float) as text without exponent or trailing zeros; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    if not value.is_finite():
        return str(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def span(low, high, unit=""):
    """A requirement's range: "0.02–0.05 %", "≥ 270 MPa", "≤ 0.012 %", or "" when open at both ends."""
    unit = f" {unit}" if unit else ""
    if low is not None and high is not None:
        if low == high:
            return f"{plain(low)}{unit}"
        return f"{plain(low)}{DASH}{plain(high)}{unit}"
    if low is not None:
        return f"≥ {plain(low)}{unit}"
    if high is not None:
        return f"≤ {plain(high)}{unit}"
    return ""


def tolerance(minus, plus):
    """“（−0.03/+0.05）” from a pair of absolute tolerances; "" when neither is given."""
    if minus is None and plus is None:
        return ""
    low = f"−{plain(minus)}" if minus is not None else "—"
    high = f"+{plain(plus)}" if plus is not None else "—"
    return f"（{low}/{high}）"


def dimensions(*values):
    """Thickness × width (× length) as "0.8×1250×1600", skipping the sizes not given."""
    return "×".join(plain(v) for v in values if v is not None)
