"""The newest report's publication date on the data version row: the footer's "data last
updated" (inspections.freshness), read with the row at no extra query. Filled here from the
inspections already held."""

from django.db import migrations, models
from django.db.models import Max


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    Inspection = apps.get_model("inspections", "Inspection")
    newest = Inspection.objects.using(db).aggregate(newest=Max("published_date"))["newest"]
    apps.get_model("inspections", "DataVersion").objects.using(db).update(
        newest_published_date=newest
    )


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0009_publication_date_sources'),
    ]

    operations = [
        migrations.AddField(
            model_name='dataversion',
            name='newest_published_date',
            field=models.DateField(blank=True, help_text='The newest publication date of any inspection: how current the data is (the import time says when we read it, not how new what we read is).', null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
