"""Demands and documents are searched through a gram index, as customers and objections are: the
header search counted a term absent from 600 000 demands by reading every one of them."""

import archive_site.search
import django.contrib.postgres.indexes
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('archive_site', '0012_kept_results'),
        ('customers', '0013_demand_list_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='customerdocument',
            index=django.contrib.postgres.indexes.GinIndex(archive_site.search.Grams('title'), name='customers_document_search'),
        ),
        migrations.AddIndex(
            model_name='demand',
            index=django.contrib.postgres.indexes.GinIndex(archive_site.search.Grams('code', 'name', 'special_requirements'), name='customers_demand_search'),
        ),
    ]
