"""The customer archive page's printing section (registered in `PrintingConfig.ready`)."""

from customers.models import Demand
from printing.models import PRINT_PERMISSION, PrintLog
from products.models import Part

SECTION_SIZE = 30


def print_section(request, customer):
    """What may be printed for the customer, and its print log.

    Four queries whatever the number of parts, demands and prints.
    """
    user = request.user
    may_print = user.has_perm(PRINT_PERMISSION)
    may_read_log = user.has_perm("printing.view_printlog")
    if not (may_print or may_read_log):
        return None
    parts, demands, logs, log_count = [], [], [], 0
    if may_print:
        parts = list(Part.objects.visible_to(user).filter(customer=customer).only("pk", "number", "name"))
        demands = list(Demand.objects.visible_to(user).filter(customer=customer).only("pk", "name"))
    if may_read_log:
        scoped = PrintLog.objects.visible_to(user).filter(customer=customer)
        logs = list(scoped.select_related("printed_by")[:SECTION_SIZE])
        log_count = len(logs) if len(logs) < SECTION_SIZE else scoped.count()
    return {
        "customer": customer,
        "may_print": may_print,
        "may_read_log": may_read_log,
        "parts": parts,
        "demands": demands,
        "logs": logs,
        "log_count": log_count,
        "section_size": SECTION_SIZE,
    }
