"""The author records now live in ``works``; ResearcherTopic arrives from ``graph``. State only:
the tables are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="graph", new="profiles"):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=new, model="researchertopic").exists():
        content_type.objects.filter(app_label=old, model="researchertopic").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="profiles", new="graph")


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0005_researcher_in_works'),
        ('follows', '0002_researcher_in_works'),
        ('graph', '0002_researcher_in_works'),
        ('profiles', '0003_bounded_search'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('works', '0003_author_records'),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name='researcher',
            name='last_known_institution',
        ),
        migrations.RemoveField(
            model_name='researcher',
            name='merged_into',
        ),
        migrations.RemoveField(
            model_name='researcher',
            name='owner',
        ),
        migrations.CreateModel(
            name='ResearcherTopic',
            fields=[
                ('pk', models.CompositePrimaryKey('researcher', 'topic', blank=True, editable=False, primary_key=True, serialize=False)),
                ('works_count', models.PositiveIntegerField()),
                ('rank', models.PositiveIntegerField()),
                ('researcher', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='ranked_topics', to='works.researcher')),
                ('topic', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='works.topic')),
            ],
            options={
                'db_table': 'graph_researchertopic',
                'ordering': ['researcher', 'rank'],
            },
        ),
        migrations.DeleteModel(
            name='Affiliation',
        ),
        migrations.DeleteModel(
            name='Institution',
        ),
        migrations.DeleteModel(
            name='Researcher',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
