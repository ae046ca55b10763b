"""A paginator for the big lists: the page's ids first, then those rows with their joins.

Measured on the generated archive (bench/pages.py, 500 000 objections): page
10 000 of the objection list took 8.8 s and a search for 辊印 (59 000 matches)
16.7 s, because PostgreSQL computed the list's joins and per-row subqueries
(photo counts, thumbnails) for every row it skipped or sorted, and for the
search misjudged the matches (16 instead of 59 000) and joined them in nested
loops. Asking first only for the ids of the page — the filter and the sort
alone, an index scan — and then for those 50 rows with everything the template
needs costs the same on page 1 and makes deep pages and broad searches cheap.

A list counts its rows only up to a cap (`search.COUNT_CAP`): counting the
126 000 objections that mention 划伤 cost ~350 ms, and on an archive of 5 million
objections the unfiltered objection list spent 120–160 ms of its 220 counting
every row (bench/scaling.py), for a figure nobody reads beyond "more than 1 000".
A capped count stops at the cap+1st row, so it costs the same on any size of
archive. Pages past the cap stay reachable one "next" at a time; the count then
reaches as far as the page asked for.
"""

import contextlib
import math

import django_filters
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from archive_site import search


class LateRowPage(Page):
    def has_next(self):
        return super().has_next() or (self.paginator.capped and self.number == self.paginator.num_pages)

    def next_page_number(self):
        # Past a capped count the next page is known to exist without counting further.
        return self.number + 1 if self.paginator.capped else super().next_page_number()


MAX_REACH = 1_000_000  # rows a list counts at most to reach the page asked for


class LateRowPaginator(Paginator):
    """Paginator for a QuerySet: `page()` selects the page's primary keys, then the rows.

    `count` is exact up to `count_cap` (the archive's `search.COUNT_CAP` unless given) — or up
    to the end of the page asked for, if further — and `capped` says there are more rows than
    `count`.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, count_cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.count_cap = count_cap
        self.capped = False
        self._reach = 0

    def validate_number(self, number):
        if "count" not in self.__dict__:
            with contextlib.suppress(TypeError, ValueError):
                # A page number is the user's: counting "to the end of the page asked for"
                # stops at MAX_REACH rows, so no number makes a LIMIT beyond the database's.
                self._reach = min(max(int(number), 0) * self.per_page, MAX_REACH)
        return super().validate_number(number)

    @cached_property
    def count(self):
        cap = self.count_cap or search.COUNT_CAP
        count, self.capped = search.capped_count(self.object_list, max(cap, self._reach))
        return count

    @cached_property
    def num_pages(self):
        count = self.count  # which says whether it is `capped`
        if not self.capped:
            return super().num_pages
        return math.ceil(count / self.per_page)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped and top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        # In the order of the ids query, which is the list's order.
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    def _get_page(self, *args, **kwargs):
        return LateRowPage(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """A list's sort as the user chooses it (`?o=`), made total: the rows' key breaks ties, in
    the direction of the last field sorted by.

    Pages are LIMIT/OFFSET slices of the sorted rows, and PostgreSQL returns rows that tie in
    any order it likes, not the same one for each page: sorted by annual demand or by status,
    a customer could show on two pages and another on none."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        ordering = [field for field in qs.query.order_by if isinstance(field, str)]
        if value and ordering and not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            qs = qs.order_by(*qs.query.order_by, "-pk" if ordering[-1].startswith("-") else "pk")
        return qs
