"""Full-text search of proposals on PostgreSQL: kl14_fold() (kl14.search.fold in SQL), a trigger
that keeps `search_vector` = the folded code, title, summary and bottleneck, and a GIN index.
SQLite gets kl14_fold from kl14.search.register_sqlite_fold and needs nothing here."""

import django.contrib.postgres.search
from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION kl14_fold(text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT trim(regexp_replace(lower(unaccent(normalize(coalesce($1, ''), NFC))),
                             '[^a-z0-9]+', ' ', 'g'))
$$;
CREATE OR REPLACE FUNCTION proposals_proposal_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := to_tsvector('simple',
    kl14_fold(concat_ws(' ', NEW.code, NEW.title, NEW.summary, NEW.bottleneck)));
  RETURN NEW;
END
$$;
CREATE TRIGGER proposals_proposal_search_vector
  BEFORE INSERT OR UPDATE OF code, title, summary, bottleneck, search_vector
  ON proposals_proposal FOR EACH ROW EXECUTE FUNCTION proposals_proposal_search_vector();
UPDATE proposals_proposal SET title = title;
CREATE INDEX proposals_proposal_search_gin ON proposals_proposal USING gin (search_vector);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS proposals_proposal_search_gin;
DROP TRIGGER IF EXISTS proposals_proposal_search_vector ON proposals_proposal;
DROP FUNCTION IF EXISTS proposals_proposal_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0002_attachment_token_default")]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
