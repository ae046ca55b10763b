"""Parts are searched through a gram index, as customers and objections are: the header search
counted a term absent from a million parts by reading every one of them."""

import archive_site.search
import django.contrib.postgres.indexes
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('archive_site', '0012_kept_results'),
        ('customers', '0014_demand_and_document_search'),
        ('products', '0003_kept_supply_statistics'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='part',
            index=django.contrib.postgres.indexes.GinIndex(archive_site.search.Grams('name', 'number'), name='products_part_search'),
        ),
    ]
