"""Writing a file's rows while the rest of the file is checked (`Importer.check_and_apply`).

Checking is Python's work and writing mostly the database's: one after the other, a 20 000-row
objection file was read and checked in 1.9 s and written in 2.7 s more (COPY with the gram index
1.4 s, the foreign keys checked at the commit 0.6 s). A `Writer` is a thread with a database
connection of its own: the rows the check passes are handed to it a batch at a time (BATCH), and
it writes them in one transaction while the check goes on, which the database serves from its
own process. The transaction is committed when the whole file has passed, and rolled back if any
row (or the file) is refused: all rows or none, as `Importer.apply`.

The checking thread keeps its own connection: the run's progress it writes is seen at once.
A resource's rows are written this way only where it says so (`writes_while_checked`): its
`before_save` works on any batch of the sheet, and its records name only records that exist
before the import, whose references are therefore checked with each batch (the foreign keys
IMMEDIATE) rather than all at the commit, after the last row is checked.
"""

import queue
import sys
import threading
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from archive_site.copy import CopyRows

BATCH = 2000  # new records handed over to be written at a time
# How long a thread holds the interpreter while the other waits for it, while the file is checked
# (Python's default 5 ms): the writing thread, back from the database, waited for the checking
# thread at each of its few steps a batch; with 1 ms a 20 000-row file was written 4 % sooner
# (3.55-3.65 s against 3.74-3.80, alternated).
SWITCH_INTERVAL = 0.001
STOP = object()


class Writer:
    """The writing thread of one `Importer.check_and_apply`, and what the checking thread tells it."""

    def __init__(self, importer, context=None):
        self.importer = importer
        self.context = context
        self.now = timezone.now()  # the moment the records' `auto_now` fields get, as `apply` gives one
        self.tasks = queue.SimpleQueue()
        self.batch = {}  # id(resource) -> new rows checked, not handed over yet
        self.sent = {}  # id(resource) -> the ids of its rows handed over
        self.refused = False  # a row or the file is refused: nothing more is written, all is rolled back
        self.error = None  # what writing raised, raised again by `finish`
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH_INTERVAL, self.switch_interval))
        self.thread.start()

    # In the checking thread --------------------------------------------------

    def refuse(self):
        """A row is refused: the file will be, nothing more is written, and what was is rolled back."""
        self.refused = True

    def add(self, resource, row):
        """A new record the check passed: written with the next batch."""
        if self.refused or self.error is not None:
            return
        batch = self.batch.setdefault(id(resource), [])
        batch.append(row)
        if len(batch) >= BATCH:
            self._hand_over(resource, batch)
            self.batch[id(resource)] = []

    def sheet_checked(self, result):
        """The whole sheet is checked (`engine.SheetResult`): the rest of it is written (its last new
        records, its updates, its resource's `after_save`) once the batches before are."""
        if result.errors or any(r.errors for r in result.rows):
            self.refuse()
        if self.refused or self.error is not None:
            return
        self.batch.pop(id(result.resource), None)  # left to `apply_sheet`
        written = frozenset(self.sent.pop(id(result.resource), ()))
        self.tasks.put(partial(self.importer.apply_sheet, result, self.now, written))

    def finish(self, result):
        """Wait for the writes; commit them if the whole file passed (`result.ok`) and return the
        counts, else roll them back and return None. Raises what writing raised (ImportConflict)."""
        if not result.ok:
            self.refuse()
        self._join()
        if self.error is not None:
            raise self.error
        return None if self.refused else result.counts()

    def abandon(self):
        """The check itself failed: roll back whatever was written."""
        self.refuse()
        self._join()

    def _join(self):
        sys.setswitchinterval(self.switch_interval)  # the check is over
        self.tasks.put(STOP)
        self.thread.join()

    def _hand_over(self, resource, rows):
        """A batch of new records, stamped and made into COPY's text here but for what the
        resource draws when they are written (`drawn_when_written`) and their keys: the writing
        thread, busy with the batch before, then has little more to do than send it."""
        self.sent.setdefault(id(resource), []).extend(map(id, rows))
        creates = [r.instance for r in rows]
        self.importer.stamp(creates)
        copy = CopyRows(resource.model, creates, late=resource.drawn_when_written)
        self.tasks.put(partial(self._write, resource, copy))

    # In the writing thread ---------------------------------------------------

    def _write(self, resource, copy):
        resource.before_save(copy.objs, [])
        copy.write()

    def _run(self):
        try:
            with self.importer.writing(self.context):
                self._check_references_with_each_batch()
                while (task := self.tasks.get()) is not STOP:
                    if not self.refused:
                        task()
                if self.refused:
                    transaction.set_rollback(True)
        except BaseException as e:  # noqa: BLE001 - raised again in the checking thread (`finish`)
            self.error = e
        finally:
            connection.close()

    def _check_references_with_each_batch(self):
        """The written models' foreign keys checked at the end of each statement (each batch)."""
        tables = [r.model._meta.db_table for r in self.importer.resources]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint "
                "WHERE contype = 'f' AND condeferrable AND conrelid = ANY(%s::regclass[])",
                [tables],
            )
            names = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
            if names:
                cursor.execute(f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE")
