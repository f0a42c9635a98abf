"""The home page reads its first page of live researchers from an index in its own order."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('works', '0007_researcher_listed_works_count'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='researcher',
            index=models.Index(models.OrderBy(models.F('listed_works_count'), descending=True), models.F('display_name'), models.F('id'), condition=models.Q(('merged_into__isnull', True)), name='researcher_home_order'),
        ),
    ]
