"""Print work on every core: laying out sheets and downscaling photos in forked processes.

WeasyPrint lays a document out in one thread, so a batch of fifty sheets
uses one core unless the sheets go to several processes. The worker of the
task queue forks them (they inherit Django's settings and loaded code, so
they start at once) and hands each a document to lay out or a photo to
downscale; what they make goes to storage and back to the parent. They
touch no database.
"""

import multiprocessing
import multiprocessing.util
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.conf import settings
from django.db import connections

from printing.pdf import drop_layout_setup, forget_layout_setup


def processes():
    """How many processes print work may use: PRINT_PROCESSES, else the CPUs this process may run on."""
    return getattr(settings, "PRINT_PROCESSES", None) or len(os.sched_getaffinity(0))


def run(function, jobs, processes=1):
    """(index, result) of `function(*job)` for each of `jobs`, as each is done: here when there is
    one job or one process, else in a pool of up to `processes` forked processes."""
    if processes <= 1 or len(jobs) <= 1:
        for i, job in enumerate(jobs):
            yield i, function(*job)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(processes, len(jobs)), mp_context=context, initializer=_forked) as pool:
        futures = {pool.submit(function, *job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            yield futures[future], future.result()


_inherited = []  # the parent's database connections: never used nor closed in a child


def _forked():
    """Set up a forked process for print work.

    The parent's database connections share their sockets with the child:
    closing one here would end the parent's session. They are set aside,
    kept referenced so they are never finalized, and Django forgets them.
    Ctrl-C is for the parent (the worker finishes its task); SIGTERM ends
    the child. WeasyPrint's font setup is made anew in this process.
    """
    for connection in connections.all(initialized_only=True):
        _inherited.append(connection.connection)
        connection.connection = None
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    forget_layout_setup()
    # A pool process ends with os._exit: finalize its own font setup (its folder of font files) first.
    multiprocessing.util.Finalize(None, drop_layout_setup, exitpriority=10)
