"""Notification moves from ``follows`` to ``accounts`` (state only: the table keeps its name),
so that claims can notify people without importing follows. The content type is renamed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="follows", new="accounts"):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=new, model="notification").exists():
        content_type.objects.filter(app_label=old, model="notification").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="accounts", new="follows")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('follows', '0002_researcher_in_works'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('claim_decided', 'Claim decided'), ('invitation_received', 'Invitation received'), ('invitation_answered', 'Invitation answered'), ('followed_published', 'Followed researcher published')], max_length=32)),
                ('message', models.CharField(max_length=500)),
                ('url', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'follows_notification',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['user', 'read_at'], name='follows_not_user_id_cb3ebb_idx')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
