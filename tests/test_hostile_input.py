"""No input makes a server error: every named URL, every role, hostile values everywhere.

For each row of the permission matrix (`tests/test_permission_matrix.py`: every named
URL, its path parameters filled with real records' ids), each role (anonymous,
administrator, sales alice who owns the records, engineer, quality, viewer) and each
hostile value:

- GET: the value in every query parameter the view reads (found by recording which
  keys it reads from `request.GET` on the page as it is linked);
- POST: the value in every field of the form the page shows (or of the matrix's valid
  form, for a button), and in every other key the view reads from `request.POST`;
- path parameters: an id of no record, and one beyond the database's integers.

The value goes into all the keys at once. The keys a form refuses (its field errors)
get their valid value back and the request is sent again, so the values the view
accepts travel on together to the search, the save, the export, the PDF. An answer
unlike the valid request's that names no field splits the keys in halves, down to
single keys. Every answer must be below 500; each request runs in a savepoint rolled
back after it. The walk prints how many URL × role × method × value combinations it
tried, in how many requests (run it with -s).

Hostile values: a NUL character, a word and huge numbers where ids go, 10 000
characters, negative and 1e100 numbers, 9999-12-31 and 0000-00-00, emoji, bidirectional
marks.
"""

import json
import os
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.http import QueryDict
from django.urls import reverse

from archive_site.forms import SUBMIT_TOKEN
from tests.test_permission_matrix import (
    LOGIN,
    READ_ONLY,
    TABLE,
    Row,
    client_for,
    covered,
    form_values,
    no_args,
    url_patterns,
    world,  # noqa: F401  (the fixture)
)

HOSTILE = {
    "NUL": "C0005\x00",
    "word-for-id": "abc",
    "huge-id": "9" * 30,
    "bigint+1": "9223372036854775808",
    "negative": "-1",
    "1e100": "1e100",
    "10000-chars": "钢" * 10_000,
    "9999-12-31": "9999-12-31",
    "0000-00-00": "0000-00-00",
    "emoji": "🏭🔥👍🏽",
    "bidi": "\u202e\u2067C0005\u2069\u202c",
}
BAD_IDS = ("0", "9223372036854775808")  # no record; beyond the database's integers

WALK_ROLES = ("anon", "admin", "owner", "engineer", "quality", "viewer")
IGNORED_KEYS = {"csrfmiddlewaretoken"}


def set_language_form(w, kw):
    return {"language": "en", "next": "/customers/"}


# URLs the permission matrix leaves out that still take input.
EXTRA_ROWS = [
    Row("set_language", no_args, get=(405,) * 7, post=(302,) * 7, data=set_language_form, state=None),
]


def walked_rows():
    seen, rows = set(), []
    for row in TABLE + EXTRA_ROWS:
        key = (row.name, row.kwargs.__name__, row.query.__name__ if row.query else "")
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


ROWS = walked_rows()


# Which keys a view reads ---------------------------------------------------------------

READ = set()


class RecordingQueryDict(QueryDict):
    """request.GET / request.POST noting every key a view asks for (in READ)."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        READ.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


def recording(data):
    copy = RecordingQueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


class RecordReads:
    """Test middleware, first in the chain: GET and POST as RecordingQueryDicts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = recording(request.GET)
        if request.method == "POST":
            request.POST = recording(request.POST)
        return self.get_response(request)


# The walk ------------------------------------------------------------------------------


def fresh(data):
    """`data` with new file objects: a posted file is read to its end."""
    out = {}
    for key, value in data.items():
        if isinstance(value, list):
            out[key] = [_fresh_file(v) for v in value]
        else:
            out[key] = _fresh_file(value)
    return out


def _fresh_file(value):
    if hasattr(value, "read"):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), content_type=getattr(value, "content_type", None))
    return value


def answer(response):
    if response.streaming:
        b"".join(response.streaming_content)
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return LOGIN
    return response.status_code


def forms_in(response):
    """The bound, validated forms the response's templates were given (formsets' forms, filters' form)."""
    contexts = getattr(response, "context", None) or []
    contexts = contexts if isinstance(contexts, list) else [contexts]
    found = {}
    for context in contexts:
        for value in context.flatten().values():
            candidates = [value, getattr(value, "form", None)]
            if isinstance(value, BaseFormSet):
                candidates += [value.management_form, *value.forms]
            for form in candidates:
                if isinstance(form, BaseForm) and form.is_bound and form._errors is not None:
                    found[id(form)] = form
    return found.values()


def refused_keys(response, keys):
    """The keys whose value a form refused; None if a form refused the whole (a non-field error)."""
    refused = set()
    for form in forms_in(response):
        for name in form.errors:
            if name == NON_FIELD_ERRORS:
                return None
            html = form.add_prefix(name)
            refused |= {k for k in keys if k == html or k.startswith(f"{html}_")}
    return refused


@dataclass
class Walk:
    """Hostile values sent to one URL; `combinations`: (role, method, value) tried, `requests` sent."""

    requests: int = 0
    combinations: int = 0
    failures: list = field(default_factory=list)

    def send(self, client, method, path, data, what):
        """One request in a savepoint rolled back after it: (answer, response, keys the view read)."""
        READ.clear()
        self.requests += 1
        with transaction.atomic():
            try:
                response = getattr(client, method)(path, fresh(data))
                got = answer(response)
                exc = response.exc_info
            except Exception as e:  # raised while streaming the response
                response, got, exc = None, 500, (type(e), e, None)
            transaction.set_rollback(True)
        if not isinstance(got, str) and got >= 500:
            error = f"{exc[0].__name__}: {str(exc[1])[:200]}" if exc else ""
            self.failures.append(f"{method.upper()} {path} {what} → {got} {error}")
        return got, response, {k for k in READ if k not in IGNORED_KEYS}

    def hostile(self, client, method, path, base, keys, expected, role):
        """Every hostile value in every key, as many at once as the view accepts.

        The value goes into all `keys`; the keys a form refuses get their valid value back
        and the rest is sent again, so the accepted hostile values travel on together to
        the search, the save, the export. An answer unlike the valid request's (`expected`)
        with no field named splits the keys in halves, down to single keys.
        """
        for label, value in HOSTILE.items():
            self.combinations += 1
            todo = [frozenset(keys)]
            while todo:
                chosen = todo.pop()
                data = {**base, **dict.fromkeys(chosen, value)}
                what = f"[{role}] {label} in {sorted(chosen)}"
                got, response, _read = self.send(client, method, path, data, what)
                refused = refused_keys(response, chosen) if response is not None else None
                if got == expected and refused == set():
                    continue  # every hostile value was taken
                if got == 400 and refused is not None and not refused:
                    continue  # the request refused as a whole, before any view (a NUL character)
                if refused and refused != chosen:
                    todo.append(chosen - refused)
                elif len(chosen) > 1:
                    half = sorted(chosen)[: len(chosen) // 2]
                    todo += [frozenset(half), chosen - frozenset(half)]


def page_form(client, path, query):
    """The POST form a page shows in <main> and posts to itself, as a browser would submit it."""
    response = client.get(path, query)
    if response.status_code != 200 or response.streaming:
        return None
    html = response.content.decode()
    main = html[html.find("<main") :]
    form = re.search(r"<form\b[^>]*\bmethod=\"post\"[^>]*>", main, re.IGNORECASE)
    action = re.search(r"\baction=\"([^\"]*)\"", form.group(0)) if form else None
    if form is None or (action and action.group(1) not in ("", path)):
        return None
    return form_values(html) or None


def is_guard(key):
    """A key whose every changed value the form refuses as a whole, by design: a record's (or a
    row's) version, refused as a stale edit, and the one-time submit token."""
    return key in ("version", SUBMIT_TOKEN) or key.endswith("-version")


def walk_keys(walk, client, method, path, base, role):
    """The valid request, then hostile values in its keys and in every other key the view read.

    The guards (`is_guard`) get each value all at once, apart from the other keys: their
    refusal names no field, so walked with the rest it would split the keys down to
    each guard alone, a dozen requests for every row's version and every value.
    """
    expected, _response, read = walk.send(client, method, path, base, f"[{role}] valid")
    keys = {k for k in base if k not in IGNORED_KEYS} | read
    guards = {k for k in keys if is_guard(k)}
    if keys - guards:
        walk.hostile(client, method, path, base, keys - guards, expected, role)
    for label, value in HOSTILE.items() if guards else ():
        walk.combinations += 1
        data = {**base, **dict.fromkeys(guards, value)}
        walk.send(client, method, path, data, f"[{role}] {label} in {sorted(guards)}")


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_no_hostile_value_makes_a_server_error(row, world, settings):  # noqa: F811
    settings.MIDDLEWARE = ["tests.test_hostile_input.RecordReads", *settings.MIDDLEWARE]
    kwargs = row.kwargs(world)
    path = reverse(row.name, kwargs=kwargs)
    query = {k: str(v) for k, v in row.query(world).items()} if row.query else {}
    world.actor = world.users["admin"]
    post_data = row.data(world, kwargs) if row.post is not READ_ONLY else None
    clients = {role: client_for(world.users[role]) for role in WALK_ROLES}
    walk = Walk()
    started = time.monotonic()

    for role, client in clients.items():
        # GET: the query parameters the view reads.
        walk_keys(walk, client, "get", path, query, role)
        # POST: the fields of the page's form, or the matrix's valid form.
        data = post_data if post_data is not None else page_form(client, path, query)
        if data is not None:
            walk_keys(walk, client, "post", f"{path}?{urlencode(query)}" if query else path, data, role)

    # Path parameters: ids that name no record.
    for name, value in kwargs.items():
        if not isinstance(value, int):
            continue
        for bad in BAD_IDS:
            bad_path = reverse(row.name, kwargs={**kwargs, name: bad})
            for role, client in clients.items():
                walk.send(client, "get", bad_path, {}, f"[{role}] {name}={bad}")
                if post_data is not None:
                    walk.send(client, "post", bad_path, post_data, f"[{role}] {name}={bad}")

    WALKED[str(row)] = (walk.combinations, walk.requests, time.monotonic() - started)
    assert not walk.failures, f"{len(walk.failures)} server errors:\n" + "\n".join(walk.failures[:40])


WALKED = {}


@pytest.fixture(scope="module", autouse=True)
def report_size():
    """Prints (with -s) what the walk tried; with HOSTILE_WALK_REPORT set, appends it to that file too."""
    yield
    if not WALKED:
        return
    combinations = sum(c for c, _, _ in WALKED.values())
    requests = sum(n for _, n, _ in WALKED.values())
    seconds = sum(s for _, _, s in WALKED.values())
    rows, slowest = len(WALKED), sorted(WALKED.items(), key=lambda kv: -kv[1][2])[:8]
    WALKED.clear()  # a worker running the module in several pieces reports each piece once
    line = (
        f"hostile walk: {rows} URL rows, {combinations} URL × role × method × value "
        f"combinations, {requests} requests, {seconds:.0f} s"
    )
    print(f"\n{line}")
    if os.environ.get("HOSTILE_WALK_REPORT"):
        with open(os.environ["HOSTILE_WALK_REPORT"], "a") as out:
            out.write(
                json.dumps(
                    {
                        "rows": rows,
                        "combinations": combinations,
                        "requests": requests,
                        "seconds": round(seconds, 1),
                        "slowest": slowest,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def test_the_walk_covers_every_named_url():
    walked = {row.name for row in ROWS}
    named = {name for name, _params in url_patterns() if covered(name) or name == "set_language"}
    assert named - walked == set()


def test_hostile_values_reach_the_view_as_sent():
    """The walk's recording QueryDict returns what was posted (so the walk tests the views)."""
    data = recording(QueryDict("q=%00&q=b"))
    READ.clear()
    assert data.getlist("q") == ["\x00", "b"] and "q" in READ
