"""Remove what Wagtail's own migrations set up for a generic site and this catalog never uses.

- The English "Moderators approval" workflow on the root page (wagtailcore 0048): every department has
  its own workflow (catalog.services.departments), and the root's one was still offered in the
  workflow screens and to any page outside a department.
- The sample "Moderators" and "Editors" groups (wagtailcore 0002) with rights over the whole tree,
  when nobody is in them: roles are department groups granted on the roles screen.
"""

from django.db import migrations

DEFAULT_WORKFLOW = "Moderators approval"
SAMPLE_GROUPS = ["Moderators", "Editors"]


def remove_defaults(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    Group = apps.get_model("auth", "Group")

    for workflow in Workflow.objects.filter(name=DEFAULT_WORKFLOW):
        task_ids = list(workflow.workflow_tasks.values_list("task_id", flat=True))
        if WorkflowState.objects.filter(workflow=workflow).exists():
            # history refers to it: keep the record, but it is no longer offered anywhere
            workflow.workflow_pages.all().delete()
            workflow.active = False
            workflow.save(update_fields=["active"])
            continue
        workflow.workflow_tasks.all().delete()
        workflow.workflow_pages.all().delete()
        workflow.delete()
        for task in GroupApprovalTask.objects.filter(pk__in=task_ids):
            if not task.workflow_tasks.exists():
                Task.objects.filter(pk=task.pk).delete()

    for group in Group.objects.filter(name__in=SAMPLE_GROUPS):
        if not group.user_set.exists():
            group.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_event_from_shared_data"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(remove_defaults, migrations.RunPython.noop)]
