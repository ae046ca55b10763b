from django.db import migrations

from archive_site.dictionaries.seed import seed_dictionaries
from archive_site.accounts.roles import create_roles


def forwards(apps, schema_editor):
    seed_dictionaries(apps)
    create_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("archive_site", "0002_archive_grams"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
