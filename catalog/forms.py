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

    def is_valid(self):
        # Nested document forms are cleaned after clean(); check their templates once they are.
        valid = super().is_valid()
        return self._check_form_templates_are_choosable() and valid

    def _check_form_templates_are_choosable(self) -> bool:
        """A forged POST must not link a form the user's chooser would not offer."""
        from catalog.permissions import can

        user = getattr(self, "for_user", None)
        cases = (
            self.formsets.get("dossier_cases") if hasattr(self, "formsets") else None
        )
        allowed = True
        if user is None or cases is None:
            return allowed
        for case_form in cases.forms:
            documents = getattr(case_form, "formsets", {}).get("documents")
            for document_form in documents.forms if documents else []:
                template = getattr(document_form, "cleaned_data", {}).get(
                    "form_template"
                )
                if (
                    template is not None
                    and "form_template" in document_form.changed_data
                    and not can(user, "choose", template)
                ):
                    document_form.add_error(
                        "form_template",
                        _("Bạn không được dùng mẫu %(code)s của đơn vị khác.")
                        % {"code": template.code},
                    )
                    allowed = False
        return allowed
