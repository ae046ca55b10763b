from django.db import migrations

from archive_site.lookups import scope_key_statistics


class Migration(migrations.Migration):
    # The customer key a user's scope is compared with keeps few most common values in the
    # statistics: planning its array's rows compared every id with each of them.

    dependencies = [
        ("printing", "0007_foreign_keys_indexed_by_longer_indexes"),
    ]

    operations = [
        scope_key_statistics("printing_printlog"),
    ]
