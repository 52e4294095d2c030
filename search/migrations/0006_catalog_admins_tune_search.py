"""Catalog administrators' group (if there is one yet) gets the synonym and best-bet
permissions that the search tuning screens require; new groups get them from
catalog.services.roles.ensure_catalog_admin_group."""

from django.db import migrations

CATALOG_ADMIN_GROUP = "Quản trị danh mục"  # catalog.permissions.CATALOG_ADMIN_GROUP


def grant(apps, schema_editor):
    # on an existing database the permissions exist already (a new one has no group yet)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=CATALOG_ADMIN_GROUP).first()
    if group is None:
        return
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="search",
            content_type__model__in=["synonym", "bestbet"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_index_cursor_holder"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
