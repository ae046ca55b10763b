"""Mechanical properties and process parameters know their unit, and process parameters
the production lines they are set on; the seed entries get theirs (the rows already in
use fill them in quality 0013)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from archive_site.dictionaries.seed import seed_units_and_lines


def seed(apps, schema_editor):
    seed_units_and_lines(apps.get_model("archive_site", "DictEntry"))


class Migration(migrations.Migration):

    dependencies = [
        ('archive_site', '0009_history_statement_triggers'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='dictentry',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='dictentry',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='dictentry',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='dictentry',
            name='lines',
            field=models.ManyToManyField(blank=True, help_text='工艺参数在哪些产线上设定；不选表示所有产线。', limit_choices_to={'kind': 'production_line'}, related_name='+', to='archive_site.dictentry', verbose_name='适用产线'),
        ),
        migrations.AddField(
            model_name='dictentry',
            name='unit',
            field=models.CharField(blank=True, help_text='例如 MPa、℃、%、m/min', max_length=16, verbose_name='单位'),
        ),
        migrations.AddField(
            model_name='dictentryevent',
            name='unit',
            field=models.CharField(blank=True, help_text='例如 MPa、℃、%、m/min', max_length=16, verbose_name='单位'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='dictentry',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "archive_site_dictentryevent" ("code", "id", "is_active", "kind", "name", "name_en", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sort_order", "unit", "version") VALUES (NEW."code", NEW."id", NEW."is_active", NEW."kind", NEW."name", NEW."name_en", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."sort_order", NEW."unit", NEW."version"); RETURN NULL;', hash='ae634cf6a91a76910e5fcf63bf2bc5295665a8e1', operation='INSERT', pgid='pgtrigger_insert_insert_210e7', table='archive_site_dictentry', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='dictentry',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "archive_site_dictentryevent" ("code", "id", "is_active", "kind", "name", "name_en", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sort_order", "unit", "version") VALUES (NEW."code", NEW."id", NEW."is_active", NEW."kind", NEW."name", NEW."name_en", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."sort_order", NEW."unit", NEW."version"); RETURN NULL;', hash='905fc026904328ba10a60d587477698c31d20ec2', operation='UPDATE', pgid='pgtrigger_update_update_15e6b', table='archive_site_dictentry', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='dictentry',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "archive_site_dictentryevent" ("code", "id", "is_active", "kind", "name", "name_en", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sort_order", "unit", "version") VALUES (OLD."code", OLD."id", OLD."is_active", OLD."kind", OLD."name", OLD."name_en", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."sort_order", OLD."unit", OLD."version"); RETURN NULL;', hash='e239c8569babe374092bba2313d97a6fab0a179e', operation='DELETE', pgid='pgtrigger_delete_delete_14e54', table='archive_site_dictentry', when='AFTER')),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
]
