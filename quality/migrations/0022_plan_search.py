"""Plans are searched through a gram index, as customers and objections are."""

import archive_site.search
import django.contrib.postgres.indexes
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0014_demand_and_document_search'),
        ('quality', '0021_judgement_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='processplan',
            index=django.contrib.postgres.indexes.GinIndex(archive_site.search.Grams('code', 'name'), name='quality_plan_search'),
        ),
    ]
