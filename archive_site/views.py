from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from archive_site import registry
from archive_site.db_router import replica_reads
from archive_site.search import capped_count

SEARCH_HITS = 5  # hits shown per module; the module's list has the rest
SEARCH_TERM_MAX = 100


def home(request):
    return render(request, "archive_site/home.html")


@replica_reads
def search(request):
    """The header's search: the term in every module the user may read (`registry.search_sources`),
    each with its count (capped, as the lists count) and first hits, linking to the module's list
    filtered by the term. Two queries per module, whatever the number of matches; one where
    nothing matches."""
    term = request.GET.get("q", "").strip()[:SEARCH_TERM_MAX]
    groups = []
    if term:
        for source in registry.search_sources:
            if not source.shown_to(request.user):
                continue
            found = source.search(request.user, term)
            count, more = capped_count(found)
            # Nothing counted, nothing to read: in the list's order the database would walk the
            # whole module looking for a first hit (300 ms for a salesman's objections).
            hits = [source.hit(obj) for obj in found[:SEARCH_HITS]] if count else []
            link = f"{reverse(source.list_url)}?{urlencode({'q': term})}" if source.list_url else ""
            groups.append({"source": source, "count": count, "more": more, "hits": hits, "link": link})
    return render(request, "archive_site/search.html", {"term": term, "groups": groups})
