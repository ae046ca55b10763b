from django.db import migrations

from archive_site.lookups import scope_key_statistics


class Migration(migrations.Migration):
    # The customer key a user's scope is compared with keeps few most common values in the
    # statistics: planning its array's rows compared every id with each of them.

    dependencies = [
        ("quality", "0027_plan_list_order_indexed"),
    ]

    operations = [
        scope_key_statistics(
            "quality_deadlinerule",
            "quality_decision",
            "quality_objection",
            "quality_alert",
            "quality_processplan",
        ),
    ]
