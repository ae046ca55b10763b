"""archive_gram_codes: archive_grams' keys as numbers, for gram indexes GIN fills twice as fast.

The apps' gram indexes move to it in their own migrations (archive_site.search).
"""

from django.db import migrations

from archive_site.search import CREATE_CODES_FUNCTION_SQL, DROP_CODES_FUNCTION_SQL


class Migration(migrations.Migration):
    dependencies = [("archive_site", "0015_foreign_keys_indexed_by_longer_indexes")]

    operations = [migrations.RunSQL(CREATE_CODES_FUNCTION_SQL, DROP_CODES_FUNCTION_SQL)]
