"""Printing: render time of a technical sheet with 3 camera photos, and of a 50-part batch.

    make bench BENCH=printing          (or: python -m bench.printing with DATABASE_URL set)

Builds a rich customer in the bench database inside a transaction that is
rolled back at the end (photos go to a temporary MEDIA_ROOT): 40 composition
rows, 5 properties, an approved plan with 10 parameters, 30 objections, and 50
parts with three 2400×1800 photos each. Every figure is the median of
BENCH_RUNS runs (default 5, batch 3) after one warm-up run, through the same
code the views use (`printing.documents.render_sheets`), with the baselines
measured in the same run:

- the sheet with WeasyPrint forced onto fontTools subsetting (what a machine
  without libharfbuzz-subset does), and with the original photos embedded
  instead of the print copies (no downscaling);
- the batch as the app makes it (each sheet laid out on its own, one PDF
  written: fonts subset once) and as 50 PDFs merged with pypdf. (One render
  of a single concatenated document was as fast, but cannot number each
  sheet's pages on its own: dropped to keep `make bench` within 20 minutes.)
"""

import io
import os
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings_test")  # temp MEDIA_ROOT
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
import weasyprint.pdf.fonts as weasy_fonts  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from PIL import Image  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

import printing.documents as documents  # noqa: E402
from archive_site.accounts import roles  # noqa: E402
from archive_site.models import DictEntry, DictKind  # noqa: E402
from archive_site.photos import process_upload, save_photos  # noqa: E402
from printing.pdf import render_document  # noqa: E402
from products.models import PartPhoto  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 5))
BATCH_RUNS = int(os.environ.get("BENCH_BATCH_RUNS", 3))
PARTS = 50
SHEET = "printing/technical_sheet.html"


class Rollback(Exception):
    pass


def camera_jpeg(seed):
    size = (2400, 1800)
    noise = Image.effect_noise(size, 30 + seed).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.6).save(out, "JPEG", quality=90)
    return out.getvalue()


def build():
    """The rich customer, its 50 parts (3 photos each) and a user who prints."""
    from tests import factories as f

    user = f.make_user("bench-printer", roles.ENGINEER, name="李工")
    customer = f.make_customer(name="青岛海尔股份有限公司（基准）", code="BENCH01")
    DictEntry.objects.bulk_create(
        DictEntry(kind=DictKind.ELEMENT, code=f"BX{i:02d}", name=f"微量元素{i:02d}", sort_order=900 + i)
        for i in range(28)
    )
    elements = [
        (e.code, Decimal("0.001"), Decimal("0.05")) for e in DictEntry.objects.filter(kind=DictKind.ELEMENT)
    ]
    demand = f.make_demand(
        customer,
        name="冰箱侧板用 DC04",
        elements=elements,
        properties=[
            ("ReL", 140, 210, "MPa"),
            ("Rm", 270, 350, "MPa"),
            ("A80", 38, None, "%"),
            ("r90", Decimal("1.6"), None, ""),
            ("n90", Decimal("0.18"), None, ""),
        ],
        special_requirements="表面不得有辊印、划伤，卷内径 610 mm",
    )
    codes = ["RED", "TENSION", "SPEED", "FT", "CT", "HEAT_T", "SOAK_T", "SLOW_T", "OA_T", "SPM_EL"]
    f.make_plan(
        customer,
        demand=demand,
        approved_by=user,
        parameters=[("CAL", code, 100 + i, 90 + i, 110 + i, "℃") for i, code in enumerate(codes)],
    )
    grades = [f.entry(DictKind.PRODUCTION_GRADE, "DC04"), f.entry(DictKind.PRODUCTION_GRADE, "DC03")]
    for i in range(30):
        f.make_objection(
            customer,
            production_grade=grades[i % 2],
            thickness=Decimal("0.8"),
            width=Decimal("1250"),
            description=f"第{i + 1}卷 冲压后发现表面划伤，位置距边部 50 mm，频次每米 2 处",
        )
    photos = [
        process_upload(SimpleUploadedFile(f"p{i}.jpg", camera_jpeg(i), "image/jpeg"), f"照片{i + 1}")
        for i in range(3)
    ]
    parts = []
    for i in range(PARTS):
        part = f.make_part(customer, demand=demand, number=f"BX-{6000 + i}", name=f"冰箱侧板{i + 1}")
        save_photos(PartPhoto, photos, user=user, part=part)
        parts.append(part)
    one_pager = f.make_part(
        f.make_customer(code="BENCH02"),
        demand=f.make_demand(customer, elements=[("C", None, Decimal("0.003"))], name="简单需求"),
        number="ONE-1",
        name="一页技术单",
    )
    return user, parts, one_pager


def sheets_of(user, parts):
    return documents.technical_sheets(
        documents.parts_for_print(user).filter(pk__in=[p.pk for p in parts]), for_pdf=True
    )


def median(fn, runs):
    fn()  # warm-up: imports, stylesheet parsing, print copies of the photos
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


@contextmanager
def fonttools_subsetting():
    saved = weasy_fonts.harfbuzz_subset
    weasy_fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        weasy_fonts.harfbuzz_subset = saved


@contextmanager
def original_photos():
    saved = documents.print_photo
    documents.print_photo = lambda field_file, width=0, height=0: field_file.name
    try:
        yield
    finally:
        documents.print_photo = saved


def app_pdf(user, parts):
    """What the views do: query, build the sheets, render, write one PDF."""
    return documents.render_sheets(SHEET, sheets_of(user, parts), user)


def pypdf_merge(user, parts):
    writer = PdfWriter()
    pages = 0
    for sheet in sheets_of(user, parts):
        pdf = render_document(SHEET, documents.print_context([sheet], user), media_names=sheet.media_names)[
            0
        ].write_pdf()
        reader = PdfReader(io.BytesIO(pdf))
        pages += len(reader.pages)
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pages


def downscale_time(photo):
    from printing.pdf import print_photo

    def once():
        name = print_photo(photo.image, photo.width, photo.height)
        photo.image.storage.delete(name)

    return median(once, RUNS)[0]


def row(label, seconds, result, base):
    pdf, pages = result
    ratio = f"{seconds / base:5.1f}×" if base else ""
    print(f"  {label:<52} {seconds:7.3f} s  {pages:4d} pp  {len(pdf) / 1024:8.0f} KiB  {ratio}", flush=True)


def main():
    media = settings.MEDIA_ROOT
    subsetter = "HarfBuzz" if weasy_fonts.harfbuzz_subset else "fontTools"
    print(f"WeasyPrint {weasyprint.__version__}, subsetting with {subsetter}", flush=True)
    try:
        with transaction.atomic():
            user, parts, one_pager = build()
            one = parts[:1]

            print(f"\nOne sheet: 3 photos 2400×1800, 40 element rows, 30 objections (median of {RUNS})")
            base, result = median(lambda: app_pdf(user, one), RUNS)
            row("app: HarfBuzz subset, print copies of the photos", base, result, base)
            with fonttools_subsetting():
                t, r = median(lambda: app_pdf(user, one), RUNS)
            row("baseline: fontTools subset (no libharfbuzz-subset)", t, r, base)
            with original_photos():
                t, r = median(lambda: app_pdf(user, one), RUNS)
            row("baseline: original photos embedded (no downscale)", t, r, base)
            photo = parts[0].photos.first()
            t = downscale_time(photo)
            print(f"  {'downscale one 2400×1800 photo (once; then cached)':<52} {t:7.3f} s")

            print(f"\nOne-page sheet: no photos, 1 row, no objections (median of {RUNS})")
            base, result = median(lambda: app_pdf(user, [one_pager]), RUNS)
            row("app: HarfBuzz subset", base, result, base)
            with fonttools_subsetting():
                t, r = median(lambda: app_pdf(user, [one_pager]), RUNS)
            row("baseline: fontTools subset (no libharfbuzz-subset)", t, r, base)

            print(f"\nBatch: technical sheets of {PARTS} parts in one PDF (median of {BATCH_RUNS})")
            base, result = median(lambda: app_pdf(user, parts), BATCH_RUNS)
            row("app: each sheet laid out, one PDF written", base, result, base)
            t, r = median(lambda: pypdf_merge(user, parts), BATCH_RUNS)
            row("baseline: 50 PDFs merged with pypdf", t, r, base)
            raise Rollback
    except Rollback:
        pass
    finally:
        if str(media).startswith(tempfile.gettempdir()):
            shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
