"""Python's garbage collector in a process that serves requests.

A page makes tens of thousands of container objects (template contexts, model
instances, form widgets) and frees almost all of them by reference counting
when the response is sent. With Python's default thresholds (700, 10, 10) the
collector still runs its youngest generation three or four times a page, and
every few hundred pages a full collection that walks every object the process
holds — Django, the apps, their modules and templates: 100–180 ms at once
(bench/collector.py), a page's whole budget three times over, landing on
whichever request happens to be running.

`settle()`, called once the application is loaded (archive_site/wsgi.py), moves
what start-up made into the permanent generation (`gc.freeze()`), which no
collection walks again, and lets the youngest generation grow to `YOUNG`
objects before it is collected. What a request leaves behind in cycles is still
collected; only the start-up objects are spared, and they live as long as the
process anyway.
"""

import gc

# Objects allocated (less those freed) before the youngest generation is collected; Python's
# default is 700. 5 000 measured best of 700, 5 000 and 20 000: the collector's share of a page
# 1.9 → 0.7 ms on average, its longest pause 117 → 9 ms; at 20 000 the collections grew
# fewer but longer (pauses up to 14 ms).
YOUNG = 5000


def settle():
    """Freeze the objects the process has made so far and raise the youngest threshold."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
