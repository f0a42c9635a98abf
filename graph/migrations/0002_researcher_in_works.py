"""Foreign keys follow Researcher into ``works``; ResearcherTopic moves to ``profiles``, which
reads it for the profile summary (state only: no table changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('graph', '0001_initial'),
        ('works', '0003_author_records'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='collaboration',
            name='coauthor',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='works.researcher'),
        ),
        migrations.AlterField(
            model_name='collaboration',
            name='researcher',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='collaborations', to='works.researcher'),
        ),
        migrations.AlterField(
            model_name='trustscore',
            name='researcher',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='trust_history', to='works.researcher'),
        ),
        migrations.DeleteModel(
            name='ResearcherTopic',
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
