from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from archive_site import registry
from archive_site.db_router import replica_reads
from archive_site.pagination import LateRowPaginator

SEARCH_HITS = 5  # hits shown per module; the module's list has the rest
SEARCH_TERM_MAX = 100


def home(request):
    return render(request, "archive_site/home.html")


@replica_reads
def search(request):
    """The header's search: the term in every module the user may read (`registry.search_sources`),
    each with its count and first hits read as the module's list reads its first page
    (`LateRowPaginator`: the count capped, then the hits' ids alone, then those rows), linking
    to the list filtered by the term. Reading the hits with their joins at once let PostgreSQL
    walk a salesman's demands for 370 ms where their ids alone took 15 (5 million objections)."""
    term = request.GET.get("q", "").strip()[:SEARCH_TERM_MAX]
    groups = []
    if term:
        for source in registry.search_sources:
            if not source.shown_to(request.user):
                continue
            paginator = LateRowPaginator(source.search(request.user, term), SEARCH_HITS)
            hits = [source.hit(obj) for obj in paginator.page(1)]  # none read where none counted
            link = f"{reverse(source.list_url)}?{urlencode({'q': term})}" if source.list_url else ""
            groups.append(
                {
                    "source": source,
                    "count": paginator.count,
                    "more": paginator.capped,
                    "hits": hits,
                    "link": link,
                }
            )
    return render(request, "archive_site/search.html", {"term": term, "groups": groups})
