"""Foreign keys follow Researcher into ``works`` (state only: the table is unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('follows', '0001_initial'),
        ('works', '0003_author_records'),
    ]

    state_operations = [
        migrations.AlterField(
            model_name='follow',
            name='researcher',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follows', to='works.researcher'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
