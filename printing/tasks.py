"""Batch printing in the background: the technical sheets of many parts in one PDF.

Runs in the worker of the task queue (`manage.py db_worker`, django-tasks'
database backend on PostgreSQL), so a batch never holds a request open. The
sheets are laid out on every core the worker may use (printing.parallel);
kept ones are reused (printing.kept). Progress (sheets ready) is written to
the job as the work goes, in its own short transactions, so the job's page
can show it.
"""

import logging
from collections import Counter
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from printing import parallel
from printing.documents import batch_number, parts_for_print, print_technical_sheets
from printing.models import PrintJob, PrintLog
from printing.pdf import print_copy

logger = logging.getLogger(__name__)


@task()
def print_batch(job_id):
    """Lay out the job's sheets, store the PDF with the job, record the print in the log."""
    job = PrintJob.objects.select_related("user").get(pk=job_id)
    if job.status != PrintJob.Status.QUEUED:
        return job.status
    with translation.override(job.language), _failing_job(job):
        _set(job, status=PrintJob.Status.RUNNING, stage=_("准备照片"), done=0)
        parts = list(
            parts_for_print(job.user).filter(pk__in=job.part_ids).order_by("customer__code", "number", "pk")
        )
        if not parts:
            message = _("没有可打印的零件：零件已删除或您已无权查看。")
            _set(job, status=PrintJob.Status.FAILED, stage="", message=message)
            return job.status
        processes = parallel.processes()
        _print_copies(parts, processes)
        _set(job, stage=_("排版"), total=len(parts))
        pdf, pages = print_technical_sheets(
            parts,
            job.user,
            processes=processes,
            progress=lambda done, total: _set(job, done=done),
        )
        _set(job, stage=_("合并"))
        job.file.save(f"sheets-{job.pk}.pdf", ContentFile(pdf), save=False)
        with transaction.atomic():
            _record(job, parts, pages)
            _set(
                job,
                status=PrintJob.Status.DONE,
                stage="",
                file=job.file.name,
                pages=sum(pages),
                finished_at=timezone.now(),
            )
    return job.status


def _print_copies(parts, processes):
    """Downscale the photos the sheets need that have no print copy yet, on every core."""
    jobs = [
        (photo.image.storage, photo.image.name, photo.width, photo.height)
        for part in parts
        for photo in part.photos.all()
    ]
    for _done in parallel.run(print_copy, jobs, processes):
        pass


def _record(job, parts, pages):
    """One entry in the print log per customer: its sheets' pages, who printed them, now."""
    pages_of, count = Counter(), Counter()
    customers = {}
    for part, n in zip(parts, pages, strict=True):
        customers[part.customer.pk] = part.customer
        pages_of[part.customer.pk] += n
        count[part.customer.pk] += 1
    for pk, customer in customers.items():
        PrintLog.record(
            kind=PrintLog.Kind.TECHNICAL_SHEETS,
            customer=customer,
            obj=customer,
            document_number=batch_number(customer),
            revision=customer.version,
            pages=pages_of[pk],
            user=job.user,
            label=_("%(customer)s：%(n)s 个零件") % {"customer": customer.name, "n": count[pk]},
        )


@contextmanager
def _failing_job(job):
    """A bug must not leave the job "in progress" for ever: it fails, with a message, and is logged."""
    try:
        yield
    except Exception:
        logger.exception("print job %s failed", job.pk)
        message = _("打印时发生内部错误，没有生成 PDF。请联系管理员。")
        _set(job, status=PrintJob.Status.FAILED, stage="", message=message)
        raise


def _set(job, **values):
    """Save progress at once, visible to the job's page while the work goes on."""
    for name, value in values.items():
        setattr(job, name, value)
    with transaction.atomic():
        PrintJob.objects.filter(pk=job.pk).update(**values)
