"""Every routed admin URL, filled with a victim department's objects and probed as another's roles.

The routes come from Django's URL resolver, not from a list: `routes()` walks it and keeps the
admin, `/api/v1/`, `/api/v2/`, documents and the public site. Each route is classified:

- a route with parameters is filled by `PARAMS` (parameter name → the victim's objects), where a
  bare `pk` takes the objects of the view's model (`MODEL_OBJECTS`); a few routes whose parameters
  depend on each other (bulk actions, revision comparison, settings…) have a filler in `ROUTES`;
- a route without parameters must be listed in `NO_OBJECTS` with the reason it has nothing to
  fill and the query strings it is probed with (`?q=` a secret's words, `?id=` the victim's ids);
- anything else (an unknown parameter, a `pk` of an unknown model, a new parameterless view) is
  "unclassified" and fails the test by name, so a Wagtail upgrade that adds a view is noticed.

The victim's unpublished and private texts carry the marker `ZQXSECRET-<n>`; no request ever
contains it (asserted), so a search box echoing its query is never counted as a leak.
"""

from __future__ import annotations

import copy
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.base import ContentFile
from django.core.signals import got_request_exception
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from taggit.models import TaggedItem
from wagtail.admin.models import EditingSession
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    PageViewRestriction,
    Revision,
    Site,
    Task,
    TaskState,
    UploadedFile,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from guardian.models import GroupObjectPermission, UserObjectPermission

from api.models import ApiKey
from api.services import issue_api_key
from catalog.models import (
    DepartmentMembership,
    DepartmentPage,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    PublicHoliday,
    Result,
    SubjectType,
)
from catalog.services.roles import grant_role
from cms.models import PortalSettings
from search.models import BestBet, Synonym
from tests.factories import make_department, make_procedure
from tests.permissions.world import make_user

MARK = "ZQXSECRET"
MARK_RE = re.compile(rf"{MARK}-(\d+)", re.IGNORECASE)
# The words of the secrets, searched for by `?q=`: they find the secrets without naming the marker.
SECRET_WORDS = "tuyệt mật"
PREFIXES = ("admin/", "api/v1/", "api/v2/", "documents/", "")
DEPARTMENT_ROLES = ("editor", "moderator", "department_admin")
KNOWN_CONVERTERS = (
    IntConverter,
    StringConverter,
    SlugConverter,
    PathConverter,
    UUIDConverter,
)


def secret(n: int, words: str) -> str:
    return f"{MARK}-{n} {words} {SECRET_WORDS}"


# --- the routes ---------------------------------------------------------------------------------


@dataclass
class Route:
    key: str  # the URL name (with its parameters when a name is routed twice), or the route
    name: str | None
    route: str  # the pattern as text, e.g. admin/pages/<int:page_id>/edit/
    params: list[str]  # keyword parameters; positional ones are "#0", "#1"…
    converters: dict
    view: str  # dotted path of the view (class or function)
    model: type | None


def _view_of(pattern: URLPattern) -> tuple[str, type | None]:
    callback = pattern.callback
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    initkwargs = (
        getattr(callback, "view_initkwargs", None)
        or getattr(callback, "initkwargs", None)
        or {}
    )
    model = initkwargs.get("model") or getattr(cls, "model", None)
    if not (isinstance(model, type) and issubclass(model, models.Model)):
        model = None
    target = cls or callback
    return f"{target.__module__}.{target.__qualname__}", model


def _walk(patterns, prefix: str, namespaces: tuple, params: list, converters: dict):
    for pattern in patterns:
        text = str(pattern.pattern)
        regex = pattern.pattern.regex
        names = list(regex.groupindex)
        extra = list(getattr(pattern.pattern, "converters", {}).keys())
        own = list(dict.fromkeys(extra + names))
        positional = [f"#{n}" for n in range(regex.groups - len(regex.groupindex))]
        if getattr(pattern.pattern, "converters", None):
            positional = []  # route patterns compile their converters as named groups
        all_params = params + own + positional
        all_converters = {**converters, **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(
                pattern.url_patterns, prefix + text, ns, all_params, all_converters
            )
        else:
            name = ":".join(namespaces + (pattern.name,)) if pattern.name else None
            view, model = _view_of(pattern)
            yield Route(
                key=name or prefix + text,
                name=name,
                route=prefix + text,
                params=all_params,
                converters=all_converters,
                view=view,
                model=model,
            )


def routes() -> list[Route]:
    """Every routed URL under the admin, the APIs, documents and the public site."""
    found = list(_walk(get_resolver().url_patterns, "", (), [], {}))
    seen: dict[str, int] = {}
    for route in found:
        seen[route.key] = seen.get(route.key, 0) + 1
    for route in found:
        if seen[route.key] > 1:
            route.key = f"{route.key}[{','.join(route.params)}]"
    return [r for r in found if r.route.startswith(PREFIXES)]


# --- the world: department A (the victim) and B (the prober) -----------------------------------


@dataclass
class World:
    a: DepartmentPage
    b: DepartmentPage
    draft_a: ProcedurePage  # never published, two revisions
    pending_a: ProcedurePage  # live, with a draft revision in moderation
    live_b: ProcedurePage
    draft_b: ProcedurePage
    private_doc: Document
    form_doc: Document
    template_a: FormTemplate
    image_a: Image
    users_a: dict
    users_b: dict
    groups_a: dict
    membership_a: DepartmentMembership
    api_key: ApiKey
    workflow_a: Workflow
    task_a: Task
    workflow_state: WorkflowState
    task_state: TaskState
    page_restriction: PageViewRestriction
    collection_restriction: CollectionViewRestriction
    uploaded_file: UploadedFile
    editing_session: EditingSession
    redirect: Redirect
    best_bet: BestBet
    synonym: Synonym
    shared: dict  # model → one entry of each shared list
    life_event: LifeEvent
    root: object
    secrets: dict = field(default_factory=dict)  # n → what the secret is

    def pages_a(self):
        return [
            ("draft_a", self.draft_a),
            ("pending_a", self.pending_a),
            ("dept_a", self.a),
        ]

    def page_targets(self):
        """A's pages, and B's own department page (reserved for catalog administrators)."""
        return self.pages_a() + [("dept_b", self.b)]

    def placeholders(self) -> dict:
        return {
            "q": SECRET_WORDS,
            "dept_a": self.a.pk,
            "page_ids": [self.draft_a.pk, self.pending_a.pk],
            "doc_ids": [self.private_doc.pk, self.form_doc.pk],
            "image_ids": [self.image_a.pk],
            "template_ids": [self.template_a.pk],
            "user_ids": [
                self.users_a["editor"].pk,
                self.users_a["department_admin"].pk,
            ],
        }


def _document(title: str, collection, filename: str, content: bytes) -> Document:
    document = Document(title=title, collection=collection)
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def _png() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def build_world() -> World:
    User = get_user_model()
    root = User.objects.create_superuser("root", "root@example.invalid", "pw")
    a = make_department(code="STP", title="Sở Tư pháp")
    b = make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")
    secrets = {}

    def mark(n, words, what):
        secrets[n] = what
        return secret(n, words)

    # B's pages first: A's are the most recently edited (reports that show the latest edit).
    live_b = make_procedure(
        department=b, national_code="2.000001", title="Chứng thực bản sao"
    )
    draft_b = make_procedure(
        department=b,
        national_code="2.000002",
        title="Bản nháp của chính đơn vị B",
        publish=False,
    )

    draft_a = make_procedure(
        department=a,
        national_code="1.000002",
        title=mark(1, "Thủ tục chưa công bố", "never-published procedure title"),
        slug="thu-tuc-a-chua-cong-bo",  # a slug from the title would put the marker in URLs
        publish=False,
    )
    pending_a = make_procedure(
        department=a, national_code="1.000001", title="Đăng ký khai sinh"
    )
    pending = ProcedurePage.objects.get(pk=pending_a.pk)
    pending.title = mark(2, "Tên mới chờ duyệt", "pending draft title (in moderation)")
    pending.summary = mark(10, "Tóm tắt chờ duyệt", "pending draft summary")
    pending.save_revision(user=root)
    workflow_state = pending.get_workflow().start(pending, root)
    pending_a.refresh_from_db()
    # A second revision of the never-published page, to compare with; the latest edit of all.
    draft_a.save_revision(user=root)
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=a.collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="mat-khau-A",
    )
    private_doc = _document(
        mark(3, "Tài liệu nội bộ", "private document title"),
        a.collection,
        "noi-bo.pdf",
        f"%PDF-1.4 {secret(4, 'nội dung tệp')}".encode(),
    )
    secrets[4] = "private document file content"
    form_doc = _document(
        mark(5, "Tệp mẫu nội bộ", "private form template's file title"),
        a.collection,
        "mau-noi-bo.pdf",
        b"%PDF-1.4 demo",
    )
    template_a = FormTemplate.objects.create(
        code="TKA",
        name=mark(6, "Mẫu tờ khai nội bộ", "private form template name"),
        department=a,
        document=form_doc,
        version="1",
    )
    image_a = Image(
        title=mark(7, "Ảnh nội bộ", "private image title"), width=4, height=4
    )
    image_a.collection = a.collection
    image_a.file.save("anh.png", ContentFile(_png()), save=False)
    image_a.width = image_a.height = 4
    image_a.save()

    users_a, users_b = {}, {}
    for role in DEPARTMENT_ROLES:
        users_a[role] = make_user(f"a_{role}")
        grant_role(actor=root, user=users_a[role], department=a, role=role)
        users_b[role] = make_user(f"b_{role}")
        grant_role(actor=root, user=users_b[role], department=b, role=role)
    membership_a = DepartmentMembership.objects.get(
        user=users_a["editor"], department=a
    )
    groups_a = {g.name: g for g in Group.objects.filter(name__startswith=f"{a.code} ·")}
    api_key, _raw = issue_api_key(
        name=mark(8, "Hệ thống một cửa", "API key name (catalog administrators only)"),
        created_by=root,
    )
    workflow_a = WorkflowPage.objects.get(page=a).workflow
    task_a = WorkflowTask.objects.filter(workflow=workflow_a).first().task
    task_state = workflow_state.current_task_state
    page_restriction = PageViewRestriction.objects.create(
        page=pending_a,
        restriction_type=PageViewRestriction.PASSWORD,
        password="mat-khau-trang",
    )
    uploaded = UploadedFile(
        for_content_type=ContentType.objects.get_for_model(Document),
        uploaded_by_user=users_a["editor"],
    )
    uploaded.file.save("tai-len.pdf", ContentFile(b"%PDF-1.4 upload"), save=False)
    uploaded.save()
    editing_session = EditingSession.objects.create(
        user=users_a["editor"],
        content_type=ContentType.objects.get_for_model(Page),
        object_id=str(draft_a.pk),
        last_seen_at=timezone.now(),
        is_editing=True,
    )
    redirect = Redirect.objects.create(
        old_path="/chuyen-huong-a", redirect_page=draft_a
    )
    best_bet = BestBet.objects.create(query="khai sinh thử", procedure=draft_a)
    synonym = Synonym.objects.create(terms="khai sinh, giấy khai sinh")
    shared = {
        Field: Field.objects.create(code="G15-TP07", name="Hộ tịch thử nghiệm"),
        Level: Level.objects.get_or_create(code="province", defaults={"name": "Tỉnh"})[
            0
        ],
        SubjectType: SubjectType.objects.create(code="citizen-x", name="Công dân"),
        LifeEvent: LifeEvent.objects.create(code="ket-hon-x", name="Kết hôn"),
        Result: Result.objects.create(code="KQ-X", name="Giấy chứng nhận"),
        LegalDocument: LegalDocument.objects.create(
            number="99/2025/NĐ-CP", title="Nghị định thử"
        ),
        PublicHoliday: PublicHoliday.objects.create(
            date=date.today() + timedelta(days=400), name="Ngày nghỉ thử"
        ),
    }
    return World(
        a=a,
        b=b,
        draft_a=ProcedurePage.objects.get(pk=draft_a.pk),
        pending_a=ProcedurePage.objects.get(pk=pending_a.pk),
        live_b=live_b,
        draft_b=draft_b,
        private_doc=private_doc,
        form_doc=form_doc,
        template_a=template_a,
        image_a=image_a,
        users_a=users_a,
        users_b=users_b,
        groups_a=groups_a,
        membership_a=membership_a,
        api_key=api_key,
        workflow_a=workflow_a,
        task_a=task_a,
        workflow_state=workflow_state,
        task_state=task_state,
        page_restriction=page_restriction,
        collection_restriction=collection_restriction,
        uploaded_file=uploaded,
        editing_session=editing_session,
        redirect=redirect,
        best_bet=best_bet,
        synonym=synonym,
        shared=shared,
        life_event=shared[LifeEvent],
        root=root,
        secrets=secrets,
    )


# --- filling parameters -------------------------------------------------------------------------

Candidates = list[tuple[str, object]]  # (label, value)


def _pages(w: World, route: Route, chosen: dict) -> Candidates:
    return [(label, p.pk) for label, p in w.page_targets()]


def _pages_of_a(w: World, route: Route, chosen: dict) -> Candidates:
    return [(label, p.pk) for label, p in w.pages_a()]


def _pages_to_move(w: World, route: Route, chosen: dict) -> Candidates:
    # A's pages moved anywhere, and B's own page moved (or copied) into A.
    return _pages(w, route, chosen) + [("live_b", w.live_b.pk)]


def _page_of(w: World, chosen: dict):
    pk = next(
        (
            chosen[k]
            for k in ("page_id", "pk", "page_to_move_id", "page_pk")
            if k in chosen
        ),
        None,
    )
    return Page.objects.filter(pk=pk).first() if pk else None


def _destination(w: World, route: Route, chosen: dict) -> Candidates:
    page = _page_of(w, chosen)
    if page is not None and page.path.startswith(w.b.path):
        return [("dept_a", w.a.pk)]
    return [("dept_b", w.b.pk), ("dept_a", w.a.pk)]


def _revision(w: World, route: Route, chosen: dict) -> Candidates:
    page = _page_of(w, chosen)
    if page is None or page.latest_revision_id is None:
        return []
    first = Revision.page_revisions.filter(object_id=str(page.pk)).order_by("pk")
    ids = {page.latest_revision_id, first.values_list("pk", flat=True).first()}
    return [(f"revision {n}", pk) for n, pk in enumerate(sorted(ids))]


def _in_moderation(w: World, chosen: dict) -> bool:
    """The page in moderation, or A's never-published draft, which is not (Wagtail then answers
    with a "not in moderation" message naming the page): both get the moderated page's task."""
    page = _page_of(w, chosen)
    return page is not None and page.pk in (w.pending_a.pk, w.draft_a.pk)


def _task_state(w: World, route: Route, chosen: dict) -> Candidates:
    return [("task_state", w.task_state.pk)] if _in_moderation(w, chosen) else []


def _task(w: World, route: Route, chosen: dict) -> Candidates:
    if route.key.startswith("wagtailadmin_workflows:"):
        return [("task_a", w.task_a.pk)]
    return [("task_a", w.task_a.pk)] if _in_moderation(w, chosen) else []


def _workflow_state(w: World, route: Route, chosen: dict) -> Candidates:
    return (
        [("workflow_state", w.workflow_state.pk)] if _in_moderation(w, chosen) else []
    )


def _workflow_action(w: World, route: Route, chosen: dict) -> Candidates:
    if not _in_moderation(w, chosen):
        return []
    return [(name, name) for name in ("approve", "reject", "cancel")]


def _api_action(w: World, route: Route, chosen: dict) -> Candidates:
    from wagtail.admin.api.views import PagesAdminAPIViewSet

    return [(name, name) for name in PagesAdminAPIViewSet.actions]


def _fixed(label: str, value_of: Callable[[World], object]):
    def fill(w: World, route: Route, chosen: dict) -> Candidates:
        return [(label, value_of(w))]

    return fill


def _model_objects(w: World, route: Route, chosen: dict) -> Candidates:
    model = route.model or _namespace_model(route)
    if model is None:
        return []
    for base, objects in MODEL_OBJECTS.items():
        if issubclass(model, base):
            return [(label, obj.pk) for label, obj in objects(w)]
    return []


def _code(w: World, route: Route, chosen: dict) -> Candidates:
    if route.key == "api:procedure":
        return [
            ("draft_a", w.draft_a.national_code),
            ("pending_a", w.pending_a.national_code),
        ]
    if route.key == "api:department":
        return [("dept_a", w.a.code)]
    if route.key == "api:form":
        return [("template_a", w.template_a.code)]
    if route.key == "public:life_event":
        return [("life_event", w.life_event.code)]
    return []


MODEL_OBJECTS: dict[type, Callable[[World], list]] = {
    Page: lambda w: w.page_targets(),
    FormTemplate: lambda w: [("template_a", w.template_a)],
    Document: lambda w: [("private_doc", w.private_doc), ("form_doc", w.form_doc)],
    Image: lambda w: [("image_a", w.image_a)],
    Collection: lambda w: [("collection_a", w.a.collection)],
    Workflow: lambda w: [("workflow_a", w.workflow_a)],
    Task: lambda w: [("task_a", w.task_a)],
    get_user_model(): lambda w: [
        ("user a_editor", w.users_a["editor"]),
        ("user a_department_admin", w.users_a["department_admin"]),
    ],
    Group: lambda w: list(w.groups_a.items())[:2],
    ApiKey: lambda w: [("api_key", w.api_key)],
    Site: lambda w: [("site", Site.objects.get(is_default_site=True))],
    Locale: lambda w: [("locale", Locale.get_default())],
    DepartmentMembership: lambda w: [("membership a_editor", w.membership_a)],
    Redirect: lambda w: [("redirect_a", w.redirect)],
    BestBet: lambda w: [("best_bet (A's draft)", w.best_bet)],
    Synonym: lambda w: [("synonym", w.synonym)],
    PortalSettings: lambda w: [
        (
            "portal_settings",
            PortalSettings.for_site(Site.objects.get(is_default_site=True)),
        )
    ],
    **{
        model: (lambda m: lambda w: [(m._meta.model_name, w.shared[m])])(model)
        for model in (
            Field,
            Level,
            SubjectType,
            LifeEvent,
            Result,
            LegalDocument,
            PublicHoliday,
        )
    },
}

NAMESPACE_MODELS = {
    "wagtailadmin_api:pages": Page,
    "wagtaildocs_chooser": Document,
    "wagtailimages_chooser": Image,
    "wagtailadmin_api:documents": Document,
    "wagtailadmin_api:images": Image,
    "wagtailapi:pages": Page,
    "wagtailadmin_collections": Collection,
    "wagtailadmin_workflows:edit_task": Task,
    "wagtailadmin_workflows:disable_task": Task,
    "wagtailadmin_workflows:enable_task": Task,
    "wagtailadmin_workflows": Workflow,
    "wagtailusers_users": get_user_model(),
    "wagtailusers_groups": Group,
    "wagtaillocales": Locale,
    "wagtailsites": Site,
    "api_keys": ApiKey,
    "catalog_membership_revoke": DepartmentMembership,
    "wagtailredirects": Redirect,
    "wagtailsettings": PortalSettings,
}


def _namespace_model(route: Route):
    if not route.name:
        return None
    match = re.match(r"wagtailsnippet(?:s|choosers)_(\w+?)_(\w+):", route.name)
    if match:
        try:
            return apps.get_model(match.group(1), match.group(2))
        except LookupError:
            return None
    for prefix in sorted(NAMESPACE_MODELS, key=len, reverse=True):
        if route.name == prefix or route.name.startswith(prefix + ":"):
            return NAMESPACE_MODELS[prefix]
    return None


PARAMS: dict[str, Callable[[World, Route, dict], Candidates]] = {
    "page_id": _pages,
    "parent_page_id": _pages_of_a,  # B adding under its own department page is its job
    "page_pk": _pages,
    "page_to_move_id": _pages_to_move,
    "destination_id": _destination,
    "revision_id": _revision,
    "task_state_id": _task_state,
    "task_id": _task,
    "workflow_state_id": _workflow_state,
    "workflow_pk": _fixed("workflow_a", lambda w: w.workflow_a.pk),
    "pk": _model_objects,
    "document_id": lambda w, r, c: _labelled(w, Document),
    "doc_id": lambda w, r, c: _labelled(w, Document),
    "image_id": lambda w, r, c: _labelled(w, Image),
    "redirect_id": _model_objects,
    "collection_id": _fixed("collection_a", lambda w: w.a.collection_id),
    "uploaded_file_id": _fixed("uploaded_by_a", lambda w: w.uploaded_file.pk),
    "session_id": _fixed("a_editor_session", lambda w: w.editing_session.pk),
    "restriction_id": _fixed(
        "collection_restriction_a", lambda w: w.collection_restriction.pk
    ),
    "page_view_restriction_id": _fixed(
        "page_restriction_a", lambda w: w.page_restriction.pk
    ),
    "filter_spec": _fixed("original", lambda w: "original"),
    "code": _code,
    # content types named in the path: the catalog's own page type
    "content_type_app_name": _fixed("catalog", lambda w: "catalog"),
    "content_type_model_name": _fixed("procedurepage", lambda w: "procedurepage"),
}

# Parameter names routed with different meanings: filled per route (key → {param: filler}).
ROUTE_PARAMS: dict[str, dict[str, Callable]] = {
    "wagtailadmin_pages:workflow_action": {"action_name": _workflow_action},
    "wagtailadmin_pages:collect_workflow_action_data": {
        "action_name": _workflow_action
    },
    "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/": {
        "action_name": _workflow_action
    },
    "wagtailadmin_api:pages:action": {"action_name": _api_action},
    # the open-data files hold the published catalog only: A's drafts must not be in any of them
    "api:dataset-file": {
        "name": _fixed("procedures.jsonl", lambda w: "procedures.jsonl"),
    },
    "wagtailadmin_pages:choose_parent": {
        "app_label": _fixed("catalog", lambda w: "catalog"),
        "model_name": _fixed("procedurepage", lambda w: "procedurepage"),
    },
    "wagtailadmin_workflows:add_task": {
        "app_label": _fixed("wagtailcore", lambda w: "wagtailcore"),
        "model_name": _fixed("groupapprovaltask", lambda w: "groupapprovaltask"),
    },
    "wagtailadmin_tag_model_autocomplete": {
        "app_name": _fixed("wagtaildocs", lambda w: "wagtaildocs"),
        "model_name": _fixed("document", lambda w: "document"),
    },
    "wagtailsettings:edit[app_name,model_name]": {
        "app_name": _fixed("cms", lambda w: "cms"),
        "model_name": _fixed("portalsettings", lambda w: "portalsettings"),
    },
    "wagtailsettings:edit[app_name,model_name,pk]": {
        "app_name": _fixed("cms", lambda w: "cms"),
        "model_name": _fixed("portalsettings", lambda w: "portalsettings"),
    },
    "wagtailsettings:preview_on_edit": {
        "app_name": _fixed("cms", lambda w: "cms"),
        "model_name": _fixed("portalsettings", lambda w: "portalsettings"),
    },
    "wagtailadmin_editing_sessions:ping": {
        "app_label": _fixed("wagtailcore", lambda w: "wagtailcore"),
        "model_name": _fixed("page", lambda w: "page"),
        "object_id": _fixed("draft_a", lambda w: str(w.draft_a.pk)),
    },
    "wagtailadmin_pages:revisions_compare": {
        "pk": _pages,
        "revision_id_a": _fixed("earliest", lambda w: "earliest"),
        "revision_id_b": _fixed("latest", lambda w: "latest"),
    },
    # the whole of a never-published submission beside an empty page (catalog.admin_review)
    "catalog_compare_with_empty": {"pk": _pages, "revision_id_b": _revision},
    "wagtailadmin_password_reset_confirm": {
        "uidb64": _fixed(
            "a_department_admin",
            lambda w: urlsafe_base64_encode(
                force_bytes(w.users_a["department_admin"].pk)
            ),
        ),
        "token": _fixed(
            "valid token",
            lambda w: default_token_generator.make_token(w.users_a["department_admin"]),
        ),
    },
    "wagtaildocs_serve": {
        "#0": _fixed("private_doc", lambda w: w.private_doc.pk),
        "#1": _fixed("filename", lambda w: w.private_doc.filename),
    },
    "wagtail_serve": {
        "#0": lambda w, r, c: [
            (
                label,
                p.relative_url(Site.objects.get(is_default_site=True)).strip("/") + "/",
            )
            for label, p in w.pages_a()
        ],
    },
}
ROUTE_PARAMS["wagtailadmin_pages:move_confirm"] = {"page_to_move_id": _pages_to_move}
ROUTE_PARAMS["wagtailadmin_pages:copy"] = {"page_id": _pages_to_move}


def _bulk(w: World, route: Route) -> list[tuple[str, dict, list[str]]]:
    """Every registered bulk action, with the victim's ids and with `id=all`."""
    bulk_action_registry._scan_for_bulk_actions()
    found = []
    for app_label, by_model in sorted(bulk_action_registry.actions.items()):
        for model_name, by_action in sorted(by_model.items()):
            model = apps.get_model(app_label, model_name)
            objects = _objects_of(w, model)
            if objects is None:
                found.append((f"{app_label}.{model_name}", None, []))
                continue
            ids = "&".join(f"id={obj.pk}" for _, obj in objects)
            all_ids = "id=all"
            if issubclass(model, Page):
                all_ids += f"&childOf={w.a.pk}"
            for action in sorted(by_action):
                kwargs = {
                    "app_label": app_label,
                    "model_name": model_name,
                    "action": action,
                }
                found.append(
                    (f"{app_label}.{model_name}.{action}", kwargs, [ids, all_ids])
                )
    return found


def _labelled(w: World, model) -> Candidates:
    return [(label, obj.pk) for label, obj in _objects_of(w, model) or []]


def _objects_of(w: World, model) -> list | None:
    for base, objects in MODEL_OBJECTS.items():
        if issubclass(model, base):
            return objects(w)
    return None


# Whole-route fillers: key → (world, route) → [(label, kwargs or None if unfillable, query strings)]
ROUTES: dict[str, Callable] = {"wagtail_bulk_action": _bulk}


# Routes with nothing to fill, each with why and the query strings it is probed with
# ({q}: the secrets' words; {page_ids}… the victim's ids). Patterns: fnmatch on the key.
LIST = ["", "q={q}"]
NO_OBJECTS: dict[str, tuple[str, list[str]]] = {
    "healthz": ("health check, no data", [""]),
    "wagtailadmin_home": (
        "dashboard: lists pages in moderation and recent edits",
        [""],
    ),
    "admin/test404/": ("Wagtail's 404 template preview", [""]),
    "wagtailadmin_error_test": ("Wagtail's deliberate 500 (failwhale): not probed", []),
    "wagtailadmin_api:pages:listing": (
        "admin API listing",
        ["", "child_of={dept_a}&fields=*", "search={q}", "id={page_ids}&fields=*"],
    ),
    "wagtailadmin_api:pages:find": ("admin API find by path", ["html_path=/"]),
    "wagtailadmin_api:documents:listing": ("admin API documents", ["", "search={q}"]),
    "wagtailadmin_api:documents:find": ("admin API documents find", ["id={doc_ids}"]),
    "wagtailadmin_api:images:listing": ("admin API images", ["", "search={q}"]),
    "wagtailadmin_api:images:find": ("admin API images find", ["id={image_ids}"]),
    "wagtailadmin_explore_root": ("page explorer root", LIST),
    "wagtailadmin_pages:search": ("admin page search", LIST),
    "wagtailadmin_pages:search_results": ("admin page search results", LIST),
    "wagtailadmin_choose_page": ("page chooser root", LIST),
    "wagtailadmin_choose_page_search": ("page chooser search", LIST),
    "wagtailadmin_choose_page_chosen_multiple": (
        "page chooser, several chosen pages by id",
        ["id={page_ids}"],
    ),
    "wagtailadmin_choose_page_external_link": ("link chooser form", [""]),
    "wagtailadmin_choose_page_email_link": ("link chooser form", [""]),
    "wagtailadmin_choose_page_phone_link": ("link chooser form", [""]),
    "wagtailadmin_choose_page_anchor_link": ("link chooser form", [""]),
    "wagtailadmin_tag_autocomplete": ("tag autocomplete", ["term=a"]),
    "wagtailadmin_collections:index": ("collections listing", [""]),
    "wagtailadmin_collections:add": ("new collection form", ["parent={dept_a}"]),
    "wagtailadmin_workflows:index": ("workflows listing", LIST),
    "wagtailadmin_workflows:index_results": ("workflows listing", LIST),
    "wagtailadmin_workflows:add": ("new workflow form", [""]),
    "wagtailadmin_workflows:select_task_type": ("task type chooser", [""]),
    "wagtailadmin_workflows:task_index": ("tasks listing", LIST),
    "wagtailadmin_workflows:task_index_results": ("tasks listing", LIST),
    "wagtailadmin_workflows:task_chooser": ("task chooser", LIST),
    "wagtailadmin_workflows:task_chooser_results": ("task chooser", LIST),
    "wagtailadmin_workflows:task_chooser_create": ("task chooser create tab", [""]),
    "wagtailadmin_reports:*": ("report across departments", LIST),
    "wagtailadmin_account": ("the user's own account", [""]),
    "wagtailadmin_logout": ("logout (the session is restored after each probe)", [""]),
    "wagtailadmin_dismissibles": ("the user's own dismissed hints", [""]),
    "wagtailadmin_block_preview": ("StreamField block preview", [""]),
    "catalog_memberships": (
        "roles screen: POSTs a grant into A",
        ["", "department={dept_a}"],
    ),
    "catalog_audit_log": ("permission audit log", LIST),
    "catalog_import": ("import upload form", [""]),
    "catalog_import_confirm": (
        "import confirm: a token from the user's own session",
        [""],
    ),
    "catalog_export": (
        "export of what the user may export",
        ["", "department={dept_a}"],
    ),
    "catalog_import_template": ("the blank import template", [""]),
    "wagtailforms:index": ("form pages listing", LIST),
    "wagtailforms:index_results": ("form pages listing", LIST),
    "wagtailredirects:index": ("redirects listing", LIST),
    "wagtailredirects:index_results": ("redirects listing", LIST),
    "wagtailredirects:add": ("new redirect form", [""]),
    "wagtailredirects:start_import": ("redirect import form", [""]),
    "wagtailredirects:process_import": ("redirect import step 2", [""]),
    "wagtailembeds:chooser": ("embed chooser", [""]),
    "wagtailembeds:chooser_upload": ("embed chooser form", [""]),
    "wagtailsnippets:index": ("snippet models listing", [""]),
    "wagtaildocs:index": ("documents listing", LIST + ["collection_id={dept_a}"]),
    "wagtaildocs:index_results": ("documents listing", LIST),
    "wagtaildocs:add": ("new document form", [""]),
    "wagtaildocs:add_multiple": ("multiple upload form", [""]),
    "wagtaildocs_chooser:choose": ("document chooser", LIST),
    "wagtaildocs_chooser:choose_results": ("document chooser", LIST),
    "wagtaildocs_chooser:chosen_multiple": ("documents by id", ["id={doc_ids}"]),
    "wagtaildocs_chooser:create": ("document chooser upload", [""]),
    "wagtailimages:index": ("images listing", LIST),
    "wagtailimages:index_results": ("images listing", LIST),
    "wagtailimages:add": ("new image form", [""]),
    "wagtailimages:add_multiple": ("multiple upload form", [""]),
    "wagtailimages_chooser:choose": ("image chooser", LIST),
    "wagtailimages_chooser:choose_results": ("image chooser", LIST),
    "wagtailimages_chooser:chosen_multiple": ("images by id", ["id={image_ids}"]),
    "wagtailimages_chooser:create": ("image chooser upload", [""]),
    "wagtailsnippets_*:list": ("snippet listing", LIST),
    "wagtailsnippets_*:list_results": ("snippet listing", LIST),
    "wagtailsnippets_*:add": ("new snippet form", [""]),
    "wagtailsnippetchoosers_*:choose": ("snippet chooser", LIST),
    "wagtailsnippetchoosers_*:choose_results": ("snippet chooser", LIST),
    "wagtailsnippetchoosers_*:chosen_multiple": (
        "snippets by id",
        ["id={template_ids}"],
    ),
    "wagtailsnippetchoosers_*:create": ("snippet chooser create tab", [""]),
    "procedures:index": ("procedure listing", LIST),
    "procedures:index_results": ("procedure listing", LIST),
    "procedures:choose_parent": ("where to add a procedure", [""]),
    "api_keys:index": ("API keys listing", LIST),
    "api_keys:index_results": ("API keys listing", LIST),
    "api_keys:add": ("new API key form", [""]),
    "wagtailsites:index": ("sites listing", [""]),
    "wagtailsites:index_results": ("sites listing", [""]),
    "wagtailsites:add": ("new site form", [""]),
    "wagtailusers_users:index": ("users listing", LIST),
    "wagtailusers_users:index_results": ("users listing", LIST),
    "wagtailusers_users:add": ("new user form", [""]),
    "wagtailusers_groups:index": ("groups listing", LIST),
    "wagtailusers_groups:index_results": ("groups listing", LIST),
    "wagtailusers_groups:add": ("new group form", [""]),
    "wagtaillocales:index": ("locales listing", [""]),
    "wagtaillocales:index_results": ("locales listing", [""]),
    "wagtaillocales:add": ("new locale form", [""]),
    "wagtailadmin_sprite": ("icon sprite", [""]),
    "wagtailadmin_login": ("login form", [""]),
    "wagtailadmin_password_reset": ("password reset form", [""]),
    "wagtailadmin_password_reset_done": ("static page", [""]),
    "wagtailadmin_password_reset_complete": ("static page", [""]),
    "wagtailadmin_javascript_catalog": ("translations", [""]),
    "admin/^.*/$": ("the admin's catch-all 404", [""]),
    "api:search": ("public search", ["q={q}"]),
    "api:search-suggest": ("public suggestions", ["q={q}"]),
    "api:procedures": ("public procedure list", ["", "department={dept_code}"]),
    "api:departments": ("public department list", [""]),
    "api:fields": ("public shared list", [""]),
    "api:levels": ("public shared list", [""]),
    "api:subject-types": ("public shared list", [""]),
    "api:life-events": ("public shared list", [""]),
    "api:legal-documents": ("public shared list", [""]),
    "api:forms": ("public forms (restricted files left out)", [""]),
    "api:changes": ("public change feed", [""]),
    "api:schema": ("OpenAPI schema", [""]),
    "api:docs": ("API docs page", [""]),
    "api:": ("the API's catch-all 404", [""]),
    "api/v1/^.*$": ("the API's catch-all 404", [""]),
    "wagtailapi:pages:listing": (
        "Wagtail's public pages API",
        ["", "search={q}", "child_of={dept_a}&fields=*"],
    ),
    "wagtailapi:pages:find": ("Wagtail's public pages API find", ["id={page_ids}"]),
    "sitemap": ("public sitemap", [""]),
    "api:datasets": ("open-data DCAT record (published catalog only)", [""]),
    "open_data": ("open-data page for people", [""]),
    "set_language": ("language switch", [""]),
    "public:search": ("public search page", ["q={q}"]),
    "public:search_click": ("search click beacon: POST only, counts a query", [""]),
    "search_tuning:index": ("search query report (catalog administrators)", LIST),
    "search_tuning:synonym": ("propose a synonym with preview", ["", "q={q}"]),
    "search_tuning:best_bet": ("propose a best bet with preview", ["", "q={q}"]),
    "wagtailcore_login": ("public login form", [""]),
}
PATHS_OF_UNNAMED = {
    "api/v1/^.*$": "/api/v1/khong-co/",
    "admin/test404/": "/admin/test404/",
    "admin/^.*/$": "/admin/khong-co/",
}


def no_objects_entry(route: Route):
    from fnmatch import fnmatchcase

    if route.key in NO_OBJECTS:
        return NO_OBJECTS[route.key]
    for pattern, entry in NO_OBJECTS.items():
        if "*" in pattern and fnmatchcase(route.key, pattern):
            return entry
    return None


@dataclass
class Target:
    route: Route
    label: str  # the objects filled in, e.g. "page_id=draft_a"
    path: str
    queries: list[str]
    post_data: Callable | None = None


def _reverse(route: Route, kwargs: dict) -> str:
    positional = [kwargs[k] for k in sorted(kwargs) if k.startswith("#")]
    named = {k: v for k, v in kwargs.items() if not k.startswith("#")}
    if route.name is None:
        path = "/" + route.route
        for key, value in named.items():
            path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
        return path
    if positional:
        return reverse(route.name, args=positional)
    return reverse(route.name, kwargs=named)


def plan(world: World, all_routes: list[Route]) -> tuple[list[Target], list[str]]:
    """The requests to make, and the routes that could not be classified (with why)."""
    targets: list[Target] = []
    unclassified: list[str] = []
    values = world.placeholders()
    values["dept_code"] = world.a.code

    def fmt(query: str) -> str:
        out = query
        for key, value in values.items():
            token = "{" + key + "}"
            if token not in out:
                continue
            if isinstance(value, list):
                name = re.search(rf"(\w+)={re.escape(token)}", out).group(1)
                out = out.replace(
                    f"{name}={token}", "&".join(f"{name}={v}" for v in value)
                )
            else:
                out = out.replace(token, urlencode({"": value})[1:])
        return out

    for route in all_routes:
        bad = [
            name
            for name, conv in route.converters.items()
            if not isinstance(conv, KNOWN_CONVERTERS)
        ]
        if bad:
            unclassified.append(f"{route.key}: unknown converter for {bad}")
            continue
        if route.key in ROUTES:
            for label, kwargs, queries in ROUTES[route.key](world, route):
                if kwargs is None:
                    unclassified.append(
                        f"{route.key} {label}: no objects of this model in the world"
                    )
                    continue
                targets.append(
                    Target(
                        route, label, _reverse(route, kwargs), [fmt(q) for q in queries]
                    )
                )
            continue
        if not route.params:
            entry = no_objects_entry(route)
            if entry is None:
                unclassified.append(
                    f"{route.key} ({route.route} → {route.view}): a view without parameters "
                    "that is not in NO_OBJECTS"
                )
                continue
            reason, queries = entry
            if not queries:
                continue  # deliberately not probed; the reason says why
            path = (
                PATHS_OF_UNNAMED.get(route.key)
                if route.name is None
                else _reverse(route, {})
            )
            if path is None:
                unclassified.append(f"{route.key}: unnamed route without a path")
                continue
            targets.append(Target(route, "-", path, [fmt(q) for q in queries]))
            continue
        fillers = {**PARAMS, **ROUTE_PARAMS.get(route.key, {})}
        missing = [p for p in route.params if p not in fillers]
        if missing:
            unclassified.append(
                f"{route.key} ({route.route} → {route.view}): no filler for {missing}"
            )
            continue
        combos: list[tuple[list[str], dict]] = [([], {})]
        for param in route.params:
            grown = []
            for labels, chosen in combos:
                for label, value in fillers[param](world, route, chosen):
                    grown.append(
                        (labels + [f"{param}={label}"], {**chosen, param: value})
                    )
            combos = grown
        if not combos:
            unclassified.append(
                f"{route.key} ({route.route} → {route.view}): the world has no objects "
                f"for {route.params} (model {route.model or _namespace_model(route)})"
            )
            continue
        for labels, kwargs in combos:
            targets.append(
                Target(route, ", ".join(labels), _reverse(route, kwargs), [""])
            )
    return targets, unclassified


# --- POST bodies: minimal, but enough for the write to happen if nothing refuses it ----------


def post_body(world: World, target: Target) -> tuple[str, dict | str]:
    """(content type, data) for a POST to `target`."""
    key = target.route.key
    path = target.path
    page = None
    match = re.search(r"/pages/(\d+)/", path)
    if match:
        page = Page.objects.filter(pk=int(match.group(1))).first()
    into = (
        world.a if page is not None and page.path.startswith(world.b.path) else world.b
    )
    if key == "wagtailadmin_pages:edit" and page is not None:
        specific = page.specific
        if isinstance(specific, ProcedurePage):
            return "form", procedure_form(
                title="Tên do đơn vị khác sửa", national_code=specific.national_code
            )
    if key in ("wagtailadmin_pages:add", "wagtailadmin_pages:preview_on_add"):
        return "form", procedure_form(
            title="Thủ tục đơn vị khác thêm vào", national_code="9.000001"
        )
    if key == "wagtailsnippets_catalog_formtemplate:edit":
        return "form", {
            "code": world.template_a.code,
            "name": "Tên do đơn vị khác sửa",
            "department": world.a.pk,
            "document": world.form_doc.pk,
            "version": "2",
            "effective_on": "",
        }
    if key == "wagtailsnippets_catalog_formtemplate:add":
        # B's own new template naming A's private file: refused, and the re-rendered form must
        # not show the file's title (any id turned into its title).
        return "form", {
            "code": "BMOI01",
            "name": "Mẫu mới của B",
            "department": world.b.pk,
            "document": world.private_doc.pk,
            "version": "1",
            "effective_on": "",
        }
    if key == "wagtailadmin_api:pages:action":
        action = path.rstrip("/").rsplit("/", 1)[-1]
        body = {}
        if action in ("copy", "move", "create_alias"):
            body = {"destination_page_id": into.pk}
        if action == "revert_to_page_revision" and page is not None:
            first = Revision.page_revisions.filter(object_id=str(page.pk)).order_by(
                "pk"
            )
            body = {"revision_id": first.values_list("pk", flat=True).first()}
        return "application/json", json.dumps(body)
    if key == "wagtail_bulk_action":
        action = path.rstrip("/").rsplit("/", 1)[-1]
        data = {
            "move": {"chooser": world.b.pk},
            "add_to_collection": {"collection": world.b.collection_id},
            "add_tags": {"tags": "the-tag"},
            "assign_role": {"role": next(iter(world.groups_a.values())).pk},
            "set_active_state": {"mark_as_active": "False"},
        }.get(action, {})
        return "form", data
    if key == "wagtailadmin_pages:copy":
        return "form", {
            "new_title": "Bản sao",
            "new_slug": "ban-sao-thu",
            "new_national_code": "9.990001",
            "new_parent_page": into.pk,
            "copy_subpages": "",
            "publish_copies": "",
        }
    if key == "wagtailadmin_pages:set_privacy":
        return "form", {"restriction_type": "login"}
    if key == "wagtailadmin_collections:set_privacy":
        return "form", {"restriction_type": "none"}
    if key == "catalog_memberships":
        return "form", {
            "username": world.users_b["editor"].username,
            "role": "department_admin",
            "department": world.a.pk,
        }
    if key.startswith("wagtaildocs:edit") or key == "wagtaildocs:edit_multiple":
        return "form", {"title": "Đổi tên", "collection": world.b.collection_id}
    return "form", {}


def procedure_form(*, title: str, national_code: str) -> dict:
    """A valid procedure edit form, as the admin posts it."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

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
            "change_note": "Sửa",
            "steps": inline_formset([]),
            "execution_methods": inline_formset([]),
            "dossier_cases": inline_formset([]),
            "legal_basis": [],
            "results": [],
        }
    )


# --- the probe ---------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str  # leak / write / 5xx
    key: str
    path: str
    role: str
    method: str
    detail: str

    def line(self) -> str:
        return f"{self.kind:5} {self.method:4} {self.role:16} {self.key}  {self.path}  — {self.detail}"


def _text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # a spreadsheet export: read the XML inside
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = b"".join(archive.read(n) for n in archive.namelist())
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", "replace")


def markers_in(text: str) -> set[int]:
    return {int(n) for n in MARK_RE.findall(text)}


def _leftover_messages(client: Client) -> str:
    cookie = client.cookies.get("messages")
    if cookie is None or not cookie.value:
        return ""
    messages = CookieStorage(HttpRequest())._decode(cookie.value) or []
    return " ".join(str(m) for m in messages)


def snapshot(world: World) -> dict:
    """The victim's state (and the department pages', which only catalog admins change)."""
    a_pages = Page.objects.filter(path__startswith=world.a.path)
    page_ids = [str(pk) for pk in a_pages.values_list("pk", flat=True)]
    User = get_user_model()
    a_users = [u.pk for u in world.users_a.values()] + [world.root.pk]
    a_groups = [g.pk for g in world.groups_a.values()]

    def rows(queryset, *fields):
        return sorted(tuple(row) for row in queryset.values_list(*fields))

    return {
        "A's pages": rows(
            a_pages,
            "pk",
            "title",
            "draft_title",
            "slug",
            "live",
            "has_unpublished_changes",
            "latest_revision_id",
            "live_revision_id",
            "locked",
            "path",
            "url_path",
            "expire_at",
            "go_live_at",
            "alias_of_id",
        ),
        "department pages": rows(
            DepartmentPage.objects.all(),
            "pk",
            "title",
            "code",
            "live",
            "collection_id",
            "latest_revision_id",
            "live_revision_id",
            "path",
        ),
        "revisions of A's pages": rows(
            Revision.page_revisions.filter(object_id__in=page_ids), "pk"
        ),
        "workflow states": rows(
            WorkflowState.objects.all(), "pk", "status", "current_task_state_id"
        ),
        "task states": rows(TaskState.objects.all(), "pk", "status", "finished_by_id"),
        "documents": rows(
            Document.objects.all(), "pk", "title", "collection_id", "file"
        ),
        "images": rows(Image.objects.all(), "pk", "title", "collection_id"),
        "collections": rows(Collection.objects.all(), "pk", "name", "path"),
        "view restrictions": rows(
            CollectionViewRestriction.objects.all(),
            "pk",
            "collection_id",
            "restriction_type",
        )
        + rows(PageViewRestriction.objects.all(), "pk", "page_id", "restriction_type"),
        "form templates": rows(
            FormTemplate.objects.all(),
            "pk",
            "code",
            "name",
            "department_id",
            "document_id",
            "version",
            "updated_at",
        ),
        "group memberships": rows(
            User.groups.through.objects.filter(user_id__in=a_users)
            | User.groups.through.objects.filter(group_id__in=a_groups),
            "user_id",
            "group_id",
        ),
        "department memberships": rows(
            DepartmentMembership.objects.all(), "user_id", "department_id", "role"
        ),
        "groups": rows(Group.objects.all(), "pk", "name")
        + rows(Group.permissions.through.objects.all(), "group_id", "permission_id"),
        "page/collection permissions": rows(
            GroupPagePermission.objects.all(), "group_id", "page_id", "permission_id"
        )
        + rows(
            GroupCollectionPermission.objects.all(),
            "group_id",
            "collection_id",
            "permission_id",
        ),
        "object permissions": [
            (
                GroupObjectPermission.objects.count(),
                UserObjectPermission.objects.count(),
            )
        ],
        "A's users": rows(
            User.objects.filter(pk__in=a_users),
            "pk",
            "username",
            "email",
            "is_active",
            "is_superuser",
            "password",
        ),
        "user permissions": rows(
            User.user_permissions.through.objects.all(), "user_id", "permission_id"
        ),
        "API keys": rows(
            ApiKey.objects.all(), "pk", "name", "revoked_at", "per_minute"
        ),
        "workflows": rows(Workflow.objects.all(), "pk", "name", "active")
        + rows(Task.objects.all(), "pk", "name", "active")
        + rows(WorkflowPage.objects.all(), "page_id", "workflow_id")
        + rows(WorkflowTask.objects.all(), "workflow_id", "task_id")
        + rows(
            GroupApprovalTask.groups.through.objects.all(),
            "groupapprovaltask_id",
            "group_id",
        ),
        "tags": rows(
            TaggedItem.objects.all(), "tag_id", "object_id", "content_type_id"
        ),
        "redirects": rows(Redirect.objects.all(), "pk", "old_path", "redirect_page_id"),
        "sites and settings": rows(Site.objects.all(), "pk", "hostname", "root_page_id")
        + rows(PortalSettings.objects.all(), "pk", "portal_name", "hotline"),
        "shared lists": [
            rows(model.objects.all(), *[f.attname for f in model._meta.concrete_fields])
            for model in (
                Field,
                Level,
                SubjectType,
                LifeEvent,
                Result,
                LegalDocument,
                PublicHoliday,
            )
        ],
        "search": rows(BestBet.objects.all(), "pk", "query", "procedure_id", "active")
        + rows(Synonym.objects.all(), "pk", "terms", "active"),
        "uploads and editing sessions": rows(UploadedFile.objects.all(), "pk")
        + rows(
            EditingSession.objects.all(), "pk", "user_id", "object_id", "last_seen_at"
        ),
    }


def diff(before: dict, after: dict) -> str:
    changed = [key for key in before if before[key] != after[key]]
    return ", ".join(changed)


WRITE_RE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+("?[\w]+"?)', re.IGNORECASE
)
# Tables a refused request may write without touching anyone's objects: the session (messages,
# login state) and the permission audit log.
HARMLESS_WRITES = {"django_session", "catalog_permissionauditentry"}


class Prober:
    """One logged-in client per role; each probe runs in a savepoint that is rolled back."""

    def __init__(self, world: World, users: dict, baseline: dict):
        self.world = world
        self.baseline = baseline
        self.clients: dict[str, Client] = {}
        self.requests = 0
        self.snapshot_seconds = 0.0
        self.plain_pages = {reverse("wagtailadmin_home"), reverse("wagtailadmin_login")}
        self._exception: list = []
        for role, user in users.items():
            client = Client(enforce_csrf_checks=True, raise_request_exception=False)
            client.force_login(user)
            client.get(reverse("wagtailadmin_home"))  # sets the CSRF cookie
            assert "csrftoken" in client.cookies, "no CSRF cookie after the dashboard"
            self.clients[role] = client
        got_request_exception.connect(self._record_exception)

    def close(self):
        got_request_exception.disconnect(self._record_exception)

    def _record_exception(self, sender, request=None, **kwargs):
        import sys

        exc = sys.exc_info()[1]
        self._exception.append(f"{type(exc).__name__}: {exc}"[:200] if exc else "")

    def _send(self, client, method, url, body):
        self.requests += 1
        token = client.cookies["csrftoken"].value
        if method == "GET":
            return client.get(url)
        content_type, data = body
        if content_type == "application/json":
            return client.post(
                url, data, content_type="application/json", HTTP_X_CSRFTOKEN=token
            )
        return client.post(
            url, {**data, "csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token
        )

    def probe(self, role: str, method: str, target: Target, query: str):
        """Returns (findings, status, text seen)."""
        client = self.clients[role]
        url = target.path + (f"?{query}" if query else "")
        body = post_body(self.world, target) if method == "POST" else None
        sent = url + (
            json.dumps(body[1], ensure_ascii=False, default=str) if body else ""
        )
        assert MARK.lower() not in sent.lower(), f"a request names a secret: {sent}"
        saved = copy.deepcopy(client.cookies)
        findings: list[Finding] = []
        self._exception.clear()
        writes: set[str] = set()

        def watch(execute, sql, params, many, context):
            match = WRITE_RE.match(sql)
            if match:
                writes.add(match.group(1).strip('"`'))
            return execute(sql, params, many, context)

        with transaction.atomic(), connection.execute_wrapper(watch):
            response = self._send(client, method, url, body)
            seen = [
                ("body", _text(response)),
                ("Location", response.get("Location", "")),
            ]
            status = response.status_code
            if response.status_code >= 500:
                findings.append(
                    Finding(
                        "5xx",
                        target.route.key,
                        url,
                        role,
                        method,
                        f"{status} {'; '.join(self._exception) or ''}".strip(),
                    )
                )
            location = response.get("Location", "")
            if 300 <= status < 400 and location:
                parts = urlsplit(location)
                if parts.path in self.plain_pages:
                    pass  # the dashboard or login page: probed on their own; messages below
                elif not parts.netloc or parts.netloc == "testserver":
                    self._exception.clear()
                    follow = self._send(client, "GET", location, None)
                    seen.append((f"next page {parts.path}", _text(follow)))
                    if follow.status_code >= 500:
                        findings.append(
                            Finding(
                                "5xx",
                                target.route.key,
                                f"{url} → {location}",
                                role,
                                method,
                                f"{follow.status_code} on the next page "
                                f"{'; '.join(self._exception)}".strip(),
                            )
                        )
            seen.append(("messages", _leftover_messages(client)))
            after = self.baseline
            if writes - HARMLESS_WRITES:  # only a write can change the snapshot
                tick = time.monotonic()
                after = snapshot(self.world)
                self.snapshot_seconds += time.monotonic() - tick
            transaction.set_rollback(True)
        client.cookies = saved
        for where, text in seen:
            found = markers_in(text)
            if found:
                what = ", ".join(
                    f"#{n} {self.world.secrets.get(n, '?')}" for n in sorted(found)
                )
                findings.append(
                    Finding(
                        "leak",
                        target.route.key,
                        url,
                        role,
                        method,
                        f"{what} in the {where}",
                    )
                )
        changed = diff(self.baseline, after)
        if changed:
            findings.append(
                Finding(
                    "write",
                    target.route.key,
                    url,
                    role,
                    method,
                    f"{changed} changed (HTTP {status})",
                )
            )
        return findings, status, " ".join(t for _, t in seen)
