"""The objection search covers solution and preventive measures too (the header search finds
an objection by any of its four texts, and the list it links to must show the same rows)."""

import archive_site.search
import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("quality", "0008_dashboard_indexes")]

    operations = [
        migrations.RemoveIndex(
            model_name='objection',
            name='quality_objection_search',
        ),
        migrations.AddIndex(
            model_name='objection',
            index=django.contrib.postgres.indexes.GinIndex(archive_site.search.Grams('description', 'cause', 'solution', 'preventive'), name='quality_objection_search'),
        ),
    ]
