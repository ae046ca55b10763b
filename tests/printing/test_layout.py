"""Nothing runs off the page: every box WeasyPrint lays out lies inside the page's content area."""

from decimal import Decimal

import pytest
from weasyprint.formatting_structure.boxes import MarginBox

from printing.documents import (
    CARD_TEMPLATE,
    SHEET_TEMPLATE,
    demands_for_print,
    parts_for_print,
    process_card,
    sheet_html,
    technical_sheets,
)
from printing.pdf import render_html
from tests.factories import make_customer, make_demand, make_part

EPSILON = 0.01  # CSS px


def _content_boxes(box):
    for child in getattr(box, "children", ()):
        if isinstance(child, MarginBox):  # the header and footer live in the page margins
            continue
        yield child
        yield from _content_boxes(child)


def has_class(box, name):
    element = getattr(box, "element", None)
    return element is not None and name in (element.get("class") or "").split()


def boxes_outside(document):
    """(page, box, its border box) for every box that sticks out of its page's content area."""
    outside = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        for box in _content_boxes(page_box):
            try:
                x, y = box.border_box_x(), box.border_box_y()
                x2, y2 = x + box.border_width(), y + box.border_height()
            except TypeError:  # not laid out (a column, an empty anonymous box)
                continue
            if x < left - EPSILON or y < top - EPSILON or x2 > right + EPSILON or y2 > bottom + EPSILON:
                outside.append((number, type(box).__name__, getattr(box, "element_tag", ""), (x, y, x2, y2)))
    return outside


def laid_out(template, sheet):
    document, fetcher = render_html(sheet_html(template, sheet), media_names=sheet.media_names)
    assert not fetcher.refused
    return document


def minimal_part(user):
    """A part of a customer with no objections: one element, no properties, photos or plan."""
    customer = make_customer(name="烟台简单客户", code="C0100", sales_owner=user)
    demand = make_demand(customer, name="简单需求", elements=[("C", None, Decimal("0.003"))])
    return make_part(customer, demand=demand, number="ONE-1", name="一页技术单")


def sheet_of(user, part):
    return technical_sheets(parts_for_print(user).filter(pk=part.pk), for_pdf=True)[0]


@pytest.mark.parametrize("which", ["rich", "minimal"])
def test_no_box_of_a_technical_sheet_lies_outside_the_content_area(which, rich_customer, alice):
    part = rich_customer.rich_part if which == "rich" else minimal_part(alice)
    document = laid_out(SHEET_TEMPLATE, sheet_of(alice, part))

    assert boxes_outside(document) == []
    assert any(has_class(box, "signoff") for page in document.pages for box in _content_boxes(page._page_box))


@pytest.mark.parametrize("which", ["rich", "minimal"])
def test_no_box_of_a_process_card_lies_outside_the_content_area(which, rich_customer, alice):
    demand = rich_customer.rich_demand if which == "rich" else minimal_part(alice).demand
    document = laid_out(CARD_TEMPLATE, process_card(demands_for_print(alice).get(pk=demand.pk)))

    assert boxes_outside(document) == []


def test_a_sheet_with_little_content_fits_on_one_page(rich_customer, alice):
    document = laid_out(SHEET_TEMPLATE, sheet_of(alice, minimal_part(alice)))

    assert len(document.pages) == 1


def test_the_rich_sheet_lays_out_on_three_pages(rich_customer, alice):
    """40 composition rows, 30 objections, 3 photos and a plan: five pages before the lighter layout."""
    document = laid_out(SHEET_TEMPLATE, sheet_of(alice, rich_customer.rich_part))

    assert len(document.pages) == 3
    assert boxes_outside(document) == []
