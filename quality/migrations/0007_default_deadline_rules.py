"""The default deadline rules, one per severity, in calendar days after receipt.

What the mill's automotive customers commonly ask: the graver the defect, the sooner the
answer, the containment and the 8D report. Administrators change them on the rules page.
"""

from django.db import migrations

# severity: (first response, containment, cause, 8D closure)
DEFAULTS = {
    1: (2, 3, 14, 30),  # 轻微
    2: (1, 2, 10, 21),  # 一般
    3: (1, 1, 7, 14),  # 严重
    4: (0, 1, 3, 10),  # 重大: answered the same day
}


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("quality", "DeadlineRule")
    for severity, (response, containment, cause, closure) in DEFAULTS.items():
        DeadlineRule.objects.get_or_create(
            severity=severity,
            customer=None,
            defaults={
                "response_days": response,
                "containment_days": containment,
                "cause_days": cause,
                "closure_days": closure,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("quality", "DeadlineRule").objects.filter(customer=None).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0006_deadlines_and_assignments")]

    operations = [migrations.RunPython(seed, unseed)]
