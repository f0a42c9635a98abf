"""Notification now lives in ``accounts`` (state only: the table is unchanged)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('follows', '0002_researcher_in_works'),
    ]

    state_operations = [
        migrations.DeleteModel(
            name='Notification',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
