"""Full-text search of lessons on PostgreSQL: a trigger keeps `search_vector` = the folded
`search_text` (written by the services) as a tsvector, and a GIN index serves the search."""

import django.contrib.postgres.search
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION reviews_lesson_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := to_tsvector('simple', coalesce(NEW.search_text, ''));
  RETURN NEW;
END
$$;
CREATE TRIGGER reviews_lesson_search_vector
  BEFORE INSERT OR UPDATE OF search_text, search_vector
  ON reviews_lesson FOR EACH ROW EXECUTE FUNCTION reviews_lesson_search_vector();
UPDATE reviews_lesson SET search_text = search_text;
CREATE INDEX reviews_lesson_search_gin ON reviews_lesson USING gin (search_vector);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS reviews_lesson_search_gin;
DROP TRIGGER IF EXISTS reviews_lesson_search_vector ON reviews_lesson;
DROP FUNCTION IF EXISTS reviews_lesson_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_unaccent")]

    operations = [
        migrations.AddField(
            model_name="lesson",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
