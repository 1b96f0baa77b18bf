# The Open311 models, moved from the portal app with their tables (portal 0002 forgets them).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the models' content types (and so their permissions and admin history)."""
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(
        app_label='portal', model__in=['open311key', 'open311submission']
    ).update(app_label='open311')


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(
        app_label='open311', model__in=['open311key', 'open311submission']
    ).update(app_label='portal')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0001_initial'),
        ('portal', '0002_open311_moves_to_its_own_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Open311Key',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                        ('prefix', models.CharField(max_length=12, verbose_name='prefix')),
                        ('key_hash', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used at')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                        ('council', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='open311_keys', to='core.council')),
                    ],
                    options={
                        'verbose_name': 'Open311 API key',
                        'verbose_name_plural': 'Open311 API keys',
                        'db_table': 'portal_open311key',
                    },
                ),
                migrations.CreateModel(
                    name='Open311Submission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='open311_submission', to='cases.case')),
                        ('key', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='open311.open311key')),
                    ],
                    options={
                        'verbose_name': 'Open311 submission',
                        'verbose_name_plural': 'Open311 submissions',
                        'db_table': 'portal_open311submission',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
