"""Upload a form file and create its form template in one step, from the form-template chooser.

Editors attach forms to required documents inside the procedure editor. Before, they could only
pick a template a department admin had created; now the chooser has a «Tải mẫu mới» tab: file,
code, name, version and date. The file becomes a Wagtail document in the department's collection
and the template belongs to that department. Who may: anyone who edits the department's
procedures (editor, moderator, department admin) and catalog administrators; changing or deleting
an existing template stays with department admins (catalog.permissions).
"""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from wagtail.documents import get_document_model
from wagtail.log_actions import log
from wagtail.snippets.views.chooser import SnippetCreateView

from catalog.forms import DayMonthYearField
from catalog.models import DepartmentPage, FormTemplate
from catalog.models.departments import department_code_validator
from catalog.permissions import departments_user_can
from catalog.request_values import IdChoiceField
from catalog.text import visible_name
from catalog.views_admin import (
    ScopedChooseResultsView,
    ScopedChooserViewSet,
    ScopedChooseView,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_FILENAME_LENGTH = 100


def max_upload_bytes() -> int:
    return getattr(settings, "FORM_TEMPLATE_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def allowed_extensions() -> list[str]:
    return [
        ext.lower() for ext in getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or []
    ]


def departments_for_upload(user):
    """Departments whose forms `user` may add: those whose procedures they edit."""
    return departments_user_can(user, "edit").order_by("title")


class FormTemplateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp mẫu"),
        help_text=_("Tệp PDF, Word, Excel, ODF, RTF, TXT hoặc ZIP."),
    )
    code = forms.CharField(
        label=_("Mã mẫu"),
        max_length=64,
        validators=[department_code_validator],
        help_text=_("Ví dụ: CT01"),
    )
    name = forms.CharField(label=_("Tên mẫu"), max_length=500)
    version = forms.CharField(label=_("Phiên bản"), max_length=40, required=False)
    effective_on = DayMonthYearField(label=_("Ngày áp dụng"), required=False)
    department = IdChoiceField(
        label=_("Đơn vị quản lý"),
        queryset=DepartmentPage.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        departments = departments_for_upload(user)
        self.fields["department"].queryset = departments
        self.only_department = None
        first_two = list(departments[:2])
        if len(first_two) == 1:
            # one department: nothing to choose; another department's id is still refused
            self.only_department = first_two[0]
            self.fields["department"].widget = forms.HiddenInput()
            self.fields["department"].initial = self.only_department.pk
            self.fields["department"].required = False
        extensions = ", ".join(allowed_extensions())
        self.fields["file"].help_text = _(
            "Định dạng cho phép: %(extensions)s; tối đa %(size)s."
        ) % {"extensions": extensions, "size": filesizeformat(max_upload_bytes())}
        # the label's own text starts with template whitespace; give the input a clean name
        self.fields["file"].widget.attrs["aria-label"] = str(self.fields["file"].label)
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{ext}" for ext in allowed_extensions()
        )

    def clean_name(self) -> str:
        return visible_name(self.cleaned_data.get("name"))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        base = os.path.basename(uploaded.name or "")
        stem, extension = os.path.splitext(base)
        extension = extension.lstrip(".").lower()
        if extension not in allowed_extensions():
            raise forms.ValidationError(
                _("Không nhận tệp .%(ext)s. Định dạng cho phép: %(allowed)s.")
                % {
                    "ext": extension or "?",
                    "allowed": ", ".join(allowed_extensions()),
                }
            )
        if len(base) > MAX_FILENAME_LENGTH:
            raise forms.ValidationError(
                _("Tên tệp dài quá %(max)s ký tự; hãy đổi tên ngắn hơn.")
                % {"max": MAX_FILENAME_LENGTH}
            )
        if not stem.strip():
            raise forms.ValidationError(_("Tên tệp không hợp lệ."))
        if uploaded.size == 0:
            raise forms.ValidationError(_("Tệp rỗng."))
        if uploaded.size > max_upload_bytes():
            raise forms.ValidationError(
                _("Tệp nặng %(size)s, vượt giới hạn %(max)s.")
                % {
                    "size": filesizeformat(uploaded.size),
                    "max": filesizeformat(max_upload_bytes()),
                }
            )
        return uploaded

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if FormTemplate.objects.filter(code__iexact=code).exists():
            raise forms.ValidationError(
                _("Mã mẫu %(code)s đã được dùng; hãy chọn mẫu đó hoặc đặt mã khác.")
                % {"code": code}
            )
        return code

    def clean_department(self):
        department = self.cleaned_data.get("department") or self.only_department
        if department is None:
            raise forms.ValidationError(_("Hãy chọn đơn vị quản lý mẫu."))
        if department.collection_id is None:
            raise forms.ValidationError(
                _("Đơn vị này chưa có thư mục tài liệu; hãy báo quản trị danh mục.")
            )
        return department

    def save(self) -> FormTemplate:
        data = self.cleaned_data
        return create_form_template(
            user=self.user,
            department=data["department"],
            code=data["code"],
            name=data["name"],
            version=data["version"],
            effective_on=data["effective_on"],
            uploaded_file=data["file"],
        )


@transaction.atomic
def create_form_template(
    *,
    user,
    department: DepartmentPage,
    code: str,
    name: str,
    version: str,
    effective_on,
    uploaded_file,
) -> FormTemplate:
    """Store the file in the department's collection and create the template owning it."""
    if not departments_for_upload(user).filter(pk=department.pk).exists():
        raise PermissionDenied
    document = get_document_model()(
        title=name, collection=department.collection, uploaded_by_user=user
    )
    document.file = uploaded_file
    document._set_document_file_metadata()
    document.save()
    log(instance=document, action="wagtail.create", user=user)
    template = FormTemplate(
        code=code,
        name=name,
        department=department,
        document=document,
        version=version,
        effective_on=effective_on,
    )
    template.full_clean()
    template.save()  # records sha256 and size (FormTemplate.refresh_checksum)
    log(instance=template, action="wagtail.create", user=user)
    return template


# --- the chooser: a «Tải mẫu mới» tab next to the search -------------------------------------


class UploadCreationMixin:
    creation_form_class = FormTemplateUploadForm
    create_action_label = _("Tải lên và chọn")
    create_action_clicked_label = _("Đang tải lên…")
    creation_tab_label = _("Tải mẫu mới")

    def can_create(self):
        return departments_for_upload(self.request.user).exists()

    def get_creation_form_class(self):
        return FormTemplateUploadForm

    def get_creation_form_kwargs(self):
        kwargs = super().get_creation_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class FormTemplateChooseView(UploadCreationMixin, ScopedChooseView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["creation_tab_label"] = self.creation_tab_label
        return context


class FormTemplateChooseResultsView(UploadCreationMixin, ScopedChooseResultsView):
    pass


class FormTemplateChooserCreateView(UploadCreationMixin, SnippetCreateView):
    def save_form(self, form):
        return form.save()


class FormTemplateChooserViewSet(ScopedChooserViewSet):
    choose_view_class = FormTemplateChooseView
    choose_results_view_class = FormTemplateChooseResultsView
    create_view_class = FormTemplateChooserCreateView
    creation_form_class = FormTemplateUploadForm
    create_action_label = _("Tải lên và chọn")
    create_action_clicked_label = _("Đang tải lên…")
    creation_tab_label = _("Tải mẫu mới")
