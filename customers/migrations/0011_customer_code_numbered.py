"""A customer saved without a code is numbered C100001, C100002, … by the database, the way
demands are (0004); a code typed by hand is kept."""

from django.db import migrations, models

from archive_site.numbering import numbering_sql


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0010_group_share_statement_triggers'),
    ]

    operations = [
        migrations.RunSQL(
            *numbering_sql("customers_customer", "code", "customers_customer_next_code", "C", 100001)
        ),
        migrations.AlterField(
            model_name='customer',
            name='code',
            field=models.CharField(blank=True, db_default=models.Func(function='customers_customer_next_code', output_field=models.CharField()), help_text='留空则自动编号，例如 C100001；也可以填写自己的代码', max_length=32, unique=True, verbose_name='客户代码'),
        ),
        migrations.AlterField(
            model_name='customerevent',
            name='code',
            field=models.CharField(blank=True, help_text='留空则自动编号，例如 C100001；也可以填写自己的代码', max_length=32, verbose_name='客户代码'),
        ),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.CheckConstraint(condition=models.Q(('code', ''), _negated=True), name='customers_customer_code_not_blank', violation_error_message='客户代码不能为空：留空保存新客户时会自动编号。'),
        ),
    ]
