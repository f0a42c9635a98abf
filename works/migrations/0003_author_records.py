"""Researcher, Institution and Affiliation move from ``profiles`` to ``works`` (state only).

Ingestion writes author records, and ``works`` may not depend on the apps above it, so the models
moved down. The tables keep their names (``profiles_*``): nothing in the database changes. The
content types are renamed so that permissions, groups and the admin log keep pointing at them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ["researcher", "institution", "affiliation"]


def rename_content_types(apps, schema_editor, old="profiles", new="works"):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    rename_content_types(apps, schema_editor, old="works", new="profiles")


class Migration(migrations.Migration):

    dependencies = [
        ('works', '0002_import_runs_and_curation_log'),
        ('profiles', '0003_bounded_search'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Institution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('openalex_id', models.CharField(blank=True, max_length=32, null=True, unique=True)),
                ('ror', models.CharField(blank=True, max_length=32, null=True, unique=True, verbose_name='ROR id')),
                ('display_name', models.CharField(max_length=500)),
                ('country_code', models.CharField(blank=True, max_length=2)),
                ('type', models.CharField(blank=True, max_length=50)),
                ('homepage_url', models.URLField(blank=True, max_length=500)),
                ('email_domains', models.JSONField(blank=True, default=list)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'db_table': 'profiles_institution',
                'ordering': ['display_name'],
            },
        ),
        migrations.AlterField(
            model_name='authorship',
            name='institutions',
            field=models.ManyToManyField(blank=True, related_name='authorships', to='works.institution'),
        ),
        migrations.CreateModel(
            name='Researcher',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('display_name', models.CharField(max_length=500)),
                ('display_name_alternatives', models.JSONField(blank=True, default=list)),
                ('openalex_id', models.CharField(blank=True, max_length=32, null=True, unique=True)),
                ('orcid', models.CharField(blank=True, max_length=19, null=True, unique=True, verbose_name='ORCID')),
                ('origin', models.CharField(choices=[('openalex', 'OpenAlex'), ('arxiv', 'arXiv'), ('curated', 'Curated by staff')], default='openalex', max_length=16)),
                ('source_works_count', models.PositiveIntegerField(blank=True, null=True)),
                ('source_cited_by_count', models.PositiveIntegerField(blank=True, null=True)),
                ('h_index', models.PositiveIntegerField(blank=True, null=True)),
                ('source_updated', models.CharField(blank=True, max_length=40)),
                ('summary', models.CharField(blank=True, max_length=280)),
                ('open_to_collaborate', models.BooleanField(default=True)),
                ('links', models.JSONField(blank=True, default=list)),
                ('staff_verified', models.BooleanField(default=False)),
                ('verification_level', models.PositiveSmallIntegerField(choices=[(0, 'L0 name only'), (1, 'L1 indexed'), (2, 'L2 ORCID-anchored'), (3, 'L3 claimed'), (4, 'L4 claimed and verified')], default=0)),
                ('trust_score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('trust_breakdown', models.JSONField(blank=True, default=dict)),
                ('trust_computed_at', models.DateTimeField(blank=True, null=True)),
                ('followers_count', models.PositiveIntegerField(default=0)),
                ('close_collaborators_count', models.PositiveIntegerField(default=0)),
                ('topics_count', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('last_known_institution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='works.institution')),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_records', to='works.researcher')),
                ('owner', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='researcher', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'profiles_researcher',
                'ordering': ['display_name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Affiliation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('years', models.JSONField(blank=True, default=list)),
                ('institution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='works.institution')),
                ('researcher', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='affiliations', to='works.researcher')),
            ],
            options={
                'db_table': 'profiles_affiliation',
            },
        ),
        migrations.AlterField(
            model_name='authorship',
            name='researcher',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='authorships', to='works.researcher'),
        ),
        migrations.AlterField(
            model_name='importrun',
            name='researcher',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_runs', to='works.researcher'),
        ),
        migrations.AddIndex(
            model_name='researcher',
            index=models.Index(fields=['display_name'], name='profiles_re_display_0070f9_idx'),
        ),
        migrations.AddConstraint(
            model_name='researcher',
            constraint=models.CheckConstraint(condition=models.Q(('merged_into', models.F('pk')), _negated=True), name='researcher_not_merged_into_self'),
        ),
        migrations.AddConstraint(
            model_name='affiliation',
            constraint=models.UniqueConstraint(fields=('researcher', 'institution'), name='affiliation_unique'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
