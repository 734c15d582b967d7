"""Load England's children's services authorities, their regions and neighbours, and the
seed themes, from the committed files in fixtures/."""

from django.db import migrations

from inspections.reference import load_authorities, load_themes


def load(apps, schema_editor):
    load_authorities(
        apps.get_model("inspections", "Region"),
        apps.get_model("inspections", "Authority"),
        apps.get_model("inspections", "AlternativeName"),
        apps.get_model("inspections", "StatisticalNeighbour"),
    )
    load_themes(apps.get_model("inspections", "Theme"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
