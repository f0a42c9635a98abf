"""What owners' corrections need: the record a log entry is about, owner-added authorships, the
owner's interests and hidden name variants; "open to collaborate" off unless an owner chose it.

Existing log entries get their record from their target; unclaimed records stop showing "open to
collaborate" (it defaulted to on for every record, so for them it said nothing)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_researchers(apps, schema_editor):
    log = apps.get_model("works", "CurationLog")
    keys = {"merge": "target", "split": "from", "csl_import": "researcher"}
    for entry in log.objects.filter(action__in=list(keys)).iterator():
        researcher_id = (entry.target or {}).get(keys[entry.action])
        if isinstance(researcher_id, int):
            # update(): the model refuses save() on an existing entry (append-only).
            log.objects.filter(pk=entry.pk).update(researcher_id=researcher_id)


def close_unclaimed(apps, schema_editor):
    researcher = apps.get_model("works", "Researcher")
    researcher.objects.filter(owner__isnull=True, open_to_collaborate=True).update(
        open_to_collaborate=False
    )


class Migration(migrations.Migration):

    dependencies = [
        ('works', '0005_curated_matches'),
    ]

    operations = [
        migrations.AddField(
            model_name='authorship',
            name='added_by_owner',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='curationlog',
            name='researcher',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='curation_log', to='works.researcher'),
        ),
        migrations.AddField(
            model_name='researcher',
            name='hidden_name_variants',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='researcher',
            name='research_interests',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name='curationlog',
            name='action',
            field=models.CharField(choices=[('hide', 'Hide'), ('unhide', 'Unhide'), ('merge', 'Merge'), ('split', 'Split'), ('csl_import', 'CSL import'), ('match', 'Import matched a curated work'), ('unmatch', 'Match undone'), ('unmerge', 'Merge undone'), ('not_mine', 'Not mine'), ('mine_again', 'Mine after all'), ('owner_add', 'Work added by the researcher'), ('identity', 'Name and interests edited'), ('revert', 'Entry reverted')], max_length=16),
        ),
        migrations.AlterField(
            model_name='researcher',
            name='open_to_collaborate',
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(fill_researchers, migrations.RunPython.noop),
        migrations.RunPython(close_unclaimed, migrations.RunPython.noop),
    ]
