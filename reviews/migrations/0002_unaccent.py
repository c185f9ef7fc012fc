"""PostgreSQL's unaccent extension for the lessons library's diacritic-insensitive search.
Other databases search a folded copy of the text (Lesson.search_text) and need nothing."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop, elidable=False)]
