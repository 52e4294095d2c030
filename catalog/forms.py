"""Admin forms with the checks an editor needs to hear about in their own words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm

PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


class ProcedurePageForm(WagtailAdminPageForm):
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
