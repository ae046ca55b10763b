from django.db import migrations

from archive_site.kept import watch


class Migration(migrations.Migration):
    """The work statistics of the whole archive are kept until a table they read is written."""

    dependencies = [
        ("quality", "0019_judgement_by_customer_index"),
    ]

    operations = [
        migrations.RunSQL(
            *watch(
                "work_statistics",
                "quality_objection",
                "quality_objectiontransition",
                "quality_deadlinerule",
                "archive_site_dictentry",
            )
        )
    ]
