# The Open311 models move to the open311 app; their tables stay (see open311 0001).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Open311Submission'),
                migrations.DeleteModel(name='Open311Key'),
            ],
            database_operations=[],
        ),
    ]
