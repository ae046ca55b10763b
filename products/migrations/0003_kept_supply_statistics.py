from django.db import migrations

from archive_site.kept import watch


class Migration(migrations.Migration):
    """The supply statistics of the whole mill are kept until a table they read is written."""

    dependencies = [
        ("archive_site", "0012_kept_results"),
        ("customers", "0013_demand_list_order"),
        ("orders", "0002_history_statement_triggers"),
        ("products", "0002_history_statement_triggers"),
    ]

    operations = [
        migrations.RunSQL(
            *watch(
                "supply_statistics",
                "products_part",
                "customers_customer",
                "customers_demand",
                "archive_site_dictentry",
                "orders_order",
                "orders_delivery",
            )
        )
    ]
