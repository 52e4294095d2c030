"""One cursor and one set of pending changes per index: each host's embedded index, or the
shared Elasticsearch index. The single "default" cursor becomes this installation's."""

from django.conf import settings
from django.db import migrations, models


def indexer_name() -> str:
    # search.indexing.indexer_name(), frozen here: the name this installation reads under
    if getattr(settings, "SEARCH_ENGINE", "embedded") == "embedded":
        return getattr(settings, "SEARCH_HOST_ID", "default")
    return "shared"


def adopt_default_cursor(apps, schema_editor):
    name = indexer_name()
    if name == "default":
        return
    cursor_model = apps.get_model("search", "IndexCursor")
    pending_model = apps.get_model("search", "PendingIndexChange")
    old = cursor_model.objects.filter(name="default").first()
    if old and not cursor_model.objects.filter(name=name).exists():
        cursor_model.objects.create(name=name, last_event_id=old.last_event_id)
        old.delete()
    pending_model.objects.filter(indexer="default").update(indexer=name)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_indexcursor'),
    ]

    operations = [
        migrations.AddField(
            model_name='pendingindexchange',
            name='indexer',
            field=models.CharField(default='default', max_length=40),
        ),
        migrations.AlterField(
            model_name='pendingindexchange',
            name='page_id',
            field=models.PositiveIntegerField(),
        ),
        migrations.AddConstraint(
            model_name='pendingindexchange',
            constraint=models.UniqueConstraint(fields=('indexer', 'page_id'), name='search_pending_indexer_page'),
        ),
        migrations.RunPython(adopt_default_cursor, migrations.RunPython.noop),
    ]
