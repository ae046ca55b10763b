"""Quality staff print: the 8D reports of the objections they handle need `printing.print_documents`.

The built-in role gets it here, added to what the administrators have set for it
(`archive_site.accounts.roles.grant`); a database where the role was removed is left as it is.
"""

from django.db import migrations

from archive_site.accounts.roles import QUALITY, grant


def forwards(apps, schema_editor):
    grant(apps, QUALITY, ["printing.print_documents"])


class Migration(migrations.Migration):
    dependencies = [
        ("printing", "0003_eight_d_report"),
        ("archive_site", "0003_roles_and_dictionaries"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
