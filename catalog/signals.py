"""Turn Wagtail's page lifecycle into catalog events, inside the transaction that changes the page;
keep form templates' checksums in step with their files."""

from django.db.models.signals import post_save, pre_delete
from django.dispatch import Signal, receiver

from wagtail.documents import get_document_model
from wagtail.signals import page_published, page_unpublished, post_page_move

from catalog.models import FormTemplate, ProcedurePage
from catalog.services.events import record_event

# Sent after the transaction commits, with `event` (a CatalogEvent). search/ and api/ listen here.
catalog_event_committed = Signal()


@receiver(page_published, sender=ProcedurePage)
def _on_publish(sender, instance, revision=None, **kwargs):
    record_event(procedure=instance, action="publish", revision=revision)


@receiver(page_unpublished, sender=ProcedurePage)
def _on_unpublish(sender, instance, **kwargs):
    record_event(procedure=instance, action="unpublish")


@receiver(post_page_move)
def _on_move(sender, instance, parent_page_before, parent_page_after, **kwargs):
    if parent_page_before.pk == parent_page_after.pk:
        return
    specific = instance.specific
    if isinstance(specific, ProcedurePage) and specific.live:
        record_event(procedure=specific, action="move")


@receiver(pre_delete, sender=ProcedurePage)
def _on_delete(sender, instance, **kwargs):
    record_event(procedure=instance, action="delete")


@receiver(post_save, sender=get_document_model())
def _on_document_saved(sender, instance, created=False, raw=False, **kwargs):
    """A replaced file: the forms using it record its new checksum and size, and their saves
    refresh the procedures that offer them (catalog.services.dependents)."""
    if raw or created:
        return
    for form in FormTemplate.objects.filter(document=instance):
        form.document = instance
        form.save()
