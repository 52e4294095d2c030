"""One gate in front of every Wagtail admin view: refuse what names another department's objects.

Wagtail's generic views check permissions late or not at all: bulk-action confirmations, choosers,
move/copy confirmations and workflow modals render (or flash in a message) the titles of the
objects they were given before any check. This middleware resolves the admin URL, finds every
object the request names (ids in the path, `?id=` lists including `id=all&childOf=`, destinations
in the form or JSON body, task states, documents, collections, form templates) and answers 403,
with an entry in the permission audit log, when the user may not act on one of them. Catalog
administrators pass untouched; the views' own checks still run for everyone else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponseForbidden, JsonResponse, QueryDict
from django.utils.html import escape

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, TaskState

from catalog.models import DepartmentIndexPage, DepartmentPage, FormTemplate, Role
from catalog.permissions import departments_user_can, is_catalog_admin
from catalog.request_values import is_id
from catalog.services.roles import record_denied

ADMIN_PREFIX = "/admin/"
CATALOG_ADMIN_CHOICE = "catalog_admin"

# Path kwargs that name a page, per view; the first group is the page acted on ("subject").
SUBJECT_PAGE_KWARGS = ("page_id", "page_to_move_id", "page_pk")
OTHER_PAGE_KWARGS = ("parent_page_id", "destination_id")
PAGE_PK_VIEWS = ("wagtailadmin_pages:", "wagtailadmin_api:pages:")

# Reading these with a live page of another department is what they are for (linking).
LIVE_PAGE_READS = {"wagtailadmin_choose_page_child"}

# Views that change a page; on a department page (or the index) they are the catalog
# administrators' alone, whatever Wagtail's page permissions say.
PAGE_WRITE_VIEWS = {
    "wagtailadmin_pages:edit",
    "wagtailadmin_pages:delete",
    "wagtailadmin_pages:unpublish",
    "wagtailadmin_pages:convert_alias",
    "wagtailadmin_pages:move",
    "wagtailadmin_pages:move_confirm",
    "wagtailadmin_pages:set_page_position",
    "wagtailadmin_pages:copy",
    "wagtailadmin_pages:workflow_action",
    "wagtailadmin_pages:collect_workflow_action_data",
    "wagtailadmin_pages:confirm_workflow_cancellation",
    "wagtailadmin_pages:set_privacy",
    "wagtailadmin_pages:lock",
    "wagtailadmin_pages:unlock",
    "wagtailadmin_pages:revisions_revert",
    "wagtailadmin_pages:revisions_unschedule",
    "wagtailadmin_api:pages:action",
    "wagtailadmin_workflows:remove",
}

# Views naming a document (kwarg) or an image.
DOCUMENT_KWARGS = ("document_id", "doc_id")
IMAGE_KWARGS = ("image_id",)
DOCUMENT_PK_VIEWS = ("wagtaildocs_chooser:chosen", "wagtailadmin_api:documents:detail")
IMAGE_PK_VIEWS = (
    "wagtailimages_chooser:chosen",
    "wagtailadmin_api:images:detail",
)
COLLECTION_PK_VIEWS = (
    "wagtailadmin_collections:edit",
    "wagtailadmin_collections:delete",
)
ID_LIST_VIEWS = {
    "wagtailadmin_choose_page_chosen_multiple": "page",
    "wagtaildocs_chooser:chosen_multiple": "document",
    "wagtailimages_chooser:chosen_multiple": "image",
    "wagtailsnippetchoosers_catalog_formtemplate:chosen_multiple": "formtemplate",
}
FORM_TEMPLATE_VIEWS = "wagtailsnippets_catalog_formtemplate:"
FORM_TEMPLATE_CHOSEN = "wagtailsnippetchoosers_catalog_formtemplate:chosen"
FORM_TEMPLATE_UPLOAD = "wagtailsnippetchoosers_catalog_formtemplate:create"


@dataclass
class Refusal:
    reason: str
    department: DepartmentPage | None = None


@dataclass
class Scope:
    """What the request's user may see: their departments (ids, paths, collections)."""

    user: object
    department_ids: set = field(default_factory=set)
    department_paths: tuple = ()

    @classmethod
    def of(cls, user) -> Scope:
        rows = list(departments_user_can(user, "view").values_list("pk", "path"))
        return cls(
            user=user,
            department_ids={pk for pk, _ in rows},
            department_paths=tuple(path for _, path in rows),
        )

    # --- owners ---------------------------------------------------------------------------

    @staticmethod
    def department_of_page(page: Page) -> DepartmentPage | None:
        steplen = Page.steplen
        prefixes = [
            page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)
        ]
        return DepartmentPage.objects.filter(path__in=prefixes).first()

    @staticmethod
    def department_of_collection(collection_id) -> DepartmentPage | None:
        collection = Collection.objects.filter(pk=collection_id).first()
        if collection is None:
            return None
        steplen = Collection.steplen
        prefixes = [
            collection.path[:end]
            for end in range(steplen, len(collection.path) + 1, steplen)
        ]
        return (
            DepartmentPage.objects.filter(collection__path__in=prefixes)
            .order_by("-collection__depth")
            .first()
        )

    def foreign(self, department: DepartmentPage | None) -> bool:
        return department is not None and department.pk not in self.department_ids

    # --- checks ---------------------------------------------------------------------------

    def check_page(self, page_id, *, live_ok=False) -> Refusal | None:
        page = Page.objects.filter(pk=page_id).first()
        if page is None:
            return None
        department = self.department_of_page(page)
        if self.foreign(department) and not (live_ok and page.live):
            return Refusal(f"page {page.pk} of another department", department)
        return None

    def check_document(self, document_id) -> Refusal | None:
        row = (
            get_document_model()
            .objects.filter(pk=document_id)
            .values_list("collection_id", flat=True)
            .first()
        )
        department = self.department_of_collection(row) if row else None
        if self.foreign(department):
            return Refusal(f"document {document_id} of another department", department)
        return None

    def check_image(self, image_id) -> Refusal | None:
        row = (
            get_image_model()
            .objects.filter(pk=image_id)
            .values_list("collection_id", flat=True)
            .first()
        )
        department = self.department_of_collection(row) if row else None
        if self.foreign(department):
            return Refusal(f"image {image_id} of another department", department)
        return None

    def check_collection(self, collection_id) -> Refusal | None:
        department = self.department_of_collection(collection_id)
        if self.foreign(department):
            return Refusal(
                f"collection {collection_id} of another department", department
            )
        return None

    def check_form_template(self, pk) -> Refusal | None:
        template = (
            FormTemplate.objects.filter(pk=pk).select_related("department").first()
        )
        if template is not None and self.foreign(template.department):
            return Refusal(
                f"form template {pk} of another department", template.department
            )
        return None

    def check(self, kind: str, pk) -> Refusal | None:
        return {
            "page": self.check_page,
            "document": self.check_document,
            "image": self.check_image,
            "collection": self.check_collection,
            "formtemplate": self.check_form_template,
        }[kind](pk)

    def check_ids(self, kind: str, ids) -> Refusal | None:
        for pk in ids:
            refusal = self.check(kind, pk)
            if refusal:
                return refusal
        return None


def _ids(values) -> list[int]:
    return [int(value) for value in values if is_id(value)]


def _is_structure(page_id) -> bool:
    page = Page.objects.filter(pk=page_id).select_related("content_type").first()
    if page is None:
        return False
    return issubclass(
        page.content_type.model_class() or Page, DepartmentPage | DepartmentIndexPage
    )


def _json_body(request) -> dict:
    if "json" not in request.META.get("CONTENT_TYPE", ""):
        return {}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


# --- the rules, one per kind of admin surface ----------------------------------------------


def _page_rules(scope: Scope, request, name: str, kwargs: dict) -> Refusal | None:
    subject = [kwargs[k] for k in SUBJECT_PAGE_KWARGS if k in kwargs]
    if "pk" in kwargs and name.startswith(PAGE_PK_VIEWS):
        subject.append(kwargs["pk"])
    others = [kwargs[k] for k in OTHER_PAGE_KWARGS if k in kwargs]
    live_ok = name in LIVE_PAGE_READS and request.method == "GET"
    for page_id in subject + others:
        refusal = scope.check_page(page_id, live_ok=live_ok)
        if refusal:
            return refusal
    if name in PAGE_WRITE_VIEWS:
        for page_id in subject:
            if _is_structure(page_id):
                return Refusal(
                    f"department page {page_id}: catalog administrators only"
                )
    # Destinations named in the form or the JSON body (copy, bulk move, admin API move/copy).
    destinations = []
    if request.method == "POST":
        destinations += _ids([request.POST.get("new_parent_page", "")])
        body = _json_body(request)
        destinations += _ids([body.get("destination_page_id", "")])
    if name.startswith("wagtailadmin_api:pages:listing"):
        destinations += _ids(
            [request.GET.get("child_of", ""), request.GET.get("descendant_of", "")]
        )
    for page_id in destinations:
        refusal = scope.check_page(page_id)
        if refusal:
            return refusal
    return _workflow_rules(scope, request, name, kwargs)


def _workflow_rules(scope: Scope, request, name: str, kwargs: dict) -> Refusal | None:
    """Only the task's reviewers, only while the task is open; never a redirect naming the page."""
    if name not in (
        "wagtailadmin_pages:workflow_action",
        "wagtailadmin_pages:collect_workflow_action_data",
        "wagtailadmin_pages:workflow_preview",
        "wagtailadmin_pages:confirm_workflow_cancellation",
    ):
        return None
    page = Page.objects.filter(pk=kwargs.get("page_id")).first()
    if page is None:
        return None
    page = page.specific_deferred
    user = request.user
    if name == "wagtailadmin_pages:confirm_workflow_cancellation":
        if not page.permissions_for_user(user).can_publish():
            return Refusal(f"cancel workflow of page {page.pk}: no publish permission")
        return None
    open_states = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__base_content_type_id=page.get_base_content_type().pk,
        workflow_state__object_id=str(page.pk),
    )
    if name == "wagtailadmin_pages:workflow_preview":
        state = open_states.filter(task_id=kwargs.get("task_id")).first()
        if state is None or not state.task.specific.get_actions(page, user):
            return Refusal(
                f"preview task of page {page.pk}: not a reviewer of an open task"
            )
        return None
    state = open_states.filter(pk=kwargs.get("task_state_id")).first()
    action = kwargs.get("action_name")
    if state is None:
        return Refusal(f"workflow {action} on page {page.pk}: task not in review")
    available = [a[0] for a in state.task.specific.get_actions(page, user)]
    if action not in available:
        return Refusal(
            f"workflow {action} on page {page.pk}: not available to the user"
        )
    return None


def _bulk_rules(scope: Scope, request, kwargs: dict) -> Refusal | None:
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    app_label, model_name = kwargs.get("app_label"), kwargs.get("model_name")
    action_class = bulk_action_registry.get_bulk_action_class(
        app_label, model_name, kwargs.get("action")
    )
    if action_class is None:
        return None
    model = apps.get_model(app_label, model_name)
    kind = _kind_of(model)
    requested = request.GET.getlist("id")
    if kind == "page" and is_id(request.GET.get("childOf", "")):
        refusal = scope.check_page(request.GET["childOf"])
        if refusal:
            return refusal
    if "all" in requested:
        # Resolve "everything in the listing" as Wagtail would, then keep only what the
        # user's departments own: Wagtail would otherwise list the others by name.
        action = action_class(request, model)
        try:
            resolved = list(
                action.get_all_objects_in_listing_query(request.GET.get("childOf"))
            )
        except (ObjectDoesNotExist, ValueError) as error:
            raise Http404 from error
        kept = [pk for pk in resolved if kind is None or not scope.check(kind, pk)]
        if len(kept) < len(resolved):
            record_denied(
                actor=request.user,
                action=f"{request.method} {request.path}"[:300],
                detail=f"id=all: {len(resolved) - len(kept)} objects of other departments left out",
            )
        query = request.GET.copy()
        query.setlist("id", [str(pk) for pk in kept])
        request.GET = QueryDict(query.urlencode())
        requested = [str(pk) for pk in kept]
    if kind is not None:
        refusal = scope.check_ids(kind, _ids(requested))
        if refusal:
            return refusal
    if kind == "page":
        for page_id in _ids(requested):
            if _is_structure(page_id):
                return Refusal(
                    f"department page {page_id}: catalog administrators only"
                )
        if request.method == "POST":
            refusal = scope.check_ids("page", _ids([request.POST.get("chooser", "")]))
            if refusal:
                return refusal
    if kind == "document" and request.method == "POST":
        refusal = scope.check_ids(
            "collection", _ids([request.POST.get("collection", "")])
        )
        if refusal:
            return refusal
    return None


def _kind_of(model) -> str | None:
    if issubclass(model, Page):
        return "page"
    if issubclass(model, get_document_model()):
        return "document"
    if issubclass(model, get_image_model()):
        return "image"
    if issubclass(model, FormTemplate):
        return "formtemplate"
    return None


def _media_rules(scope: Scope, request, name: str, kwargs: dict) -> Refusal | None:
    for key in DOCUMENT_KWARGS:
        if key in kwargs:
            return scope.check_document(kwargs[key])
    for key in IMAGE_KWARGS:
        if key in kwargs:
            return scope.check_image(kwargs[key])
    if name in DOCUMENT_PK_VIEWS and is_id(kwargs.get("pk", "")):
        return scope.check_document(kwargs["pk"])
    if name in IMAGE_PK_VIEWS and is_id(kwargs.get("pk", "")):
        return scope.check_image(kwargs["pk"])
    if name in COLLECTION_PK_VIEWS:
        return scope.check_collection(kwargs.get("pk"))
    if name == "wagtailadmin_collections:set_privacy":
        return scope.check_collection(kwargs.get("collection_id"))
    if name in ("wagtaildocs:edit", "wagtaildocs:add", "wagtaildocs:add_multiple"):
        if request.method == "POST":
            return scope.check_ids(
                "collection", _ids([request.POST.get("collection", "")])
            )
    return None


def _id_list_rules(scope: Scope, request, name: str) -> Refusal | None:
    kind = ID_LIST_VIEWS.get(name)
    if kind is None:
        return None
    ids = _ids(request.GET.getlist("id"))
    if kind == "page":
        # The chooser offers live pages of every department, drafts of the user's own only.
        for page_id in ids:
            refusal = scope.check_page(page_id, live_ok=True)
            if refusal:
                return refusal
        return None
    return scope.check_ids(kind, ids)


def _form_template_rules(
    scope: Scope, request, name: str, kwargs: dict
) -> Refusal | None:
    if not (
        name.startswith(FORM_TEMPLATE_VIEWS)
        or name in (FORM_TEMPLATE_CHOSEN, FORM_TEMPLATE_UPLOAD)
    ):
        return None
    pk = kwargs.get("pk")
    if pk is not None and is_id(pk):
        refusal = scope.check_form_template(pk)
        if refusal:
            return refusal
    if request.method == "POST" and name != FORM_TEMPLATE_CHOSEN:
        # A forged document id would be re-rendered with its title by the chooser widget.
        refusal = scope.check_ids("document", _ids([request.POST.get("document", "")]))
        if refusal:
            return refusal
        department_id = request.POST.get("department", "")
        if is_id(department_id) and scope.foreign(
            DepartmentPage.objects.filter(pk=department_id).first()
        ):
            department = DepartmentPage.objects.get(pk=department_id)
            return Refusal(f"form template for department {department_id}", department)
    return None


def _editing_session_rules(scope: Scope, request, name: str, kwargs: dict):
    if name != "wagtailadmin_editing_sessions:ping":
        return None
    try:
        model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
    except (LookupError, KeyError):
        return None
    kind = _kind_of(model)
    object_id = kwargs.get("object_id", "")
    if kind and is_id(object_id):
        return scope.check(kind, object_id)
    return None


def _membership_rules(scope: Scope, request, name: str) -> Refusal | None:
    """A role the grant form never offered is a forged request, not a typo (403, audited)."""
    if name != "catalog_memberships" or request.method != "POST":
        return None
    role = request.POST.get("role", "")
    if role and role not in Role.values and role != CATALOG_ADMIN_CHOICE:
        return Refusal(f"grant {role[:40]}: role not offered")
    return None


def _user_and_group_rules(scope: Scope, request, name: str) -> Refusal | None:
    """Accounts and groups are the superusers' (docs/permissions.md); Wagtail would answer a
    department user with a redirect home that the audit log never heard of."""
    for prefix, model in (
        ("wagtailusers_users:", "user"),
        ("wagtailusers_groups:", "group"),
    ):
        if name.startswith(prefix):
            user = request.user
            if not any(
                user.has_perm(f"auth.{action}_{model}")
                for action in ("add", "change", "delete", "view")
            ):
                return Refusal(f"{model}s screen: no permission")
    return None


RULES = (
    _id_list_rules,
    _membership_rules,
    _user_and_group_rules,
)
KWARG_RULES = (
    _page_rules,
    _media_rules,
    _form_template_rules,
    _editing_session_rules,
)


def refusal_for(request, view_name: str, kwargs: dict) -> Refusal | None:
    """The first reason to refuse this admin request to a non-catalog-administrator, if any."""
    scope = Scope.of(request.user)
    if view_name == "wagtail_bulk_action":
        return _bulk_rules(scope, request, kwargs)
    for rule in RULES:
        refusal = rule(scope, request, view_name)
        if refusal:
            return refusal
    for rule in KWARG_RULES:
        refusal = rule(scope, request, view_name, kwargs)
        if refusal:
            return refusal
    return None


def refuse(request, refusal: Refusal):
    """403 naming the owning department (its name is public) but nothing of the object itself."""
    request._catalog_denied = True
    department = refusal.department
    record_denied(
        actor=request.user,
        action=f"{request.method} {request.get_full_path()}"[:300],
        department=department,
        detail=refusal.reason,
    )
    if department is not None:
        message = (
            f"Đối tượng này thuộc {department.title}; bạn không có quyền xem hay thao tác "
            "trên nó. Hãy liên hệ đơn vị đó hoặc quản trị danh mục."
        )
    else:
        message = "Bạn không có quyền thực hiện thao tác này."
    if (
        request.path.startswith(f"{ADMIN_PREFIX}api/")
        or request.headers.get("x-requested-with") == "XMLHttpRequest"
    ):
        return JsonResponse({"message": message}, status=403)
    return HttpResponseForbidden(
        f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>403</title>'
        f"<h1>Không có quyền truy cập</h1><p>{escape(message)}</p></html>"
    )


EXTERNAL_LINK_VIEW = "wagtailadmin_choose_page_external_link"
EXTERNAL_LINK_FIELD = "external-link-chooser-url"


def prepare_external_link(request) -> None:
    """The link chooser turns a pasted URL of a page into a page link, answering with the page's
    *draft* title; and a POST without the URL field is a 500 in Wagtail (None.startswith)."""
    request._catalog_external_link = True
    if request.method == "POST" and EXTERNAL_LINK_FIELD not in request.POST:
        data = request.POST.copy()
        data[EXTERNAL_LINK_FIELD] = ""
        request.POST = data


def retitle_external_link(response):
    """Give a converted link the title the user may see (Page.get_admin_display_title, which
    shows other departments only the published title), not Wagtail's draft_title: in the
    chosen result, and in the "convert to an internal link?" confirmation (its data and HTML)."""
    if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
        return response
    try:
        data = json.loads(response.content)
    except ValueError:
        return response
    if not isinstance(data, dict):
        return response
    changed = False
    for key in ("result", "internal"):
        link = data.get(key)
        if not isinstance(link, dict) or "adminTitle" not in link:
            continue
        page = Page.objects.filter(pk=link.get("id")).first()
        if page is None:
            continue
        allowed = page.specific_deferred.get_admin_display_title()
        if page.draft_title != allowed:
            link["adminTitle"] = allowed
            if isinstance(data.get("html"), str):
                data["html"] = data["html"].replace(
                    str(escape(page.draft_title)), str(escape(allowed))
                )
            changed = True
    if not changed:
        return response
    replacement = JsonResponse(data, status=response.status_code)
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            replacement[header] = value
    return replacement


_NAMED_ROUTES: dict[str, str] = {}


def named_route(route: str) -> str:
    """The URL name Wagtail gave a route that the project re-routes without a name (a view
    wrapped in cms/urls.py keeps the rules of the view it wraps)."""
    if not _NAMED_ROUTES:
        from django.urls import URLResolver, get_resolver

        def walk(resolver, prefix="", namespace=""):
            for pattern in resolver.url_patterns:
                if isinstance(pattern, URLResolver):
                    inner = namespace + (
                        f"{pattern.namespace}:" if pattern.namespace else ""
                    )
                    walk(pattern, prefix + str(pattern.pattern), inner)
                elif pattern.name:
                    _NAMED_ROUTES.setdefault(
                        prefix + str(pattern.pattern), namespace + pattern.name
                    )

        walk(get_resolver())
    return _NAMED_ROUTES.get(route, "")


class AdminGuardMiddleware:
    """Runs after URL resolution and before the view (process_view), for admin URLs only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_catalog_external_link", False):
            response = retitle_external_link(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(ADMIN_PREFIX):
            return None
        if request.resolver_match and (
            request.resolver_match.view_name == EXTERNAL_LINK_VIEW
        ):
            prepare_external_link(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_catalog_admin(user):
            return None
        match = getattr(request, "resolver_match", None)
        if match is None:
            return None
        view_name = match.view_name if match.url_name else named_route(match.route)
        if not view_name:
            return None
        refusal = refusal_for(request, view_name, view_kwargs)
        if refusal is not None:
            return refuse(request, refusal)
        return None


# --- Wagtail's admin API: documents and images ---------------------------------------------


def _admin_api_viewsets():
    """Admin API endpoints that see the session user and list only what the user may choose.

    Wagtail registers these without authentication classes; with this project's REST_FRAMEWORK
    defaults (no authentication, no unauthenticated user) they ran without a user at all, listed
    every document and failed on collection view restrictions. The public API is unaffected.
    """
    from rest_framework.authentication import SessionAuthentication

    from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
    from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
    from wagtail.permissions import policy_registry

    class _ScopedMixin:
        authentication_classes = [SessionAuthentication]

        def get_queryset(self):
            queryset = super().get_queryset()
            user = self.request.user
            if is_catalog_admin(user):
                return queryset
            allowed = policy_registry.get_by_type(
                self.model
            ).instances_user_has_any_permission_for(user, ["choose", "change"])
            return queryset.filter(pk__in=allowed.values("pk"))

    class ScopedDocumentsAdminAPIViewSet(_ScopedMixin, DocumentsAdminAPIViewSet):
        pass

    class ScopedImagesAdminAPIViewSet(_ScopedMixin, ImagesAdminAPIViewSet):
        pass

    return ScopedDocumentsAdminAPIViewSet, ScopedImagesAdminAPIViewSet


def register_admin_api_endpoints(router) -> None:
    documents, images = _admin_api_viewsets()
    router.register_endpoint("documents", documents)
    router.register_endpoint("images", images)


# --- reports --------------------------------------------------------------------------------


def scope_page_types_usage_report() -> None:
    """The page-types report names the last edited page of each type: hide others' drafts."""
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

    original = PageTypesUsageReportView.decorate_paginated_queryset
    if getattr(original, "_catalog_scoped", False):
        return

    def decorate_paginated_queryset(self, page_types):
        page_types = original(self, page_types)
        user = self.request.user
        if is_catalog_admin(user):
            return page_types
        scope = Scope.of(user)
        for item in page_types:
            page = getattr(item, "last_edited_page", None)
            if page is not None and not page.live and scope.check_page(page.pk):
                item.last_edited_page = None
        return page_types

    decorate_paginated_queryset._catalog_scoped = True
    PageTypesUsageReportView.decorate_paginated_queryset = decorate_paginated_queryset
