"""Demands get a code (XQ100001 …): the key their import sheets, composition
and property rows and parts refer to. Existing demands are numbered by the
same sequence that numbers new ones."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from archive_site.numbering import numbering_sql


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_export_contacts_permission"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="demand",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="demand",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="demand",
            name="delete_delete",
        ),
        # Existing demands are numbered in the order they were made, then new
        # ones by the function, which skips codes an import has already taken.
        migrations.RunSQL(
            *numbering_sql("customers_demand", "code", "customers_demand_next_code", "XQ", 100001)
        ),
        migrations.AddField(
            model_name="demand",
            name="code",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunSQL(
            """
            UPDATE customers_demand SET code = numbered.code FROM (
                SELECT id, 'XQ' || nextval('customers_demand_code_seq') AS code
                FROM (SELECT id FROM customers_demand ORDER BY id) AS ordered
            ) AS numbered WHERE customers_demand.id = numbered.id
            """,
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="demand",
            name="code",
            field=models.CharField(
                db_default=models.Func(
                    function="customers_demand_next_code", output_field=models.CharField()
                ),
                editable=False,
                help_text="新建时自动编号，例如 XQ100001；导入时可以填写自己的编号",
                max_length=32,
                unique=True,
                verbose_name="需求编号",
            ),
        ),
        migrations.AddField(
            model_name="demandevent",
            name="code",
            field=models.CharField(
                default="",
                editable=False,
                help_text="新建时自动编号，例如 XQ100001；导入时可以填写自己的编号",
                max_length=32,
                verbose_name="需求编号",
            ),
            preserve_default=False,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="demand",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "customers_demandevent" ("annual_volume", "code", "cold_forming_id", "created_at", "created_by_id", "customer_id", "delivery_grade_id", "edge_condition_id", "end_use_id", "forming_difficulty_id", "id", "length", "length_tol_minus", "length_tol_plus", "name", "oil_max", "oil_min", "oil_type_id", "packaging_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "production_grade_id", "ra_max", "ra_min", "roughness_id", "source", "special_requirements", "standard", "surface_quality_id", "surface_structure_id", "thickness", "thickness_tol_minus", "thickness_tol_plus", "updated_at", "updated_by_id", "usage_location_id", "version", "welding_id", "width", "width_tol_minus", "width_tol_plus") VALUES (NEW."annual_volume", NEW."code", NEW."cold_forming_id", NEW."created_at", NEW."created_by_id", NEW."customer_id", NEW."delivery_grade_id", NEW."edge_condition_id", NEW."end_use_id", NEW."forming_difficulty_id", NEW."id", NEW."length", NEW."length_tol_minus", NEW."length_tol_plus", NEW."name", NEW."oil_max", NEW."oil_min", NEW."oil_type_id", NEW."packaging_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."production_grade_id", NEW."ra_max", NEW."ra_min", NEW."roughness_id", NEW."source", NEW."special_requirements", NEW."standard", NEW."surface_quality_id", NEW."surface_structure_id", NEW."thickness", NEW."thickness_tol_minus", NEW."thickness_tol_plus", NEW."updated_at", NEW."updated_by_id", NEW."usage_location_id", NEW."version", NEW."welding_id", NEW."width", NEW."width_tol_minus", NEW."width_tol_plus"); RETURN NULL;',
                    hash="d63111e9bcda099974e192312cd69b9a688a6f80",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_3dac7",
                    table="customers_demand",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="demand",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "customers_demandevent" ("annual_volume", "code", "cold_forming_id", "created_at", "created_by_id", "customer_id", "delivery_grade_id", "edge_condition_id", "end_use_id", "forming_difficulty_id", "id", "length", "length_tol_minus", "length_tol_plus", "name", "oil_max", "oil_min", "oil_type_id", "packaging_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "production_grade_id", "ra_max", "ra_min", "roughness_id", "source", "special_requirements", "standard", "surface_quality_id", "surface_structure_id", "thickness", "thickness_tol_minus", "thickness_tol_plus", "updated_at", "updated_by_id", "usage_location_id", "version", "welding_id", "width", "width_tol_minus", "width_tol_plus") VALUES (NEW."annual_volume", NEW."code", NEW."cold_forming_id", NEW."created_at", NEW."created_by_id", NEW."customer_id", NEW."delivery_grade_id", NEW."edge_condition_id", NEW."end_use_id", NEW."forming_difficulty_id", NEW."id", NEW."length", NEW."length_tol_minus", NEW."length_tol_plus", NEW."name", NEW."oil_max", NEW."oil_min", NEW."oil_type_id", NEW."packaging_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."production_grade_id", NEW."ra_max", NEW."ra_min", NEW."roughness_id", NEW."source", NEW."special_requirements", NEW."standard", NEW."surface_quality_id", NEW."surface_structure_id", NEW."thickness", NEW."thickness_tol_minus", NEW."thickness_tol_plus", NEW."updated_at", NEW."updated_by_id", NEW."usage_location_id", NEW."version", NEW."welding_id", NEW."width", NEW."width_tol_minus", NEW."width_tol_plus"); RETURN NULL;',
                    hash="66425e2eaeb81efc8b7906ffdbd462dd1c82a562",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_16593",
                    table="customers_demand",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="demand",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "customers_demandevent" ("annual_volume", "code", "cold_forming_id", "created_at", "created_by_id", "customer_id", "delivery_grade_id", "edge_condition_id", "end_use_id", "forming_difficulty_id", "id", "length", "length_tol_minus", "length_tol_plus", "name", "oil_max", "oil_min", "oil_type_id", "packaging_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "production_grade_id", "ra_max", "ra_min", "roughness_id", "source", "special_requirements", "standard", "surface_quality_id", "surface_structure_id", "thickness", "thickness_tol_minus", "thickness_tol_plus", "updated_at", "updated_by_id", "usage_location_id", "version", "welding_id", "width", "width_tol_minus", "width_tol_plus") VALUES (OLD."annual_volume", OLD."code", OLD."cold_forming_id", OLD."created_at", OLD."created_by_id", OLD."customer_id", OLD."delivery_grade_id", OLD."edge_condition_id", OLD."end_use_id", OLD."forming_difficulty_id", OLD."id", OLD."length", OLD."length_tol_minus", OLD."length_tol_plus", OLD."name", OLD."oil_max", OLD."oil_min", OLD."oil_type_id", OLD."packaging_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."production_grade_id", OLD."ra_max", OLD."ra_min", OLD."roughness_id", OLD."source", OLD."special_requirements", OLD."standard", OLD."surface_quality_id", OLD."surface_structure_id", OLD."thickness", OLD."thickness_tol_minus", OLD."thickness_tol_plus", OLD."updated_at", OLD."updated_by_id", OLD."usage_location_id", OLD."version", OLD."welding_id", OLD."width", OLD."width_tol_minus", OLD."width_tol_plus"); RETURN NULL;',
                    hash="e5dcc4e49587c1dbb88678e10fadeab6bf58f320",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_68944",
                    table="customers_demand",
                    when="AFTER",
                ),
            ),
        ),
    ]
