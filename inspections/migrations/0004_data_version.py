"""The data version: one row saying when the public data last changed (inspections.freshness).

The row is created here, dated now and with the latest import, so that HTTP validators
change once when this is deployed and never depend on a row that may be missing.
"""

from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone


def create_row(apps, schema_editor):
    DataVersion = apps.get_model("inspections", "DataVersion")
    Inspection = apps.get_model("inspections", "Inspection")
    db = schema_editor.connection.alias
    imported_at = Inspection.objects.using(db).aggregate(latest=Max("imported_at"))["latest"]
    DataVersion.objects.using(db).get_or_create(
        id=1, defaults={"version": 1, "changed_at": timezone.now(), "imported_at": imported_at}
    )


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0003_search'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveBigIntegerField(default=0, help_text='Counts changes.')),
                ('changed_at', models.DateTimeField(help_text='When any public record last changed.')),
                ('imported_at', models.DateTimeField(blank=True, help_text='When a report was last imported with changes.', null=True)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='data_version_single_row')],
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
