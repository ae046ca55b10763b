import os

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.test import client as test_client
from django.utils import translation

from archive_site.accounts import roles
from tests.factories import make_customer, make_user

pytest_plugins = ["tests.browser"]

# Django's test client keeps a copy of the context of every template a response
# renders, each form widget's included: a form page with its rows renders
# hundreds of widgets, and copying their contexts cost more than the view itself
# (0.6 s of a demand form's 1 s). The client here keeps the contexts of the
# page's own templates (`response.context` still holds its forms and values)
# and leaves out those of Django's form and widget templates.
FORM_TEMPLATES = "django/forms/"
_store_rendered_templates = test_client.store_rendered_templates


def store_page_templates(store, signal, sender, template, context, **kwargs):
    if not (template.name or "").startswith(FORM_TEMPLATES):
        _store_rendered_templates(store, signal, sender, template, context, **kwargs)


test_client.store_rendered_templates = store_page_templates


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Every transactional test starts from the database the migrations made, and runs last.

    A transactional test (a browser test, a test of commits) empties the database after
    it, and with it what the migrations seeded: the roles, the dictionaries, the deadline
    rules. Such tests get serialized rollback: the seeded rows, saved once after the
    migrations, are loaded again before each of them. All of them: one flushed the Django
    way after another test re-seeds only part of it (post_migrate's roles), and the next
    test's reload would then collide with those rows. (The replica is a test mirror of
    the default database: neither serialized nor flushed.)

    The emptied database is reloaded only for the next transactional test: the
    transactional tests run after all the others (pytest-django puts them before the tests
    that declare no database, and one of those may still reach it through
    `request.getfixturevalue`). Within each kind, the tests marked `long` come first.
    """
    from pytest_django.fixtures import validate_django_db

    flushing = set()
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transaction, reset_sequences, databases, serialized, available_apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        transactional = transaction or "transactional_db" in fixtures or "live_server" in fixtures
        if transactional:
            flushing.add(item)
        if transactional and not serialized:
            mark = pytest.mark.django_db(
                transaction=True,
                reset_sequences=reset_sequences,
                databases=databases,
                serialized_rollback=True,
                available_apps=available_apps,
            )
            item.add_marker(mark, append=False)
    # The longest tests first within each kind: the two workers then end near together,
    # not one idle while the other finishes a minute-long walk it took last.
    items.sort(key=lambda item: (item in flushing, item.get_closest_marker("long") is None))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker, request):
    """The parallel workers of one run clone one migrated database instead of each migrating.

    Migrating renders the model states a hundred times over (each CreateModel reloads the
    models related to it): 12–15 s of CPU from the squashed migrations, which every xdist
    worker would spend at once. The first worker
    to get here builds the run's migrated database (`create_test_db`, exactly as for a
    worker's own); the others wait on a PostgreSQL advisory lock; each worker's database
    is then created from it (`CREATE DATABASE … TEMPLATE`), and Django's `migrate` finds
    nothing left to apply but still sends post_migrate and serializes the seeded rows.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None or request.config.getvalue("reuse_db"):
        return
    from django.db import connections

    connection = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        template = migrated_template(connection, run)
    connection.settings_dict["TEST"]["TEMPLATE"] = template


MIGRATED_LOCK = 7_311_2026  # the advisory lock key the workers of a run build the template under


def migrated_template(connection, run):
    """The name of this run's migrated database, built by whichever worker comes first."""
    from django.conf import settings

    prefix = f"test_{connection.settings_dict['NAME']}_migrated_"
    template = prefix + run[:16]
    test = connection.settings_dict["TEST"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATED_LOCK])
        try:
            if not connection.creation._database_exists(cursor, template):
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
                for (stale,) in cursor.fetchall():  # from earlier runs
                    cursor.execute(f'DROP DATABASE IF EXISTS "{stale}"')
                name, worker_database = connection.settings_dict["NAME"], test["NAME"]
                test["NAME"] = template
                try:
                    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
                finally:
                    connection.close()
                    test["NAME"] = worker_database
                    connection.settings_dict["NAME"] = settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = name
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATED_LOCK])
    return template


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases, with the seeded rows kept for every connection.

    Django keeps the serialized rows on the connection object that made the test
    database. A browser test's Playwright runs its event loop in the test's thread, and
    Django's connections, kept per context, are then new objects without those rows:
    each connection made for the default database gets them too.
    """
    from django.db import connections
    from django.db.utils import ConnectionHandler

    contents = getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)
    if contents is not None:
        create_connection = ConnectionHandler.create_connection

        def create_connection_with_seeded_rows(self, alias):
            connection = create_connection(self, alias)
            if alias == DEFAULT_DB_ALIAS:
                connection._test_serialized_contents = contents
            return connection

        ConnectionHandler.create_connection = create_connection_with_seeded_rows


@pytest.fixture(autouse=True)
def default_language(settings):
    """Each test starts in the default language (Chinese). A request in English activates
    English in the test's thread and Django leaves it active after the response: code a
    later test calls outside a request (an import's messages) would speak English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def admin_user(db):
    return make_user("admin", roles.ADMIN, is_superuser=False, name="管理员")


@pytest.fixture
def alice(db):
    """A sales user: keeps her own customers, sees only those and the ones shared with her."""
    return make_user("alice", roles.SALES, name="王丽")


@pytest.fixture
def bob(db):
    """Another sales user: outside the scope of alice's customers."""
    return make_user("bob", roles.SALES, name="鲍勃")


@pytest.fixture
def engineer(db):
    return make_user("engineer", roles.ENGINEER, name="李工")


@pytest.fixture
def quality(db):
    return make_user("quality", roles.QUALITY, name="张质")


@pytest.fixture
def viewer(db):
    """Reads and searches the whole archive; changes nothing, exports no contact data."""
    return make_user("viewer", roles.VIEWER, name="赵看")


@pytest.fixture
def alices_customer(alice):
    return make_customer(name="青岛海尔股份有限公司", short_name="海尔", code="C0005", sales_owner=alice)


@pytest.fixture
def bobs_customer(bob):
    return make_customer(name="北汽福田汽车股份有限公司", short_name="福田", code="C0001", sales_owner=bob)


@pytest.fixture
def login(client, db):
    """Log a user in with the test client (a session in the database: a database test, run
    among them, even when the test names its users only through `request.getfixturevalue`)."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user
