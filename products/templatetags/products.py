from django import template

register = template.Library()


@register.filter
def percent(ratio, places=1):
    """A fraction as a percentage: 0.8123 → "81.2%"; nothing for no value."""
    if ratio is None or ratio == "":
        return ""
    return f"{float(ratio) * 100:.{int(places)}f}%"
