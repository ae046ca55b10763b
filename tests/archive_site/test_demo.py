"""The demo archive of `make run` (manage.py seed_demo): filled, with one customer's whole story, once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command

from archive_site.history import events_for
from customers.models import Customer, Demand
from orders.models import Delivery, Order
from printing.models import PrintLog
from products.models import Part, PartPhoto
from quality.models import Decision, Objection, ObjectionPhoto, PlanRun, ProcessPlan

DEMO_USERS = ("admin", "sales", "engineer", "quality", "viewer")


def seed(**options):
    call_command("seed_demo", stdout=open("/dev/null", "w"), **options)  # noqa: SIM115


def counts():
    models = (Customer, Demand, ProcessPlan, PlanRun, Objection, ObjectionPhoto, Part, PartPhoto)
    return {m.__name__: m.objects.count() for m in models + (Order, Delivery, Decision, PrintLog)}


@pytest.fixture
def demo(transactional_db):
    """Seeded as `make run` seeds: generation and story each commit, so history is recorded."""
    seed()
    return Customer.objects.get(code="C0001")


def test_the_demo_archive_is_generated_around_the_story(demo):
    n = counts()
    assert n["Customer"] > 40 and n["Objection"] > 1000 and n["Order"] > 200
    assert n["PartPhoto"] > 20 and n["ObjectionPhoto"] > 100
    photo = ObjectionPhoto.objects.filter(objection__customer=demo).first()
    with default_storage.open(photo.image.name) as f:
        assert f.read(3) == b"\xff\xd8\xff"  # a real JPEG on storage


def test_the_story_customer_has_the_whole_story(demo, client):
    plan = ProcessPlan.objects.get(code="GK-2025-018")
    revision = plan.revisions.get()
    assert revision.status == "approved"
    runs = list(revision.runs.all())
    parameters = {p.pk: p.parameter.code for p in revision.parameters.select_related("parameter")}
    out = {parameters[pk]: s.out for pk, s in revision.statistics().items()}
    assert len(runs) == 8 and out["SOAK_T"] == 2 and out["SPM_EL"] == 2
    objections = Objection.objects.filter(customer=demo)
    assert {o.status for o in objections} == {"closed", "investigating"}
    assert all(o.photos.exists() for o in objections)
    assert all(p.photos.exists() for p in Part.objects.filter(customer=demo))
    assert set(PrintLog.objects.filter(customer=demo).values_list("kind", flat=True)) == {
        "technical_sheet",
        "process_card",
    }
    assert all(p.pages >= 1 for p in PrintLog.objects.filter(customer=demo))
    history = list(events_for(demo))
    assert {e.user.username for e in history if e.user} >= {"sales", "engineer", "quality"}
    client.force_login(get_user_model().objects.get(username="sales"))
    page = client.get(demo.get_absolute_url()).content.decode()
    for shown in ("车门外板用 DC06", "GK-2025-018", "5401-00123", "技术单", "工艺卡", "王销售"):
        assert shown in page


def test_seeding_again_changes_nothing(demo):
    before = counts()
    seed()
    assert counts() == before


def test_an_empty_archive_on_request(transactional_db):
    seed(empty=True)
    assert not Customer.objects.exists()
    assert get_user_model().objects.filter(username__in=DEMO_USERS).count() == len(DEMO_USERS)
