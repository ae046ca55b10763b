from django.db import migrations

from archive_site.kept import watch


class Migration(migrations.Migration):
    """The objection statistics of the whole archive are kept until a table they read is written."""

    dependencies = [
        ("archive_site", "0012_kept_results"),
        ("customers", "0012_dashboard_indexes"),
        ("orders", "0002_history_statement_triggers"),
        ("quality", "0017_run_coil_index"),
    ]

    operations = [
        migrations.RunSQL(
            *watch(
                "objection_statistics",
                "quality_objection",
                "customers_demand",
                "orders_order",
                "orders_delivery",
                "archive_site_dictentry",
            )
        )
    ]
