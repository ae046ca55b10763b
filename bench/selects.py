"""Drawing a select: the project's select.html (its options written by the `select_options`
tag) against the template before it (kept below: the options in a loop of the template
language), for dictionaries of a few, some and many entries.

    make bench BENCH=selects
    python -m bench.selects      # DATABASE_URL from the environment (the settings need one)

Each select is drawn 300 times each way, the two in turn; both must give the same HTML.
"""

import statistics
import time

from bench.common import compared, load, setup_django, table

# templates/django/forms/widgets/select.html before the options were written by a tag.
BEFORE = (
    '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
    "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
    '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
    "  <option value=\"{{ option.value|stringformat:'s' }}\"{% for name, value in option.attrs.items %}"
    "{% if value is not False %} {{ name }}{% if value is not True %}=\"{{ value|stringformat:'s' }}\""
    "{% endif %}{% endif %}{% endfor %}>{{ option.label }}</option>\n"
    "{% endfor %}{% if group_name %}\n"
    "  </optgroup>{% endif %}{% endfor %}\n"
    "</select>\n"
)
SIZES = (5, 14, 60, 300)
TIMES = 300


def main():
    setup_django()
    from django import forms
    from django.template import Context, engines

    engine = engines["django"].engine
    before, now = engine.from_string(BEFORE), engine.get_template("django/forms/widgets/select.html")
    print(f"drawing a select {TIMES} times each way; {load()}")
    rows = []
    for size in SIZES:
        choices = [("", "---------"), *((i, f"条目 {i} <{i}>") for i in range(1, size + 1))]
        context = forms.Select(choices=choices).get_context("f", 3, {"id": "id_f", "required": True})
        assert before.render(Context(context)) == now.render(Context(context))
        times = {"before": [], "now": []}
        for i in range(TIMES):
            for name, template in (
                (("before", before), ("now", now)) if i % 2 else (("now", now), ("before", before))
            ):
                started = time.perf_counter()
                template.render(Context(context))
                times[name].append((time.perf_counter() - started) * 1e6)
        b, n = statistics.median(times["before"]), statistics.median(times["now"])
        rows.append([f"{size} options", f"{b:.0f}", f"{n:.0f}", compared(b, n)])
    print(table(["select", "before µs", "now µs", "ratio"], rows))


if __name__ == "__main__":
    main()
