"""The units and lines the dictionaries now keep, filled from the rows already in use: each
mechanical property takes the unit its demands' rows give it most often, each process parameter
the unit its plans' rows give it most often and every line it is set on in a plan, so no row
already kept goes against its dictionary entry."""

from collections import Counter, defaultdict

from django.db import migrations


def most_common_units(rows):
    """{entry id: its most common non-blank unit} from (entry id, unit) pairs; a tie goes to the
    unit first in sort order, so the same rows always give the same unit."""
    counts = defaultdict(Counter)
    for entry_id, unit in rows:
        unit = (unit or "").strip()
        if unit:
            counts[entry_id][unit] += 1
    return {
        entry_id: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for entry_id, counter in counts.items()
    }


def fill(apps, schema_editor):
    DictEntry = apps.get_model("archive_site", "DictEntry")
    DemandProperty = apps.get_model("customers", "DemandProperty")
    PlanParameter = apps.get_model("quality", "PlanParameter")
    units = most_common_units(DemandProperty.objects.values_list("property_id", "unit").iterator())
    units.update(most_common_units(PlanParameter.objects.values_list("parameter_id", "unit").iterator()))
    for entry_id, unit in units.items():
        DictEntry.objects.filter(pk=entry_id).update(unit=unit[:16])
    Lines = DictEntry.lines.through
    used = set(PlanParameter.objects.values_list("parameter_id", "line_id").distinct())
    held = set(Lines.objects.values_list("from_dictentry_id", "to_dictentry_id"))
    Lines.objects.bulk_create(
        Lines(from_dictentry_id=parameter, to_dictentry_id=line) for parameter, line in used - held
    )


class Migration(migrations.Migration):
    dependencies = [
        ("archive_site", "0010_dictionary_units_and_lines"),
        ("customers", "0007_follow"),
        ("quality", "0013_history_statement_triggers"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
