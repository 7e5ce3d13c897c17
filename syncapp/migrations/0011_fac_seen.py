# What the last run learnt of FAC, so that looking at the sync reads OPS only; and a --verify's differences,
# recorded, so that every reader renders the run from its record.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('syncapp', '0010_result_started_at_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='synctableresult',
            name='differences',
            field=models.PositiveIntegerField(default=0, verbose_name='differences'),
        ),
        migrations.AddField(
            model_name='syncstate',
            name='fac_cursor',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='cursor column'),
        ),
        migrations.AddField(
            model_name='syncstate',
            name='fac_cursor_indexed',
            field=models.BooleanField(blank=True, null=True, verbose_name='FAC indexes the cursor'),
        ),
        migrations.AddField(
            model_name='syncstate',
            name='fac_newest',
            field=models.DateTimeField(blank=True, null=True, verbose_name="FAC's newest updated_at"),
        ),
        migrations.AddField(
            model_name='syncstate',
            name='fac_rows',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='FAC rows'),
        ),
        migrations.AddField(
            model_name='syncstate',
            name='fac_seen_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='FAC seen at'),
        ),
    ]
