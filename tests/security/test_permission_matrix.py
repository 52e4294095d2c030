"""The permission matrix: every role × action × surface × own / other department, exact outcomes.

Each case runs in a savepoint that is rolled back, so every case starts from the same world. A case
reports whether its effect happened (a write took place, or a draft of the target department was
shown). Allowed cases must be effective (these are the positive controls); denied ones must be
ineffective, answer 302/403/404, leave the database unchanged, and (for 403s and login bounces)
leave a "denied" entry in the permission audit log.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from wagtail.log_actions import log
from wagtail.models import Page, PageViewRestriction, Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest
from guardian.models import GroupObjectPermission

from catalog.models import (
    AuditKind,
    CatalogEvent,
    DepartmentMembership,
    Field,
    FormTemplate,
    PermissionAuditEntry,
    ProcedurePage,
)
from catalog.services.roles import grant_role
from tests.permissions.world import (
    DRAFT_SECRET_A,
    DRAFT_SECRET_B,
    ROLES,
    World,
    build_world,
    make_user,
)

pytestmark = pytest.mark.django_db

RANK = {"editor": 1, "moderator": 2, "department_admin": 3}
DEPARTMENT_ROLES = set(RANK)
MATRIX_SIZE: dict[str, int] = {}


@dataclass
class Outcome:
    status: int
    effective: bool
    location: str = ""


@dataclass
class Case:
    surface: str
    action: str
    kind: str  # "read" or "write"
    min_role: str  # editor / moderator / department_admin / catalog_admin / nobody
    run: Callable[[Client, World, str], Outcome]
    targets: tuple = ("own", "other")


CASES: list[Case] = []


def case(surface, action, kind, min_role, targets=("own", "other"), **options):
    def register(run):
        CASES.append(Case(surface, action, kind, min_role, run, targets, **options))
        return run

    return register


def expected(role: str, case: Case, target: str) -> bool:
    if case.min_role == "nobody":
        return False
    if role == "catalog_admin":
        return True
    if role not in DEPARTMENT_ROLES or target == "other":
        return False
    if case.min_role == "catalog_admin":
        return False
    return RANK[role] >= RANK[case.min_role]


# --- helpers --------------------------------------------------------------------------------


def dept(w: World, target):
    return w.a if target in ("own", "shared") else w.b


def page(w: World, name, target):
    obj = getattr(w, f"{name}_{'a' if target == 'own' else 'b'}")
    return Page.objects.get(pk=obj.pk)


def secret(target):
    return DRAFT_SECRET_A if target == "own" else DRAFT_SECRET_B


def pending_title(target):
    """The unpublished new title of a live procedure (a draft revision on a live page)."""
    return f"Tên mới chưa duyệt {'A' if target == 'own' else 'B'}"


def shows(response, text) -> Outcome:
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False)
    return Outcome(
        response.status_code,
        response.status_code == 200 and text in body,
        response.get("Location", ""),
    )


def wrote(response, effective: bool) -> Outcome:
    return Outcome(response.status_code, effective, response.get("Location", ""))


# The parts a procedure needs before it may be published (catalog/completeness.py).
COMPLETE_PARTS = {
    "steps": [{"title": "Nộp hồ sơ", "description": rich_text("<p>Nộp hồ sơ.</p>")}],
    "execution_methods": [
        {
            "channel": "in_person",
            "processing_time_value": "3",
            "processing_time_unit": "working_day",
            "processing_time_text": "",
            "description": "",
            "fees": inline_formset(
                [
                    {
                        "kind": "charge",
                        "amount": "0",
                        "currency": "VND",
                        "description": "",
                    }
                ]
            ),
        }
    ],
    "dossier_cases": [
        {
            "name": "Trường hợp chung",
            "description": "",
            "documents": inline_formset(
                [
                    {
                        "name": "Tờ khai",
                        "originals": "1",
                        "copies": "0",
                        "is_required": "on",
                        "note": "",
                        "form_template": "",
                    }
                ]
            ),
        }
    ],
}


def procedure_form(*, title, national_code, change_note="Cập nhật", complete=False):
    parts = COMPLETE_PARTS if complete else {}
    return nested_form_data(
        {
            "title": title,
            "slug": "",
            "national_code": national_code,
            "local_code": "",
            "procedure_type": "standard",
            "status": "active",
            "summary": "Tóm tắt.",
            "implementing_agencies": "UBND",
            "levels": [],
            "fields": [],
            "subject_types": [],
            "life_events": [],
            "online_level": "none",
            "online_url": "",
            "conditions": rich_text(""),
            "change_note": change_note,
            "steps": inline_formset(parts.get("steps", [])),
            "execution_methods": inline_formset(parts.get("execution_methods", [])),
            "dossier_cases": inline_formset(parts.get("dossier_cases", [])),
            "legal_basis": [],
            "results": [],
        }
    )


# --- pages: reads ---------------------------------------------------------------------------


@case("explorer", "list", "read", "editor")
def _explorer(c, w, t):
    return shows(
        c.get(reverse("wagtailadmin_explore", args=[dept(w, t).pk])), secret(t)
    )


@case("procedure listing", "list", "read", "editor")
def _listing(c, w, t):
    return shows(c.get(reverse("procedures:index")), secret(t))


@case("page edit form", "view", "read", "editor")
def _edit_get(c, w, t):
    return shows(
        c.get(reverse("wagtailadmin_pages:edit", args=[page(w, "draft", t).pk])),
        secret(t),
    )


@case("page history", "view", "read", "editor")
def _history(c, w, t):
    return shows(
        c.get(reverse("wagtailadmin_pages:history", args=[page(w, "draft", t).pk])),
        secret(t),
    )


@case("revisions compare", "view", "read", "editor")
def _compare(c, w, t):
    pk = page(w, "draft", t).pk
    url = reverse(
        "wagtailadmin_pages:revisions_compare", args=[pk, "earliest", "latest"]
    )
    return shows(c.get(url), secret(t))


@case("revision preview", "view", "read", "editor")
def _revision_view(c, w, t):
    p = page(w, "draft", t)
    url = reverse(
        "wagtailadmin_pages:revisions_view", args=[p.pk, p.latest_revision_id]
    )
    return shows(c.get(url), secret(t))


@case("view draft", "view", "read", "editor")
def _view_draft(c, w, t):
    return shows(
        c.get(reverse("wagtailadmin_pages:view_draft", args=[page(w, "draft", t).pk])),
        secret(t),
    )


@case("preview on edit", "view", "read", "editor")
def _preview(c, w, t):
    p = page(w, "draft", t)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[p.pk])
    form = procedure_form(title=secret(t) + " xem trước", national_code="1.000009")
    response = c.post(url, form)
    body = response.content.decode()
    return Outcome(
        response.status_code,
        response.status_code == 200 and '"is_valid": true' in body,
        response.get("Location", ""),
    )


@case("workflow history", "view", "read", "editor")
def _workflow_history(c, w, t):
    url = reverse("wagtailadmin_pages:workflow_history", args=[page(w, "draft", t).pk])
    return shows(c.get(url), secret(t))


@case("page usage", "view", "read", "editor")
def _usage(c, w, t):
    url = reverse("wagtailadmin_pages:usage", args=[page(w, "draft", t).pk])
    return shows(c.get(url), secret(t))


@case("page chooser (browse)", "choose", "read", "editor")
def _chooser_browse(c, w, t):
    url = reverse("wagtailadmin_choose_page_child", args=[dept(w, t).pk])
    return shows(c.get(url), secret(t))


@case("page chooser (search)", "choose", "read", "editor")
def _chooser_search(c, w, t):
    url = reverse("wagtailadmin_choose_page_search")
    return shows(c.get(url, {"q": "nội bộ"}), secret(t))


@case("page chooser (browse), pending title of a live page", "choose", "read", "editor")
def _chooser_pending(c, w, t):
    url = reverse("wagtailadmin_choose_page_child", args=[dept(w, t).pk])
    return shows(c.get(url), pending_title(t))


@case("admin API listing, pending title of a live page", "list", "read", "editor")
def _admin_api_pending(c, w, t):
    url = "/admin/api/main/pages/"
    return shows(c.get(url, {"child_of": dept(w, t).pk}), pending_title(t))


@case("admin page search", "search", "read", "editor")
def _admin_search(c, w, t):
    return shows(
        c.get(reverse("wagtailadmin_pages:search"), {"q": "nội bộ"}), secret(t)
    )


@case("admin API listing", "list", "read", "editor")
def _admin_api_list(c, w, t):
    url = "/admin/api/main/pages/"
    return shows(c.get(url, {"child_of": dept(w, t).pk}), secret(t))


@case("admin API detail", "view", "read", "editor")
def _admin_api_detail(c, w, t):
    return shows(c.get(f"/admin/api/main/pages/{page(w, 'draft', t).pk}/"), secret(t))


@case("locked pages report", "report", "read", "moderator")
def _locked_report(c, w, t):
    return shows(c.get(reverse("wagtailadmin_reports:locked_pages")), secret(t))


@case("site history report", "report", "read", "editor")
def _site_history(c, w, t):
    return shows(c.get(reverse("wagtailadmin_reports:site_history")), secret(t))


# --- pages: writes --------------------------------------------------------------------------


@case("page edit", "edit (save draft)", "write", "editor")
def _edit_post(c, w, t):
    p = page(w, "draft", t)
    form = procedure_form(
        title="Tiêu đề đã sửa", national_code=p.specific.national_code
    )
    response = c.post(reverse("wagtailadmin_pages:edit", args=[p.pk]), form)
    latest = Page.objects.get(pk=p.pk).get_latest_revision()
    return wrote(response, latest.content["title"] == "Tiêu đề đã sửa")


@case("page create", "create", "write", "editor")
def _create(c, w, t):
    d = dept(w, t)
    url = reverse("wagtailadmin_pages:add", args=["catalog", "procedurepage", d.pk])
    form = procedure_form(title="Thủ tục mới", national_code="9.999999")
    response = c.post(url, form)
    return wrote(
        response,
        ProcedurePage.objects.filter(national_code="9.999999").child_of(d).exists(),
    )


@case("page publish", "publish", "write", "moderator")
def _publish(c, w, t):
    p = page(w, "draft", t)
    form = procedure_form(
        title=p.title,
        national_code=p.specific.national_code,
        change_note="Công bố",
        complete=True,
    )
    form["action-publish"] = "publish"
    response = c.post(reverse("wagtailadmin_pages:edit", args=[p.pk]), form)
    return wrote(response, Page.objects.get(pk=p.pk).live)


@case("page unpublish", "unpublish", "write", "moderator")
def _unpublish(c, w, t):
    p = page(w, "live", t)
    response = c.post(reverse("wagtailadmin_pages:unpublish", args=[p.pk]))
    return wrote(response, not Page.objects.get(pk=p.pk).live)


@case("page delete", "delete", "write", "moderator")
def _delete(c, w, t):
    p = page(w, "live", t)
    response = c.post(reverse("wagtailadmin_pages:delete", args=[p.pk]))
    return wrote(response, not Page.objects.filter(pk=p.pk).exists())


@case("page copy", "copy", "write", "editor")
def _copy(c, w, t):
    p = page(w, "live", t)
    parent = dept(w, t)
    response = c.post(
        reverse("wagtailadmin_pages:copy", args=[p.pk]),
        {
            "new_title": "Bản sao",
            "new_slug": "ban-sao-kiem-thu",
            "new_national_code": "9.990001",  # a copy needs a code of its own
            "new_parent_page": parent.pk,
            "copy_subpages": False,
            "publish_copies": False,
            "alias": False,
        },
    )
    return wrote(response, Page.objects.filter(slug="ban-sao-kiem-thu").exists())


@case("page move", "move", "write", "editor")
def _move(c, w, t):
    # own: a draft of A into C (both the user's departments); other: B's draft into A.
    p = page(w, "draft", t)
    destination = w.c if t == "own" else w.a
    url = reverse("wagtailadmin_pages:move_confirm", args=[p.pk, destination.pk])
    response = c.post(url)
    moved = Page.objects.get(pk=p.pk).get_parent().pk == destination.pk
    return wrote(response, moved)


@case("page move into another department", "move", "write", "catalog_admin", ("own",))
def _move_out(c, w, t):
    p = page(w, "draft", "own")
    url = reverse("wagtailadmin_pages:move_confirm", args=[p.pk, w.b.pk])
    response = c.post(url)
    moved = Page.objects.get(pk=p.pk).get_parent().pk == w.b.pk
    return wrote(response, moved)


@case("page lock", "lock", "write", "moderator")
def _lock(c, w, t):
    p = page(w, "live", t)
    response = c.post(reverse("wagtailadmin_pages:lock", args=[p.pk]))
    return wrote(response, Page.objects.get(pk=p.pk).locked)


@case("bulk delete", "delete", "write", "moderator")
def _bulk_delete(c, w, t):
    p = page(w, "live", t)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = c.post(f"{url}?id={p.pk}")
    return wrote(response, not Page.objects.filter(pk=p.pk).exists())


@case("bulk unpublish", "unpublish", "write", "moderator")
def _bulk_unpublish(c, w, t):
    p = page(w, "live", t)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    response = c.post(f"{url}?id={p.pk}")
    return wrote(response, not Page.objects.get(pk=p.pk).live)


@case("page unlock", "unlock", "write", "moderator")
def _unlock(c, w, t):
    pk = w.locked[t].pk
    response = c.post(reverse("wagtailadmin_pages:unlock", args=[pk]))
    return wrote(response, not Page.objects.get(pk=pk).locked)


@case("page privacy", "set privacy", "write", "moderator")
def _privacy(c, w, t):
    p = page(w, "live", t)
    response = c.post(
        reverse("wagtailadmin_pages:set_privacy", args=[p.pk]),
        {"restriction_type": "login", "password": "", "groups": []},
    )
    return wrote(response, PageViewRestriction.objects.filter(page_id=p.pk).exists())


@case("workflow", "approve", "write", "moderator")
def _approve(c, w, t):
    p = Page.objects.get(pk=w.in_review[t].pk)
    task_state = p.current_workflow_task_state
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[p.pk, "approve", task_state.pk]
    )
    response = c.post(url, {"comment": ""})
    return wrote(response, Page.objects.get(pk=p.pk).live)


@case("admin API action", "delete", "write", "moderator")
def _api_delete(c, w, t):
    p = page(w, "live", t)
    response = c.post(
        f"/admin/api/main/pages/{p.pk}/action/delete/",
        {},
        content_type="application/json",
    )
    return wrote(response, not Page.objects.filter(pk=p.pk).exists())


@case("documents", "edit", "write", "moderator")
def _document_edit(c, w, t):
    document = template(w, t).document
    response = c.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {"title": "Tài liệu đã sửa", "collection": document.collection_id, "tags": ""},
    )
    return wrote(
        response,
        type(document).objects.get(pk=document.pk).title == "Tài liệu đã sửa",
    )


@case("document chooser", "choose", "read", "editor")
def _document_chooser(c, w, t):
    document = template(w, t).document
    return shows(c.get(reverse("wagtaildocs_chooser:choose")), document.title)


@case("form template chooser", "upload and create", "write", "editor")
def _ft_chooser_create(c, w, t):
    # Editors add their own department's forms from the chooser's «Tải mẫu mới» tab.
    data = {
        "code": "MOI02",
        "name": "Mẫu tạo trong hộp chọn",
        "department": dept(w, t).pk,
        "version": "1",
        "effective_on": "",
        "file": SimpleUploadedFile(
            "mau-moi.pdf", b"%PDF-1.4\n%matrix\n", content_type="application/pdf"
        ),
    }
    url = reverse("wagtailsnippetchoosers_catalog_formtemplate:create")
    response = c.post(url, data)
    return wrote(response, FormTemplate.objects.filter(code="MOI02").exists())


@case("department page edit", "edit", "write", "catalog_admin")
def _department_edit(c, w, t):
    d = dept(w, t)
    response = c.post(
        reverse("wagtailadmin_pages:edit", args=[d.pk]),
        {
            "title": "Đơn vị đổi tên",
            "slug": d.slug,
            "code": d.code,
            "kind": d.kind,
            "parent_department": "",
            "description": "",
            "address": "",
            "phone": "",
            "email": "",
            "website": "",
            "opening_hours": "",
        },
    )
    latest = Page.objects.get(pk=d.pk).get_latest_revision()
    return wrote(response, latest.content["title"] == "Đơn vị đổi tên")


# --- form templates (department-owned snippets) ---------------------------------------------


def template(w, t):
    return FormTemplate.objects.get(
        pk=(w.template_a if t == "own" else w.template_b).pk
    )


def _ft_url(name, *args):
    return reverse(f"wagtailsnippets_catalog_formtemplate:{name}", args=args)


@case("form templates", "list", "read", "editor")
def _ft_list(c, w, t):
    return shows(c.get(_ft_url("list")), template(w, t).name)


@case("form templates", "inspect", "read", "editor")
def _ft_inspect(c, w, t):
    ft = template(w, t)
    return shows(c.get(_ft_url("inspect", ft.pk)), ft.name)


@case("form templates", "history", "read", "department_admin")
def _ft_history(c, w, t):
    ft = template(w, t)
    return shows(c.get(_ft_url("history", ft.pk)), ft.name)


@case("form templates", "usage", "read", "department_admin")
def _ft_usage(c, w, t):
    ft = template(w, t)
    return shows(c.get(_ft_url("usage", ft.pk)), ft.name)


@case("form template chooser", "choose", "read", "editor")
def _ft_chooser(c, w, t):
    url = reverse("wagtailsnippetchoosers_catalog_formtemplate:choose")
    return shows(c.get(url), template(w, t).name)


@case("form template chooser", "chosen", "read", "editor")
def _ft_chosen(c, w, t):
    ft = template(w, t)
    url = reverse("wagtailsnippetchoosers_catalog_formtemplate:chosen", args=[ft.pk])
    return shows(c.get(url), ft.code)


@case("form templates", "edit form", "read", "department_admin")
def _ft_edit_get(c, w, t):
    ft = template(w, t)
    return shows(c.get(_ft_url("edit", ft.pk)), ft.name)


def _ft_form(ft, **overrides):
    data = {
        "code": ft.code,
        "name": ft.name,
        "department": ft.department_id,
        "document": ft.document_id or "",
        "version": ft.version,
        "effective_on": "",
    }
    data.update(overrides)
    return data


@case("form templates", "edit", "write", "department_admin")
def _ft_edit(c, w, t):
    ft = template(w, t)
    response = c.post(_ft_url("edit", ft.pk), _ft_form(ft, name="Tên đã sửa"))
    return wrote(response, FormTemplate.objects.get(pk=ft.pk).name == "Tên đã sửa")


@case("form templates", "delete", "write", "department_admin")
def _ft_delete(c, w, t):
    ft = template(w, t)
    response = c.post(_ft_url("delete", ft.pk))
    return wrote(response, not FormTemplate.objects.filter(pk=ft.pk).exists())


@case("form templates", "create", "write", "department_admin")
def _ft_create(c, w, t):
    d = dept(w, t)
    data = {
        "code": "MOI01",
        "name": "Mẫu mới",
        "department": d.pk,
        "document": "",
        "version": "1",
        "effective_on": "",
    }
    response = c.post(_ft_url("add"), data)
    return wrote(response, FormTemplate.objects.filter(code="MOI01").exists())


@case("form templates", "bulk delete", "write", "department_admin")
def _ft_bulk_delete(c, w, t):
    ft = template(w, t)
    url = reverse("wagtail_bulk_action", args=["catalog", "formtemplate", "delete"])
    response = c.post(f"{url}?id={ft.pk}")
    return wrote(response, not FormTemplate.objects.filter(pk=ft.pk).exists())


# --- shared lists ---------------------------------------------------------------------------


def _field_url(name, *args):
    return reverse(f"wagtailsnippets_catalog_field:{name}", args=args)


@case("shared list", "list", "read", "editor", ("shared",))
def _field_list(c, w, t):
    return shows(c.get(_field_url("list")), w.field.name)


@case("shared list chooser", "choose", "read", "editor", ("shared",))
def _field_chooser(c, w, t):
    return shows(
        c.get(reverse("wagtailsnippetchoosers_catalog_field:choose")), w.field.name
    )


@case("shared list", "edit", "write", "catalog_admin", ("shared",))
def _field_edit(c, w, t):
    response = c.post(
        _field_url("edit", w.field.pk), {"code": w.field.code, "name": "Đã sửa"}
    )
    return wrote(response, Field.objects.get(pk=w.field.pk).name == "Đã sửa")


@case("shared list", "delete", "write", "catalog_admin", ("shared",))
def _field_delete(c, w, t):
    response = c.post(_field_url("delete", w.field.pk))
    return wrote(response, not Field.objects.filter(pk=w.field.pk).exists())


@case("shared list", "create", "write", "catalog_admin", ("shared",))
def _field_create(c, w, t):
    response = c.post(_field_url("add"), {"code": "NEW-1", "name": "Mới"})
    return wrote(response, Field.objects.filter(code="NEW-1").exists())


# --- roles screen and audit log -------------------------------------------------------------


@case("roles screen", "grant", "write", "department_admin")
def _grant(c, w, t):
    d = dept(w, t)
    response = c.post(
        reverse("catalog_memberships"),
        {"username": w.newcomer.username, "role": "moderator", "department": d.pk},
    )
    return wrote(
        response,
        DepartmentMembership.objects.filter(user=w.newcomer, department=d).exists(),
    )


@case("roles screen", "revoke", "write", "department_admin")
def _revoke(c, w, t):
    membership = DepartmentMembership.objects.get(user=w.member_of[t])
    response = c.post(reverse("catalog_membership_revoke", args=[membership.pk]))
    return wrote(
        response, not DepartmentMembership.objects.filter(pk=membership.pk).exists()
    )


@case("roles screen", "grant catalog admin", "write", "catalog_admin", ("shared",))
def _grant_admin(c, w, t):
    response = c.post(
        reverse("catalog_memberships"),
        {"username": w.newcomer.username, "role": "catalog_admin", "department": ""},
    )
    return wrote(response, w.newcomer.groups.filter(name="Quản trị danh mục").exists())


@case("permission audit log", "view", "read", "catalog_admin", ("shared",))
def _audit_view(c, w, t):
    return shows(c.get(reverse("catalog_audit_log")), "grant department_admin")


# --- import / export (the importer asks catalog.permissions through ImportAccess) -------------


@case("import", "import rows", "write", "moderator")
def _import(c, w, t):
    from catalog.importing.access import ImportAccess

    user = w.current_user
    allowed = user is not None and ImportAccess(user).may_import(dept(w, t))
    return Outcome(200 if allowed else 403, allowed)


@case("export", "export rows", "read", "editor")
def _export(c, w, t):
    from catalog.importing.access import departments_for_export

    user = w.current_user
    allowed = (
        user is not None
        and departments_for_export(user).filter(pk=dept(w, t).pk).exists()
    )
    return Outcome(200 if allowed else 403, allowed)


# --- public surfaces: drafts never leak, whoever asks -----------------------------------------


@case("public API (v1) procedures", "list", "read", "nobody")
def _public_api(c, w, t):
    return shows(c.get("/api/v1/procedures/"), secret(t))


@case("public API (v1) search", "search", "read", "nobody")
def _public_search(c, w, t):
    return shows(c.get("/api/v1/search/", {"q": "nội bộ"}), secret(t))


@case("public API (v1) procedure detail, pending title", "view", "read", "nobody")
def _public_api_pending(c, w, t):
    p = page(w, "live", t).specific
    return shows(c.get(f"/api/v1/procedures/{p.national_code}/"), pending_title(t))


@case("public page, pending title of a live page", "view", "read", "nobody")
def _public_page_pending(c, w, t):
    p = page(w, "live", t)
    return shows(c.get(p.url), pending_title(t))


@case("Wagtail pages API", "detail", "read", "nobody")
def _wagtail_api(c, w, t):
    return shows(c.get(f"/api/v2/pages/{page(w, 'draft', t).pk}/"), secret(t))


@case("public page URL", "view", "read", "nobody")
def _public_page(c, w, t):
    p = page(w, "draft", t)
    return shows(c.get(f"{dept(w, t).url}{p.slug}/"), secret(t))


# --- the runner -----------------------------------------------------------------------------


def snapshot():
    """Everything a refused write could have touched."""
    page_fields = [
        "pk",
        "path",
        "live",
        "title",
        "locked",
        "draft_title",
        "latest_revision_id",
    ]
    return (
        list(Page.objects.order_by("pk").values_list(*page_fields)),
        Revision.objects.count(),
        list(
            FormTemplate.objects.order_by("pk").values_list(
                "pk", "name", "department_id"
            )
        ),
        list(Field.objects.order_by("pk").values_list("pk", "name")),
        list(
            DepartmentMembership.objects.order_by("pk").values_list(
                "pk", "user_id", "role"
            )
        ),
        list(
            Group.user_set.through.objects.order_by("pk").values_list(
                "user_id", "group_id"
            )
        ),
        GroupObjectPermission.objects.count(),
        CatalogEvent.objects.count(),
    )


@pytest.fixture
def world(db):
    w = build_world()
    from tests.factories import make_department, make_procedure

    w.c = make_department(code="STP2", title="Chi cục thuộc Sở Tư pháp")
    for role in DEPARTMENT_ROLES:
        grant_role(actor=w.root, user=w.users[role], department=w.c, role=role)
    for p in (w.draft_a, w.draft_b):
        p.save_revision(user=w.root)  # a second revision to compare with
        log(instance=p, action="wagtail.edit", user=w.root)
    w.locked, w.in_review = {}, {}
    for t, d, text, n in (
        ("own", w.a, DRAFT_SECRET_A, 1),
        ("other", w.b, DRAFT_SECRET_B, 2),
    ):
        locked = make_procedure(
            department=d,
            national_code=f"{n}.000003",
            title=f"{text} (khóa)",
            publish=False,
        )
        Page.objects.filter(pk=locked.pk).update(locked=True, locked_by=w.root)
        w.locked[t] = locked
        review = make_procedure(
            department=d,
            national_code=f"{n}.000004",
            title=f"{text} (chờ duyệt)",
            publish=False,
        )
        review.get_workflow().start(review, w.root)
        w.in_review[t] = review
    for t, p in (("own", w.live_a), ("other", w.live_b)):
        live = ProcedurePage.objects.get(pk=p.pk)
        live.title = pending_title(t)
        live.save_revision(user=w.root)
    w.field = Field.objects.create(code="G15-TP07", name="Hộ tịch thử nghiệm")
    w.newcomer = make_user("newcomer")
    w.member_of = {}
    for t, d in (("own", w.a), ("other", w.b)):
        member = make_user(f"member-{t}")
        grant_role(actor=w.root, user=member, department=d, role="editor")
        w.member_of[t] = member
    return w


DENIED_STATUSES = {302, 403, 404, 405}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, world):
    failures = []
    count = 0
    for c in CASES:
        for target in c.targets:
            count += 1
            allowed = expected(role, c, target)
            with transaction.atomic():
                client = Client()
                user = world.users[role]
                if user is not None:
                    client.force_login(user)
                world.current_user = user
                before = snapshot()
                denied_before = PermissionAuditEntry.objects.filter(
                    kind=AuditKind.DENIED
                ).count()
                outcome = c.run(client, world, target)
                label = f"{role:16} {c.surface} / {c.action} [{target}]"
                if allowed:
                    if not outcome.effective or outcome.status >= 400:
                        failures.append(f"{label}: expected allowed, got {outcome}")
                elif outcome.effective:
                    failures.append(f"LEAK {label}: expected denied, got {outcome}")
                elif c.kind == "write":
                    denied_after = PermissionAuditEntry.objects.filter(
                        kind=AuditKind.DENIED
                    ).count()
                    if outcome.status not in DENIED_STATUSES | {200}:
                        failures.append(f"{label}: unexpected status {outcome}")
                    if snapshot() != before:
                        failures.append(f"{label}: denied but the database changed")
                    if not (
                        outcome.status in (403, 404, 405)
                        or "/login/" in outcome.location
                        or outcome.location.rstrip("/").endswith("/admin")
                        or "/admin/bulk/" in outcome.location
                        or outcome.location.rstrip("/").endswith("/admin")
                    ):
                        failures.append(
                            f"SILENT {label}: refused without saying so {outcome}"
                        )
                    bounced = (
                        outcome.status == 403
                        or "/login/" in outcome.location
                        or "/admin/bulk/" in outcome.location
                        or outcome.location.rstrip("/").endswith("/admin")
                    )
                    if (
                        bounced
                        and denied_after == denied_before
                        and c.surface not in ("import",)
                    ):
                        failures.append(f"{label}: refusal not in the audit log")
                elif outcome.status >= 500:
                    failures.append(f"{label}: server error {outcome}")
                transaction.set_rollback(True)
    MATRIX_SIZE[role] = count
    assert not failures, "\n".join(failures)


def test_every_case_has_a_positive_control():
    """A denial proves nothing if the action is broken for everyone: each case has an allowed role."""
    for c in CASES:
        for target in c.targets:
            if c.min_role != "nobody":
                assert any(expected(role, c, target) for role in ROLES), (c, target)
