"""Researchers keep the number of works their page lists, so lists can sort and show it
without counting per request. Existing records are counted here by the rule of
profiles.publications (visible works, less a preprint whose published version, also theirs,
is visible); the graph's recomputes keep it up to date from then on."""

from django.db import migrations, models

FILL = """
UPDATE profiles_researcher SET listed_works_count = (
    SELECT COUNT(DISTINCT a.work_id)
    FROM works_authorship a JOIN works_work w ON w.id = a.work_id
    WHERE a.researcher_id = profiles_researcher.id AND w.is_hidden = %(false)s
      AND NOT EXISTS (
          SELECT 1 FROM works_authorship b JOIN works_work v ON v.id = b.work_id
          WHERE b.work_id = w.version_of_id AND b.researcher_id = a.researcher_id
                AND v.is_hidden = %(false)s
      )
)
"""


def fill(apps, schema_editor):
    false = "false" if schema_editor.connection.vendor == "postgresql" else "0"
    schema_editor.execute(FILL % {"false": false})


class Migration(migrations.Migration):
    dependencies = [
        ("works", "0006_owner_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="researcher",
            name="listed_works_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
