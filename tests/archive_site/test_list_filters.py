"""A list's filter form, as the page first shows it, chooses nothing: a user who fills one
field and searches filters by that field alone. (A select without an empty choice shows its
first choice chosen, and the search then keeps only the rows of that choice.)"""

from html.parser import HTMLParser

import pytest

from tests.archive_site.test_english_pages import PAGES
from tests.test_permission_matrix import World, client_for, no_args
from tests.test_permission_matrix import world as world  # noqa: F401, PLC0414 (the fixture)

# A statistics page opens on a period and a dimension, chosen on purpose.
STATISTICS = "stat"


class _FilterForm(HTMLParser):
    """The values the filter form (`form.filters`) would send for its visible fields."""

    def __init__(self):
        super().__init__()
        self.found = False
        self.inside = False
        self.select = None  # [name, first option's value, chosen value]
        self.values = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "filters" in (a.get("class") or "").split():
            self.found = self.inside = True
        elif not self.inside:
            return
        elif tag == "select":
            self.select = [a.get("name"), None, None]
        elif tag == "option" and self.select:
            if self.select[1] is None:
                self.select[1] = a.get("value", "")
            if "selected" in a:
                self.select[2] = a.get("value", "")
        elif tag == "input" and a.get("type") not in ("hidden", "submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                self.values[a.get("name")] = a.get("value", "on") if "checked" in a else ""
            else:
                self.values[a.get("name")] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, first, chosen = self.select
            self.values[name] = first if chosen is None else chosen
            self.select = None


@pytest.mark.django_db
def test_every_lists_filter_form_as_first_shown_chooses_nothing(world: World):
    client = client_for(world.users["admin"])
    forms, chosen = [], {}
    for row in PAGES:
        if row.kwargs is not no_args or row.query or STATISTICS in row.name:
            continue
        response = client.get(row.url(world, {}))
        if response.streaming or "text/html" not in response.headers.get("Content-Type", ""):
            b"".join(getattr(response, "streaming_content", []))
            continue
        form = _FilterForm()
        form.feed(response.content.decode())
        if form.found:
            forms.append(row.name)
            chosen.update({f"{row.name} {name}": value for name, value in form.values.items() if value})
    assert {"customers:customer-list", "quality:objection-list", "orders:delivery-list"} <= set(forms)
    assert chosen == {}
