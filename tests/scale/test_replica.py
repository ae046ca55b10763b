"""Read-heavy pages from a real PostgreSQL streaming replica; read-after-write on the primary.

The replica is a hot standby of the test database's server (tests/scale/servers.py).
To tell which server answered a page, the tests pause the replica's replay and
then change the primary: what changed after the pause exists only on the
primary. A page that shows the change was read from the primary; a page that
shows the past was read from the replica — so each assertion about the replica
fails if the router sent the query to the primary.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from archive_site.accounts import roles
from archive_site.db_router import COOKIE
from customers.models import Customer
from tests.customers.test_customer_edit import form_data
from tests.factories import make_customer, make_objection, make_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def colleague(db):
    """Sees every customer; has written nothing lately."""
    return make_user("colleague", roles.ADMIN)


def browser(user):
    """A client of its own: its own cookies, as another person's browser has."""
    client = Client()
    client.force_login(user)
    return client


def page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def upload_file(content, name="客户.xlsx"):
    return SimpleUploadedFile(name, content)


def catch_up(replica):
    with connection.cursor() as cursor:
        replica.catch_up(cursor)


def test_list_pages_are_read_from_the_replica(replica, colleague, alice, alices_customer):
    before = make_objection(alices_customer, description="轧辊印，已处理")
    catch_up(replica)
    replica.pause()
    after = make_objection(alices_customer, defect="EDGE_CRACK", description="边部裂口，复查中")
    newcomer = make_customer(name="暂停后新建的客户有限公司", sales_owner=alice)
    client = browser(colleague)

    def pages():
        judgement = client.get(
            reverse("quality:judgement-api"),
            {"customer": alices_customer.code, "defect": "EDGE_CRACK", "severity": 4},
        )
        assert judgement.status_code == 200
        return {
            "objections": page(client, "quality:objection-list"),
            "customers": page(client, "customers:customer-list"),
            "stats": page(client, "quality:objection-stats", customer=alices_customer.code),
            "judgement": judgement.json()["count"],
        }

    paused = pages()  # what only the primary has is missing: the replica answered
    assert before.number in paused["objections"] and after.number not in paused["objections"]
    assert alices_customer.name in paused["customers"] and newcomer.name not in paused["customers"]
    assert "边裂" not in paused["stats"]
    assert paused["judgement"] == 0
    # Pages not marked for the replica read the primary meanwhile.
    assert after.description in page(client, "quality:objection-detail", after.pk)

    replica.resume()
    catch_up(replica)
    replayed = pages()  # the same pages show it once the replica has it
    assert after.number in replayed["objections"]
    assert newcomer.name in replayed["customers"]
    assert "边裂" in replayed["stats"]
    assert replayed["judgement"] == 1


def test_user_who_just_saved_a_record_reads_it_back_at_once(replica, colleague, alice, alices_customer):
    catch_up(replica)
    replica.pause()
    client = browser(alice)
    data = form_data(alices_customer, name="青岛海尔股份有限公司（更名）")
    response = client.post(reverse("customers:customer-edit", args=[alices_customer.pk]), data, follow=True)
    assert response.status_code == 200
    assert COOKIE in client.cookies  # the primary's WAL position after the save
    assert "青岛海尔股份有限公司（更名）" in response.content.decode()  # the page the save redirected to

    # Alice's list reads the primary: the replica has not replayed her save yet ...
    assert "青岛海尔股份有限公司（更名）" in page(client, "customers:customer-list")
    # ... while her colleague, who wrote nothing, reads the replica, which shows the old name.
    other = page(browser(colleague), "customers:customer-list")
    assert "青岛海尔股份有限公司（更名）" not in other and "青岛海尔股份有限公司" in other


def test_a_save_that_redirects_to_a_list_shows_the_list_with_the_save(
    replica, colleague, alice, alices_customer
):
    doomed = make_customer(name="待删除的客户有限公司", sales_owner=alice)
    catch_up(replica)
    replica.pause()
    client = browser(alice)
    response = client.post(reverse("customers:customer-delete", args=[doomed.pk]))
    assert response.status_code == 302 and response.url == reverse("customers:customer-list")
    assert not Customer.objects.filter(pk=doomed.pk).exists()

    row = f'href="{doomed.get_absolute_url()}"'
    listing = page(client, "customers:customer-list")  # the redirect target, on the primary
    assert "客户“待删除的客户有限公司”已删除。" in listing and row not in listing
    assert row in page(browser(colleague), "customers:customer-list")  # the replica, still paused


def test_once_the_replica_has_the_write_the_user_reads_the_replica_again(replica, alice, alices_customer):
    catch_up(replica)
    client = browser(alice)
    client.post(reverse("customers:customer-edit", args=[alices_customer.pk]), form_data(alices_customer))
    assert COOKIE in client.cookies
    catch_up(replica)
    replica.pause()
    make_customer(name="暂停后新建的客户有限公司", sales_owner=alice)  # only on the primary

    response = client.get(reverse("customers:customer-list"))
    assert "暂停后新建的客户有限公司" not in response.content.decode()  # read from the replica
    assert response.cookies[COOKIE]["max-age"] == 0  # and the write's cookie dropped


def test_a_replica_that_cannot_be_reached_sends_the_page_to_the_primary(replica, alice, alices_customer):
    catch_up(replica)
    replica.pause()
    newcomer = make_customer(name="暂停后新建的客户有限公司", sales_owner=alice)
    settings_dict = connections["replica"].settings_dict
    connections["replica"].close()
    host = settings_dict["HOST"]
    settings_dict["HOST"] = f"{host}/nowhere"  # no server listens there
    try:
        listing = page(browser(alice), "customers:customer-list")
    finally:
        connections["replica"].close()
        settings_dict["HOST"] = host
    assert newcomer.name in listing and alices_customer.name in listing


def test_writes_and_workers_use_the_primary_only(replica):
    from archive_site.db_router import ReplicaRouter

    router = ReplicaRouter()
    assert router.db_for_write(Customer) == "default"
    assert router.db_for_read(Customer) == "default"  # outside a replica page's request
    assert router.allow_migrate("replica", "customers") is False


def test_rows_a_worker_imported_are_read_back_once_the_run_shows_done(replica, colleague, alice):
    from imports.models import ImportRun
    from imports.tasks import apply_import, check_import
    from tests.imports.helpers import CUSTOMER_HEADERS, xlsx

    rows = [CUSTOMER_HEADERS, ["C5001", "烟台汽车配件有限公司", "AUTO", "合作中", "", 80]]
    client = browser(alice)
    client.post(reverse("imports:upload", args=["customers"]), {"file": upload_file(xlsx({"客户": rows}))})
    run = ImportRun.objects.get()
    check_import.call(run.pk)
    client.post(reverse("imports:run-confirm", args=[run.pk]))
    catch_up(replica)
    client.cookies.pop(COOKIE)  # the confirmation came before the rows: its position does not cover them
    replica.pause()
    apply_import.call(run.pk)  # the worker writes the rows, off any request of alice's

    assert "烟台汽车配件有限公司" not in page(client, "customers:customer-list")  # the replica, paused
    # The run's page reports the import done, and from then on the list reads the primary.
    assert "已导入" in page(client, "imports:run-detail", run.pk)
    assert "烟台汽车配件有限公司" in page(client, "customers:customer-list")
    assert "烟台汽车配件有限公司" not in page(browser(colleague), "customers:customer-list")
