"""The background work of an import: the check (preview) and the apply.

Both run in the worker (`manage.py db_worker`, django-tasks' database backend
on PostgreSQL), so a file of tens of thousands of rows never holds a request
open. Progress (rows processed) is written to the run as the work goes, in
its own short transactions, so the run's page can show it.
"""

import logging
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from imports import files
from imports.engine import ERROR, NEW, UNCHANGED, UPDATE, ImportConflict, Importer, show
from imports.models import ImportRun
from imports.modules import get_module

logger = logging.getLogger(__name__)

MAX_ERRORS = 1000  # errors kept with the run (the count is always exact)
PREVIEW_ROWS = 500  # rows per sheet kept for the preview table, changed ones first


@task()
def check_import(run_id):
    """Read and check the run's file; the run becomes "待确认" or "有错误"."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status not in (ImportRun.Status.QUEUED, ImportRun.Status.CHECKING):
        return run.status
    _set(run, status=ImportRun.Status.CHECKING, stage=_("读取文件"), processed_rows=0)
    with translation.override("zh-hans"), _failing_run(run):
        result, _counts = _check(run)
        if result is None:
            return run.status
        counts = result.counts()
        _set(
            run,
            status=ImportRun.Status.CHECKED if result.ok else ImportRun.Status.INVALID,
            stage="",
            preview=_preview(result),
            errors=[e.as_dict() for e in result.errors[:MAX_ERRORS]],
            error_count=len(result.errors),
            created_count=counts[NEW],
            updated_count=counts[UPDATE],
            unchanged_count=counts[UNCHANGED],
            processed_rows=run.total_rows,
            checked_at=timezone.now(),
        )
    return run.status


@task()
def apply_import(run_id):
    """Check the file again and write all its rows in one transaction, or none."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.APPLYING:
        return run.status
    with translation.override("zh-hans"), _failing_run(run):
        _set(run, stage=_("再次检查"), processed_rows=0)
        try:
            result, counts = _check(run, write={"url": run.get_absolute_url()})
        except ImportConflict as e:
            _set(run, status=ImportRun.Status.FAILED, stage="", message=str(e))
            return run.status
        if result is None:
            return run.status
        if not result.ok:
            _set(
                run,
                status=ImportRun.Status.INVALID,
                stage="",
                message=_("检查通过之后数据有了变化，再次检查时发现错误，未导入任何数据。"),
                errors=[e.as_dict() for e in result.errors[:MAX_ERRORS]],
                error_count=len(result.errors),
                preview=_preview(result),
            )
            return run.status
        _set(
            run,
            status=ImportRun.Status.DONE,
            stage="",
            created_count=counts[NEW],
            updated_count=counts[UPDATE],
            unchanged_count=counts[UNCHANGED],
            error_count=0,
            processed_rows=run.total_rows,
            applied_at=timezone.now(),
            preview=_preview(result),
        )
    return run.status


def _check(run, write=None):
    """(result, counts): the run's file checked, and with `write` (the history context)
    written (`Importer.check_and_apply`: as it is checked, where it can be), counts None when
    nothing was written. No result (and the run failed) if the file is refused."""

    def progress(stage, done, total):
        _set(run, stage=stage, processed_rows=done, total_rows=total)

    importer = Importer(get_module(run.module), run.user, progress=progress)
    try:
        with run.file.open("rb") as f:
            sheets = files.read(f, run.file_name)
    except files.FileRefused as e:
        _set(run, status=ImportRun.Status.FAILED, stage="", message=e.message)
        return None, None
    run.total_rows = sum(len(s.rows) for s in sheets)
    _set(run, stage=_("检查数据"), total_rows=run.total_rows)
    if write is None:
        return importer.check(sheets), None
    return importer.check_and_apply(sheets, context=write)


@contextmanager
def _failing_run(run):
    """A bug must not leave the run "in progress" for ever: it fails, with a message, and is logged."""
    try:
        yield
    except Exception:
        logger.exception("import run %s failed", run.pk)
        _set(
            run,
            status=ImportRun.Status.FAILED,
            stage="",
            message=_("导入时发生内部错误，未导入任何数据。请联系管理员。"),
        )
        raise


def _set(run, **values):
    """Save progress at once, visible to the run's page while the work goes on."""
    for name, value in values.items():
        setattr(run, name, value)
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(**values)


def _preview(result):
    sheets = []
    for sheet in result.sheets:
        order = {ERROR: 0, NEW: 2, UPDATE: 2, UNCHANGED: 3}  # rows with warnings: 1
        rows = sorted(sheet.rows, key=lambda r: (min(order[r.status], 1 if r.warnings else 3), r.number))
        rows = rows[:PREVIEW_ROWS]
        rows.sort(key=lambda r: r.number)
        sheets.append(
            {
                "name": sheet.name,
                "title": sheet.title,
                "header_row": sheet.header_row,
                "headers": sheet.headers,
                "ignored": sheet.ignored,
                "notes": sheet.notes,
                "counts": {s: sheet.count(s) for s in (NEW, UPDATE, UNCHANGED, ERROR)},
                "warned": sum(1 for r in sheet.rows if r.warnings),
                "shown": len(rows),
                "total": len(sheet.rows),
                "rows": [
                    {
                        "row": r.number,
                        "status": r.status,
                        "label": sheet.resource.label(r.instance) if r.instance is not None else "",
                        "changes": r.changes,
                        "values": _values_read(sheet.resource, r),
                        "warnings": r.warnings,
                    }
                    for r in rows
                ],
            }
        )
    return {"sheets": sheets, "notes": result.notes}


def _values_read(resource, row):
    """A new row's values as they will be written, and an erroneous row's as they were read:
    staff see what lands before they confirm (an update shows its changes instead)."""
    if row.status == NEW and row.instance is not None:
        values = {name: resource.fields[name].get_value(row.instance) for name in row.cleaned}
    elif row.status == ERROR:
        values = {name: value for name, value in row.cleaned.items() if name not in row.failed}
    else:
        return []
    shown = [(resource.column_of(name), show(value)) for name, value in values.items()]
    return [(column, text) for column, text in shown if text != ""]
