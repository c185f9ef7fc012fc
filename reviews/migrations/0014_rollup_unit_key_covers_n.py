# The (unit, key) index of the roll-ups also holds the count (INCLUDE n, PostgreSQL): built
# under a new name first, so the dashboard keeps an index while it is built, then the old one is
# dropped and the new one takes its name.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0013_lesson_published_at"),
        ("units", "0006_depth_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rollup",
            index=models.Index(
                fields=["unit", "key"],
                include=("n",),
                name="rollup_unit_key_n",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
        migrations.RemoveIndex(model_name="rollup", name="rollup_unit_key"),
        migrations.RenameIndex(
            model_name="rollup", old_name="rollup_unit_key_n", new_name="rollup_unit_key"
        ),
    ]
