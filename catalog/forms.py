"""Admin forms with the checks an editor needs to hear about in their own words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

from catalog.text import vietnamese_slug

PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


class CatalogPageForm(WagtailAdminPageForm):
    """The slug may be left empty: it is made from the Vietnamese title, without tone marks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            return slug
        base = vietnamese_slug(self.cleaned_data.get("title") or "")
        candidate, number = base, 1
        while self.parent_page and not Page._slug_is_available(
            candidate, self.parent_page, self.instance
        ):
            number += 1
            candidate = f"{base}-{number}"
        return candidate


class ProcedurePageForm(CatalogPageForm):
    def clean(self):
        cleaned_data = super().clean()
        if any(
            action in self.data for action in PUBLISHING_ACTIONS
        ) and not cleaned_data.get("change_note"):
            self.add_error(
                "change_note",
                forms.ValidationError(
                    _(
                        "Hãy ghi chú thay đổi công khai (tab Xuất bản) trước khi gửi duyệt hoặc xuất bản."
                    ),
                    code="change_note_required",
                ),
            )
        return cleaned_data
