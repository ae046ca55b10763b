"""The archive generator (manage.py generate_archive) at a tiny scale."""

import re
from collections import defaultdict

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from pghistory.models import Event
from PIL import Image

from archive_site.lib import credit_code
from customers.models import Contact, Customer, Demand, DemandElement, DemandProperty
from devtools import generator
from products.models import Part, PartPhoto
from quality.models import (
    Objection,
    ObjectionCounter,
    ObjectionPhoto,
    PlanParameter,
    PlanRevision,
    PlanRun,
    ProcessPlan,
    RunValue,
)

SCALE = 0.002  # 40 customers, 120 demands, 20 plans, 400 runs, 1 000 objections, 100 photos, 200 parts


def history_events():
    return sum(m.objects.count() for m in apps.get_models() if issubclass(m, Event) and not m._meta.abstract)


def snapshot():
    """What a reader of the archive sees, without ids that a sequence may shift."""
    return {
        "customers": list(Customer.objects.order_by("code").values_list("code", "name", "credit_code")),
        "demands": list(Demand.objects.order_by("id").values_list("customer__code", "name", "thickness")),
        "objections": list(
            Objection.objects.order_by("number").values_list(
                "number", "customer__code", "severity", "description"
            )
        ),
        "parts": list(
            Part.objects.order_by("customer__code", "number").values_list("number", "gross_weight")
        ),
        "photos": list(ObjectionPhoto.objects.order_by("id").values_list("objection__number", "size")),
    }


@pytest.fixture
def archive(db):
    generator.generate(scale=SCALE, seed=7, log=None)


def test_generator_writes_the_counts_of_its_scale(archive):
    n = generator.sizes(SCALE)
    assert Customer.objects.count() == n["customers"] == 40
    assert Demand.objects.count() == n["demands"]
    assert ProcessPlan.objects.count() == n["plans"]
    assert PlanRun.objects.count() == n["runs"]
    assert Objection.objects.count() == n["objections"] == 1000
    assert ObjectionPhoto.objects.count() == n["objection_photos"]
    assert Part.objects.count() == n["parts"]
    assert PartPhoto.objects.count() == n["part_photos"]
    # The rows around them are there too.
    assert Contact.objects.count() >= n["customers"]
    assert DemandElement.objects.count() >= 4 * n["demands"]
    assert DemandProperty.objects.count() >= 3 * n["demands"]
    assert PlanParameter.objects.count() >= 6 * n["plans"]
    assert RunValue.objects.count() >= n["runs"]


def test_generated_archive_keeps_the_models_rules(archive):
    # Objection numbers: per year 1..n without gaps, and the counter gives the next one.
    numbers = defaultdict(list)
    for number, received in Objection.objects.values_list("number", "received_date"):
        year, seq = re.fullmatch(r"ZY-(\d{4})-(\d{4,})", number).groups()
        assert int(year) == received.year
        numbers[int(year)].append(int(seq))
    for year, seqs in numbers.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert ObjectionCounter.objects.get(year=year).last == len(seqs)
    assert (
        ObjectionCounter.next_number(max(numbers))
        == f"ZY-{max(numbers)}-{len(numbers[max(numbers)]) + 1:04d}"
    )
    # Customers: valid, unique credit codes; every part's demand belongs to the part's customer.
    codes = list(Customer.objects.values_list("credit_code", flat=True))
    assert all(credit_code.is_valid(c) for c in codes) and len(set(codes)) == len(codes)
    assert not Part.objects.exclude(demand__customer=F("customer")).exists()
    # Objections name parts of their own customer, made from the objection's demand.
    assert Objection.objects.filter(part__isnull=False).exists()
    assert not Objection.objects.filter(part__isnull=False).exclude(part__demand=F("demand")).exists()
    # Plans: one approved revision each; runs record only parameters of their own line.
    assert PlanRevision.objects.filter(status="approved").count() == ProcessPlan.objects.count()
    assert not RunValue.objects.exclude(parameter__line=F("run__line")).exists()
    # Every value of every generated row passes the models' own validation.
    for model in (Customer, Demand, Objection, Part):
        for obj in model.objects.all()[:50]:
            obj.full_clean()


def test_every_photo_row_points_at_a_real_jpeg(archive):
    for photo in [*ObjectionPhoto.objects.all(), *PartPhoto.objects.all()]:
        for field in (photo.image, photo.thumbnail):
            assert default_storage.exists(field.name)
            with default_storage.open(field.name) as f, Image.open(f) as image:
                assert image.format == "JPEG"
        assert photo.size == default_storage.size(photo.image.name)
    # A few hundred distinct pictures at most, but not one picture for all.
    sizes = set(ObjectionPhoto.objects.values_list("size", flat=True))
    assert len(sizes) > 20


def test_generating_writes_no_history_events(db):
    before = history_events()
    generator.generate(scale=SCALE, seed=7, log=None)
    assert history_events() == before
    # ... while an ordinary save afterwards is recorded as usual.
    customer = Customer.objects.first()
    customer.remarks = "changed"
    customer.save()
    assert history_events() == before + 1


def test_same_seed_same_archive_other_seed_other_archive(db):
    generator.generate(scale=0.001, seed=11, log=None)
    first = snapshot()
    generator.flush()
    generator.generate(scale=0.001, seed=11, log=None)
    assert snapshot() == first
    generator.flush()
    generator.generate(scale=0.001, seed=12, log=None)
    assert snapshot()["objections"] != first["objections"]


def test_generator_refuses_a_database_with_an_archive(archive):
    with pytest.raises(generator.GeneratorError):
        generator.generate(scale=SCALE, seed=7, log=None)


def test_command_flushes_and_generates(db, capsys):
    call_command("generate_archive", "--scale", "0.001", "--seed", "3", "--no-photos")
    call_command("generate_archive", "--scale", "0.001", "--seed", "3", "--no-photos", "--flush")
    assert Customer.objects.count() == generator.sizes(0.001)["customers"]
    assert ObjectionPhoto.objects.count() == 0
    assert generator.marker() == "generate_archive seed=3 scale=0.001"


def test_generated_records_show_on_the_pages(archive, admin_user, client):
    client.force_login(admin_user)
    first = Customer.objects.order_by("code").first()
    assert first.name in client.get(reverse("customers:customer-list")).content.decode()
    assert first.name in client.get(first.get_absolute_url()).content.decode()

    newest = Objection.objects.order_by("-received_date", "-id").first()
    assert newest.number in client.get(reverse("quality:objection-list")).content.decode()
    photo = ObjectionPhoto.objects.select_related("objection").last()
    page = client.get(photo.objection.get_absolute_url()).content.decode()
    assert photo.objection.description in page
    assert reverse("quality:photo", args=[photo.pk, "thumb"]) in page
    response = client.get(reverse("quality:photo", args=[photo.pk, "full"]))
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"

    # A two-character defect name finds the generated objections through the gram index.
    defect = newest.defect_type
    found = client.get(reverse("quality:objection-list"), {"q": defect.name[:2]}).content.decode()
    assert newest.number in found or Objection.objects.search(defect.name[:2]).count() > 20

    # The judgement check answers from the generated history.
    answer = client.get(
        reverse("quality:judgement-api"),
        {"customer": newest.customer.code, "defect": defect.code, "severity": 4},
    ).json()
    assert answer["count"] >= 1

    part = Part.objects.first()
    assert (
        part.number
        in client.get(reverse("products:part-list"), {"customer_id": part.customer_id}).content.decode()
    )
    assert part.name in client.get(part.get_absolute_url()).content.decode()
    plan = ProcessPlan.objects.filter(revisions__runs__isnull=False).first()
    assert plan.code in client.get(plan.get_absolute_url()).content.decode()


def test_generated_orders_and_deliveries_keep_their_rules_and_give_rates(archive, admin_user, client):
    from orders.models import Delivery, Order

    n = generator.sizes(SCALE)
    assert Order.objects.count() == n["orders"] == 200
    assert Delivery.objects.count() > n["orders"]  # several coils per order, recent ones still open
    # An order's demand is its customer's, its coils come after it, its numbers are unique.
    assert not Order.objects.exclude(demand__customer=F("customer")).exists()
    assert not Delivery.objects.filter(date__lt=F("order__order_date")).exists()
    for model in (Order, Delivery):
        for obj in model.objects.select_related()[:50]:
            obj.full_clean()
    # Delivered tons give the statistics page its rates.
    client.force_login(admin_user)
    stats = client.get(reverse("quality:objection-stats"), {"date_from": "2016-01-01"}).context["stats"]
    total = stats["rates"]["total"]
    assert total.delivered == Delivery.objects.total()["tons"] and total.rate > 0
