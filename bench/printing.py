"""Printing: the layout of a rich technical sheet, printing it again, and a 50-part batch.

    make bench BENCH=printing          (or: python -m bench.printing with DATABASE_URL set)
    BENCH_PROFILE=1 make bench BENCH=printing   adds where one sheet's layout time goes

Builds a rich customer in the bench database inside a transaction that is
rolled back at the end (photos and kept documents go to a temporary
MEDIA_ROOT): 40 composition rows, 5 properties, an approved plan with 10
parameters, 30 objections, and 50 parts with three 2400×1800 photos each.
Single-sheet figures are the median of BENCH_RUNS runs (default 5) after one
warm-up, a baseline and the app taking turns; batch figures are the median of
BENCH_BATCH_RUNS runs (default 3). Garbage is collected before every run.
BENCH_SINGLE=1 measures the single sheet only (no batch, no writing section).
Every baseline is measured in the same run:

- layout: the sheet as today's code lays it out — the frozen templates and
  stylesheet of bench/printing_baseline/ (the sheet before its layout was
  made lighter), stock WeasyPrint — against the app's template and layout;
- printing a sheet: with nothing kept, then again unchanged (the goal: under
  100 ms), and again by another user (a new stamp to lay out); against the
  code path before documents were kept (lay out and write on every print),
  and printing again unchanged against the path that found the kept sheet by
  its HTML (the sheet's records read and its template rendered on every
  print) and copied its pages into a new PDF to stamp them, instead of
  finding it by the rows it prints and appending the stamp to it;
- a batch of 50 rich sheets: as today's request made it (today's template,
  each sheet laid out in turn in one process, one PDF written) against the
  worker's task (`print_batch`) with nothing kept, on one process and on all
  the machine's cores, and with the documents kept;
- writing: WeasyPrint forced onto fontTools subsetting (a machine without
  libharfbuzz-subset), and the original photos embedded (no print copies).

CPU seconds (of the process and of the layout processes it forked) are
printed beside wall seconds: on a shared machine the CPU time is the steadier
measure of work, and the wall time of several processes depends on how many
cores the other users leave free; the load average is printed at the start
and the end.
"""

import cProfile
import gc
import io
import os
import pstats
import resource
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings_test")  # temp MEDIA_ROOT
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
import weasyprint.pdf.fonts as weasy_fonts  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from PIL import Image  # noqa: E402
from pypdf import PdfReader  # noqa: E402

import printing.documents as documents  # noqa: E402
from archive_site.accounts import roles  # noqa: E402
from archive_site.models import DictEntry, DictKind  # noqa: E402
from archive_site.photos import process_upload, save_photos  # noqa: E402
from bench.common import compared  # noqa: E402
from printing import kept, parallel, stamp  # noqa: E402
from printing.models import PrintJob  # noqa: E402
from printing.pdf import BASE_URL, PrintFetcher, render_html  # noqa: E402
from printing.tasks import print_batch  # noqa: E402
from products.models import Part, PartPhoto  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 5))
BATCH_RUNS = int(os.environ.get("BENCH_BATCH_RUNS", 3))
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
SINGLE = os.environ.get("BENCH_SINGLE", "") not in ("", "0")
PARTS = 50
SHEET = documents.SHEET_TEMPLATE
BASELINE = Engine(
    dirs=[str(Path(__file__).resolve().parent / "printing_baseline")],
    libraries={
        "i18n": "django.templatetags.i18n",
        "static": "django.templatetags.static",
        "printing": "bench.printing_baseline.tags",
    },
)


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
    """The rich customer, its 50 parts (3 photos each), a one-page part, and two users who print."""
    from tests import factories as f

    user = f.make_user("bench-printer", roles.ENGINEER, name="李工")
    other = f.make_user("bench-printer-2", roles.ENGINEER, name="王工")
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
            tonnage=Decimal("12.5"),
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
    return user, other, parts, one_pager


def sheets_of(user, parts):
    return documents.technical_sheets(
        documents.parts_for_print(user).filter(pk__in=[p.pk for p in parts]), for_pdf=True
    )


def baseline_html(sheet, user):
    """The sheet's HTML from today's frozen templates (their stylesheet inlined)."""
    context = Context({**documents.print_context([sheet], user), "for_pdf": True})
    return BASELINE.get_template("printing/technical_sheet.html").render(context)


def baseline_layout(html, media_names):
    """Today's layout: stock WeasyPrint, a fresh font configuration and stylesheet parse per document."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=PrintFetcher(media_names)).render()


def app_layout(html, media_names):
    return render_html(html, media_names=media_names)[0]


def measure(fn, runs, warm=True):
    """(median wall s, median CPU s, last result); one unmeasured warm-up run first.

    The garbage of earlier runs is collected before each run, so no run pays for another's.
    """
    if warm:
        fn()
    walls, cpus, result = [], [], None
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def cpu_seconds():
    """CPU seconds of this process and of the processes it forked that have ended (the layout pool's)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def paired(fns, runs):
    """`measure` for several functions in turns (a, b, a, b …), so a change in the machine's load
    falls on all of them alike. Returns one (wall, CPU, last result) per function."""
    for fn in fns:
        fn()
    walls, cpus, results = [[] for _ in fns], [[] for _ in fns], [None] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            results[i] = fn()
            walls[i].append(time.perf_counter() - wall)
            cpus[i].append(time.process_time() - cpu)
    medians = zip(map(statistics.median, walls), map(statistics.median, cpus), results, strict=True)
    return list(medians)


def row(label, wall, cpu, detail="", base=None):
    ratio = compared(base, wall) if base else ""
    print(f"  {label:<58} {wall:8.3f} s {cpu:8.3f} s cpu  {detail:<22} {ratio}", flush=True)


def forget_kept():
    shutil.rmtree(Path(settings.MEDIA_ROOT) / kept.FOLDER, ignore_errors=True)


@contextmanager
def fonttools_subsetting():
    saved = weasy_fonts.harfbuzz_subset
    weasy_fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        weasy_fonts.harfbuzz_subset = saved


PHASES = [
    ("parse HTML", "tinyhtml5/parser.py", "parse"),
    ("style (cascade, computed styles)", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("boxes", "weasyprint/formatting_structure/build.py", "build_formatting_structure"),
    ("layout: all pages", "weasyprint/layout/__init__.py", "layout_document"),
    ("  of which tables", "weasyprint/layout/table.py", "table_layout"),
    ("  of which text lines", "weasyprint/text/line_break.py", "split_first_line"),
    ("  of which margin boxes", "weasyprint/layout/page.py", "make_margin_boxes"),
]


def profile(label, fn, runs=3):
    """Where one sheet's layout time goes: cumulative seconds per phase, per layout."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(t for (_f, _l, _n), (_cc, _nc, t, _ct, _c) in stats.items()) / runs
    print(f"  {label}: {total:.3f} s per layout under the profiler")
    for phase, path, name in PHASES:
        seconds = sum(
            ct for (f, _l, n), (_cc, _nc, _t, ct, _c) in stats.items() if n == name and f.endswith(path)
        )
        print(f"    {phase:<36} {seconds / runs:7.3f} s  {100 * seconds / runs / total:5.1f} %")


def batch(user, parts, processes):
    """The worker's task for a job of `parts`, as `manage.py db_worker` runs it."""
    settings.PRINT_PROCESSES = processes
    job = PrintJob.objects.create(
        user=user, label="bench", part_ids=[p.pk for p in parts], language="zh-hans", total=len(parts)
    )
    print_batch.call(job.pk)
    job.refresh_from_db()
    assert job.status == PrintJob.Status.DONE, job.message
    return job


def main():
    media = settings.MEDIA_ROOT
    subsetter = "HarfBuzz" if weasy_fonts.harfbuzz_subset else "fontTools"
    cores = parallel.processes()
    print(f"WeasyPrint {weasyprint.__version__}, subsetting with {subsetter}, {cores} cores", flush=True)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    try:
        with transaction.atomic():
            user, other, parts, one_pager = build()
            sheet = sheets_of(user, parts[:1])[0]
            names = sheet.media_names
            new_html = documents.sheet_html(SHEET, sheet)
            old_html = baseline_html(sheet, user)

            print(f"\nLayout of one rich sheet: 3 photos, 40 element rows, 30 objections (median of {RUNS})")
            (base, base_cpu, doc), (t, cpu, new_doc) = paired(
                [lambda: baseline_layout(old_html, names), lambda: app_layout(new_html, names)], RUNS
            )
            row("baseline: today's template, stock WeasyPrint", base, base_cpu, f"{len(doc.pages)} pp")
            row("app: lighter template and layout", t, cpu, f"{len(new_doc.pages)} pp", base)
            print(f"  {'layout CPU, baseline ÷ app':<58} {base_cpu / cpu:8.2f}×")
            one = sheets_of(user, [one_pager])[0]
            old_one, new_one = baseline_html(one, user), documents.sheet_html(SHEET, one)
            (b1, b1_cpu, doc), (t, cpu, new_doc) = paired(
                [lambda: baseline_layout(old_one, ()), lambda: app_layout(new_one, ())], RUNS
            )
            row("one-page sheet, baseline", b1, b1_cpu, f"{len(doc.pages)} pp")
            row("one-page sheet, app", t, cpu, f"{len(new_doc.pages)} pp", b1)
            if PROFILE:
                print("\nProfile of the rich sheet's layout (cProfile, cumulative per phase)")
                profile("before (baseline)", lambda: baseline_layout(old_html, names))
                profile("after (app)", lambda: app_layout(new_html, names))

            print(f"\nPrinting the rich sheet, what the view does (median of {RUNS})")

            def print_sheet(by):  # what the view does: the part, then its kept sheet by its rows
                part = Part.objects.visible_to(by).select_related("customer").get(pk=parts[0].pk)
                return documents.print_technical_sheets([part], by)

            def print_by_html(by):  # before: the sheet read and rendered, its kept PDF found by the
                # HTML, its pages copied into a new PDF with the stamp drawn over them (pypdf)
                sheets = sheets_of(by, parts[:1])
                bodies = kept.kept_pdfs([(documents.sheet_html(SHEET, s), s.media_names) for s in sheets])
                return stamp.copied_with_stamp(bodies, stamp.stamp_pdf(by))

            def old_print():  # before: lay out and write every print, today's template
                s = sheets_of(user, parts[:1])[0]
                return baseline_layout(baseline_html(s, user), s.media_names).write_pdf()

            base, base_cpu, _pdf = measure(old_print, RUNS)
            row("baseline: lay out and write every print (today)", base, base_cpu)

            def first_print():
                forget_kept()
                return print_sheet(user)

            t, cpu, (pdf, pages) = measure(first_print, RUNS)
            detail = f"{sum(pages)} pp {len(pdf) >> 10} KiB"
            row("app: nothing kept (layout, write, keep, stamp)", t, cpu, detail, base)
            print_sheet(user)
            print_by_html(user)
            (by_html, by_html_cpu, _r), (t, cpu, _r) = paired(
                [lambda: print_by_html(user), lambda: print_sheet(user)], RUNS
            )
            row("baseline: printed again, kept sheet found by its HTML", by_html, by_html_cpu, "", base)
            row("app: printed again, unchanged (goal < 0.1 s)", t, cpu, "kept by its rows", base)
            print(f"  {'printed again, CPU: found by HTML ÷ by rows':<58} {by_html_cpu / cpu:8.2f}×")
            stamps = iter(f"bench-stamp-{i}" for i in range(RUNS + 1))

            def by_someone_else():
                other.name = next(stamps)  # a name not stamped yet: a new stamp is laid out
                return print_sheet(other)

            t, cpu, _r = measure(by_someone_else, RUNS)
            row("app: printed again by another user (new stamp)", t, cpu, "kept sheet", base)

            if SINGLE:
                raise Rollback
            print(f"\nBatch: {PARTS} rich sheets in one PDF, the worker's task (median of {BATCH_RUNS})")

            sheets_of(user, parts)  # every photo's print copy made once, as for the single sheet

            def today():  # the batch as the request made it: each sheet laid out in turn, one PDF written
                docs = [
                    baseline_layout(baseline_html(s, user), s.media_names) for s in sheets_of(user, parts)
                ]
                pages = [page for doc in docs for page in doc.pages]
                return docs[0].copy(pages).write_pdf(), len(pages)

            def cold(processes):
                forget_kept()
                return batch(user, parts, processes)

            base, base_cpu, (_pdf, pages) = measure(today, BATCH_RUNS, warm=False)
            row("baseline: today, one sheet after another in one process", base, base_cpu, f"{pages} pp")
            t, cpu, job = measure(lambda: cold(1), BATCH_RUNS, warm=False)
            row("app: nothing kept, one process", t, cpu, f"{job.pages} pp", base)
            t, cpu, job = measure(lambda: cold(cores), BATCH_RUNS, warm=False)
            row(f"app: nothing kept, {cores} processes (goal ≥ 2× faster)", t, cpu, f"{job.pages} pp", base)
            t, cpu, job = measure(lambda: batch(user, parts, cores), BATCH_RUNS, warm=False)
            row("app: documents kept (goal < 5 s)", t, cpu, f"{job.pages} pp", base)
            pages = len(PdfReader(job.file.open("rb")).pages)
            print(f"  {'the batch PDF':<58} {pages} pages, {job.file.size / 2**20:.1f} MiB")
            print("  (CPU: of this process and of the layout processes it forked)")

            print(f"\nWriting one rich sheet, layout and write, nothing kept (median of {RUNS})")
            base, base_cpu, pdf = measure(lambda: kept.render(new_html, names), RUNS)
            row("app: HarfBuzz subset, print copies of the photos", base, base_cpu, f"{len(pdf) >> 10} KiB")
            with fonttools_subsetting():
                t, cpu, pdf = measure(lambda: kept.render(new_html, names), RUNS)
            row("baseline: fontTools subset (no libharfbuzz-subset)", t, cpu, f"{len(pdf) >> 10} KiB", base)
            originals = [p.image.name for p in parts[0].photos.all()]
            original_html = new_html
            for copy, original in zip(names, originals, strict=True):
                original_html = original_html.replace(copy, original)
            t, cpu, pdf = measure(lambda: kept.render(original_html, originals), RUNS)
            row("baseline: original photos embedded (no downscale)", t, cpu, f"{len(pdf) >> 10} KiB", base)
            raise Rollback
    except Rollback:
        pass
    finally:
        print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        if str(media).startswith(tempfile.gettempdir()):
            shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
