"""Foreign keys follow Researcher into ``works`` (state only: the table is unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0004_claim_reviewers_group'),
        ('works', '0003_author_records'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='researcher',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_events', to='works.researcher'),
        ),
        migrations.AlterField(
            model_name='claim',
            name='researcher',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='claims', to='works.researcher'),
        ),
        migrations.AlterField(
            model_name='invitation',
            name='researcher',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='works.researcher'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
