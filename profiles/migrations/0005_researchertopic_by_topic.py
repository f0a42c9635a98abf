"""Who has a topic, most works first, read from an index: topic pages and similar researchers
no longer scan every ranked topic."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('profiles', '0004_author_records_to_works'),
        ('works', '0008_researcher_home_order'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='researchertopic',
            index=models.Index(models.F('topic'), models.OrderBy(models.F('works_count'), descending=True), models.F('researcher'), name='researchertopic_by_topic'),
        ),
    ]
