"""Admin screens: upload, dry-run preview, confirm; export of the listing; the empty template."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.importing.access import ImportAccess, departments_for_export
from catalog.importing.exporting import CONTENT_TYPES, export
from catalog.importing.readers import read_path
from catalog.importing.records import FileRejected, ImportReport, Rejection
from catalog.importing.safety import check_upload, max_upload_bytes
from catalog.importing.service import ImportOptions, run_import
from catalog.models import DepartmentPage, ProcedurePage
from catalog.request_values import IdChoiceField, is_id
from catalog.uploads import storable_name

SESSION_KEY = "catalog_import_uploads"
UPLOAD_ROOT = Path(tempfile.gettempdir()) / "catalog-imports"
EXPORT_FILTERS = ("status", "online_level", "procedure_type")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp cần nhập (.xlsx, .csv, .json, .jsonl)"))
    department = IdChoiceField(
        label=_("Đơn vị sở hữu"),
        queryset=DepartmentPage.objects.none(),
        required=False,
        empty_label=_("Theo cột “Mã đơn vị” / cơ quan thực hiện trong tệp"),
    )
    publish = forms.BooleanField(
        label=_("Xuất bản ngay (nếu bạn có quyền xuất bản)"), required=False
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


def _access(request) -> ImportAccess:
    access = ImportAccess(request.user)
    if not access.may_use_admin:
        raise PermissionDenied
    return access


def _importable_departments(access: ImportAccess):
    if access.everything or access.may_create_departments:
        return DepartmentPage.objects.order_by("title")
    return DepartmentPage.objects.filter(pk__in=access.importable).order_by("title")


def _file_rejected_report(error: FileRejected, *, name: str) -> ImportReport:
    report = ImportReport(dry_run=True)
    report.rejections.append(
        Rejection(
            file=error.file or name,
            row=error.row,
            column=error.column,
            message=error.message,
        )
    )
    return report


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: upload; the file is checked, then a dry run shows what would change."""
    access = _access(request)
    departments = _importable_departments(access)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # a malformed header: Django reads no body for it either
        declared = 0
    if request.method == "POST" and declared > max_upload_bytes() + 64 * 1024:
        # Refuse before Django reads the body into a temporary file.
        error = FileRejected(
            f"Tệp tải lên quá lớn ({declared / 1048576:.1f} MB); giới hạn là {max_upload_bytes() // 1048576} MB.".replace(
                ".", ",", 1
            )
        )
        context = {
            "form": UploadForm(departments=departments),
            "max_mb": max_upload_bytes() // (1024 * 1024),
        }
        context["report"] = _file_rejected_report(error, name="")
        return render(request, "catalog/admin/import.html", context, status=400)
    form = UploadForm(
        request.POST or None, request.FILES or None, departments=departments
    )
    context = {"form": form, "max_mb": max_upload_bytes() // (1024 * 1024)}
    if request.method == "GET" or not form.is_valid():
        return render(
            request,
            "catalog/admin/import.html",
            context,
            status=200 if request.method == "GET" else 400,
        )
    upload = form.cleaned_data["file"]
    name = storable_name(upload.name or "")
    upload.name = name  # the checks name the file as it is stored
    try:
        check_upload(upload)
    except FileRejected as error:
        context["report"] = _file_rejected_report(error, name=name)
        return render(request, "catalog/admin/import.html", context, status=400)
    token = uuid.uuid4().hex
    folder = UPLOAD_ROOT / token
    stored = folder / name
    department = form.cleaned_data["department"]
    options = ImportOptions(
        department=department,
        user=request.user,
        dry_run=True,
        publish=form.cleaned_data["publish"],
    )
    keep = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with stored.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        report = _run(stored, name=name, options=options)
        keep = not report.rejections
    finally:
        if not keep:  # refused, or an error on the way: nothing stays behind
            shutil.rmtree(folder, ignore_errors=True)
    if report.rejections:
        context["report"] = report
        return render(request, "catalog/admin/import.html", context, status=400)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[token] = {
        "path": str(stored),
        "name": name,
        "department": department.pk if department else None,
        "publish": options.publish,
    }
    request.session[SESSION_KEY] = uploads
    return render(
        request,
        "catalog/admin/import_preview.html",
        {"report": report, "token": token, "name": name},
    )


def _run(path: Path, *, name: str, options: ImportOptions) -> ImportReport:
    try:
        results = read_path(path, display_name=name)
    except FileRejected as error:
        return _file_rejected_report(error, name=name)
    except RecursionError:  # a JSON file nested thousands deep
        return _file_rejected_report(
            FileRejected(f"Tệp “{name}” lồng nhau quá sâu, không phải tệp của Cổng."),
            name=name,
        )
    return run_import(results=results, options=options)


@require_POST
def import_confirm(request):
    """Step 2: the same file, for real; all or nothing."""
    _access(request)
    token = request.POST.get("token", "")
    uploads = request.session.get(SESSION_KEY, {})
    upload = uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads
    if upload is None or not Path(upload["path"]).is_file():
        return HttpResponseBadRequest(
            "Phiên nhập không còn hiệu lực; hãy tải tệp lên lại."
        )
    department = (
        DepartmentPage.objects.filter(pk=upload["department"]).first()
        if upload["department"]
        else None
    )
    options = ImportOptions(
        department=department,
        user=request.user,
        dry_run=False,
        publish=upload["publish"],
    )
    try:
        report = _run(Path(upload["path"]), name=upload["name"], options=options)
    finally:
        shutil.rmtree(Path(upload["path"]).parent, ignore_errors=True)
    status = 400 if report.rejections else 200
    return render(
        request,
        "catalog/admin/import_result.html",
        {"report": report, "name": upload["name"]},
        status=status,
    )


def export_queryset(request):
    """The procedure listing the user may export, narrowed by the listing's own filters."""
    paths = list(departments_for_export(request.user).values_list("path", flat=True))
    if not paths:
        raise PermissionDenied
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    queryset = ProcedurePage.objects.filter(condition)
    for name in EXPORT_FILTERS:
        values = [v for v in request.GET.getlist(name) if v]
        if values:
            queryset = queryset.filter(**{f"{name}__in": values})
    for name in ("fields", "levels"):
        values = [v for v in request.GET.getlist(name) if is_id(v)]
        if values:
            queryset = queryset.filter(**{f"{name}__in": values}).distinct()
    department = request.GET.get("department")
    if department:
        owner = DepartmentPage.objects.filter(code=department).first()
        if owner is None:
            return None
        queryset = queryset.filter(path__startswith=owner.path, depth=owner.depth + 1)
    text = (request.GET.get("q") or "").strip()[:200]
    if text:
        # The listing's own search (Wagtail's backend, Vietnamese-folded): the same rows.
        from wagtail.search.backends import get_search_backend

        found = get_search_backend().autocomplete(
            text, queryset, order_by_relevance=False
        )
        queryset = queryset.filter(pk__in=[page.pk for page in found])
    return queryset


@require_GET
def export_procedures(request):
    file_format = request.GET.get("format", "xlsx")
    if file_format not in CONTENT_TYPES:
        return HttpResponseBadRequest("Định dạng xuất chỉ nhận xlsx, csv hoặc json.")
    queryset = export_queryset(request)
    if queryset is None:
        return HttpResponseBadRequest("Không có đơn vị với mã đã chọn.")
    response = HttpResponse(
        export(queryset, file_format), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="thu-tuc-hanh-chinh.{file_format}"'
    )
    return response


@require_GET
def download_template(request):
    if (
        not departments_for_export(request.user).exists()
        and not ImportAccess(request.user).may_use_admin
    ):
        raise PermissionDenied
    file_format = request.GET.get("format", "xlsx")
    if file_format not in ("xlsx", "csv"):
        return HttpResponseBadRequest("Mẫu chỉ có dạng xlsx hoặc csv.")
    response = HttpResponse(
        export(None, file_format), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="mau-nhap-thu-tuc.{file_format}"'
    )
    return response
