"""A paginator for the big lists: the page's ids first, then those rows with their joins.

Measured on the generated archive (bench/pages.py, 500 000 objections): page
10 000 of the objection list took 8.8 s and a search for 辊印 (59 000 matches)
16.7 s, because PostgreSQL computed the list's joins and per-row subqueries
(photo counts, thumbnails) for every row it skipped or sorted, and for the
search misjudged the matches (16 instead of 59 000) and joined them in nested
loops. Asking first only for the ids of the page — the filter and the sort
alone, an index scan — and then for those 50 rows with everything the template
needs costs the same on page 1 and makes deep pages and broad searches cheap.
"""

from django.core.paginator import Paginator


class LateRowPaginator(Paginator):
    """Paginator for a QuerySet: `page()` selects the page's primary keys, then the rows."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        # In the order of the ids query, which is the list's order.
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
