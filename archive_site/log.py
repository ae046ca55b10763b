"""What the log keeps of a request: one line for a refusal, a traceback only for a real error.

Django logs a refused request (403 permission denied, 400 bad request, a
suspicious operation) with the exception's traceback, and so it does the 503
of a database outage: hundreds of tracebacks in a short session, thousands
during a short outage. `OneLineForRefusals`, a filter on the handlers of
settings.LOGGING, drops the traceback of every record about a response below
500 and of a 503 for an unreachable database, so each says in one line what
was refused, where. Errors of the code (500) keep their traceback.
"""

import logging

from archive_site.errors import database_unavailable


class OneLineForRefusals(logging.Filter):
    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is None or not record.exc_info:
            return True
        exception = record.exc_info[1] if isinstance(record.exc_info, tuple) else record.exc_info
        if status < 500 or (status == 503 and database_unavailable(exception)):
            message = record.getMessage()
            cause = (str(exception).strip().splitlines() or [""])[0][:200]
            what = type(exception).__name__
            if cause and cause not in message:
                what = f"{what}: {cause}"
            record.msg = f"{message} ({what})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
