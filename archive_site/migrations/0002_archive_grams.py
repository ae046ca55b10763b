from django.db import migrations

from archive_site.search import CREATE_FUNCTION_SQL, DROP_FUNCTION_SQL


class Migration(migrations.Migration):
    dependencies = [("archive_site", "0001_initial")]

    operations = [migrations.RunSQL(CREATE_FUNCTION_SQL, DROP_FUNCTION_SQL)]
