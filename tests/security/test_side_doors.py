"""Issue 15's findings, each reproduced as department B's editor and department admin against
department A's never-published procedure, pending draft, private document and private form
template: refused (403) or filtered, no marker in the body, the redirect target or the messages,
nothing written, an entry in the permission audit log; and A's own staff can still do each thing.
"""

import json

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from wagtail.documents.models import Document
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    Revision,
    TaskState,
)

import pytest

from catalog.models import (
    AuditKind,
    DepartmentPage,
    FormTemplate,
    PermissionAuditEntry,
)
from catalog.services.roles import grant_role
from tests.factories import make_department, make_procedure
from tests.permissions.world import DRAFT_SECRET_A, build_world, make_user

pytestmark = pytest.mark.django_db

PENDING_A = "Tên mới chưa duyệt A-5c1"
REVIEW_A = "Thủ tục chờ duyệt A-5c1"
DOCUMENT_A = "Tệp riêng đơn vị A-5c1"
TEMPLATE_A = "Mẫu riêng đơn vị A-5c1"
MARKERS = (DRAFT_SECRET_A, PENDING_A, REVIEW_A, DOCUMENT_A, TEMPLATE_A)
ATTACKERS = ("b_editor", "b_admin")


@pytest.fixture
def w(db):
    world = build_world()
    a, b = world.a, world.b
    live = Page.objects.get(pk=world.live_a.pk).specific
    live.title = PENDING_A
    live.save_revision(user=world.root)
    document = world.template_a.document
    document.title = DOCUMENT_A
    document.save()
    FormTemplate.objects.filter(pk=world.template_a.pk).update(name=TEMPLATE_A)
    world.template_a.refresh_from_db()
    world.review_a = make_procedure(
        department=a, national_code="1.000004", title=REVIEW_A, publish=False
    )
    world.review_a.get_workflow().start(world.review_a, world.root)
    world.c = make_department(code="STP2", title="Chi cục thuộc Sở Tư pháp")
    for role in ("editor", "moderator", "department_admin"):
        grant_role(
            actor=world.root, user=world.users[role], department=world.c, role=role
        )
    for name, role in (("b_editor", "editor"), ("b_admin", "department_admin")):
        user = make_user(name)
        grant_role(actor=world.root, user=user, department=b, role=role)
        world.users[name] = user
    # A's never-published draft is the last ProcedurePage edited (page-types report).
    draft = Page.objects.get(pk=world.draft_a.pk).specific
    draft.save_revision(user=world.root)
    return world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def denials() -> int:
    return PermissionAuditEntry.objects.filter(kind=AuditKind.DENIED).count()


def state():
    """What a refused request could have written."""
    return (
        list(
            Page.objects.order_by("pk").values_list(
                "pk", "path", "live", "title", "draft_title", "latest_revision_id"
            )
        ),
        Revision.objects.count(),
        list(
            FormTemplate.objects.order_by("pk").values_list("pk", "name", "document_id")
        ),
        list(
            Document.objects.order_by("pk").values_list("pk", "title", "collection_id")
        ),
        list(DepartmentPage.objects.order_by("pk").values_list("pk", "collection_id")),
        list(TaskState.objects.order_by("pk").values_list("pk", "status")),
    )


def text_of(response) -> str:
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body or "null"), ensure_ascii=False)
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return f"{body}\n{response.get('Location', '')}\n{messages}"


def request(client, method, url, data=None, content_type=None):
    if method == "GET":
        return client.get(url, data or {})
    if content_type:
        return client.post(url, json.dumps(data or {}), content_type=content_type)
    return client.post(url, data or {})


def assert_refused(client, method, url, data=None, content_type=None, status=403):
    before, audited = state(), denials()
    response = request(client, method, url, data, content_type)
    seen = text_of(response)
    assert response.status_code == status, (url, response.status_code, seen[:500])
    for marker in MARKERS:
        assert marker not in seen, (url, marker)
    assert state() == before, f"{method} {url} wrote something"
    assert denials() > audited, f"{method} {url} refused without an audit entry"
    return response


def bulk(app, model, action, query):
    return f"{reverse('wagtail_bulk_action', args=[app, model, action])}?{query}"


# --- 1. bulk-action confirmations for pages -----------------------------------------------


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize("action", ["delete", "publish", "unpublish", "move"])
def test_page_bulk_confirmations_refuse_other_departments_pages(w, attacker, action):
    client = client_for(w.users[attacker])
    for query in (
        f"id={w.draft_a.pk}",
        f"id={w.live_a.pk}",
        f"id=all&childOf={w.a.pk}",
    ):
        assert_refused(client, "GET", bulk("wagtailcore", "page", action, query))
    assert_refused(
        client, "POST", bulk("wagtailcore", "page", action, f"id={w.draft_a.pk}")
    )


def test_page_bulk_id_all_without_parent_leaves_other_departments_out(w):
    client = client_for(w.users["b_admin"])
    response = client.get(bulk("wagtailcore", "page", "delete", "id=all&q=n"))
    assert response.status_code == 200
    assert not any(marker in text_of(response) for marker in MARKERS)


def test_page_bulk_confirmation_positive_control(w):
    response = client_for(w.users["moderator"]).get(
        bulk("wagtailcore", "page", "delete", f"id={w.draft_a.pk}")
    )
    assert response.status_code == 200
    assert DRAFT_SECRET_A in text_of(response)


def test_refusal_names_the_owning_department_not_the_procedure(w):
    response = client_for(w.users["b_editor"]).get(
        bulk("wagtailcore", "page", "delete", f"id={w.draft_a.pk}")
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert w.a.title in body and DRAFT_SECRET_A not in body


# --- 2. move / copy confirmations ------------------------------------------------------------


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_move_confirm_and_copy_into_or_out_of_another_department(w, attacker):
    client = client_for(w.users[attacker])
    confirm = "wagtailadmin_pages:move_confirm"
    assert_refused(client, "GET", reverse(confirm, args=[w.draft_a.pk, w.b.pk]))
    # B's own page into A: the GET and the POST (Wagtail re-rendered 200, unaudited).
    for method in ("GET", "POST"):
        assert_refused(client, method, reverse(confirm, args=[w.draft_b.pk, w.a.pk]))
    assert_refused(
        client,
        "POST",
        reverse("wagtailadmin_pages:copy", args=[w.live_b.pk]),
        {
            "new_title": "Bản sao",
            "new_slug": "ban-sao-sang-a",
            "new_national_code": "9.990001",
            "new_parent_page": w.a.pk,
            "copy_subpages": False,
            "publish_copies": False,
            "alias": False,
        },
    )
    assert_refused(
        client,
        "POST",
        bulk("wagtailcore", "page", "move", f"id={w.draft_b.pk}"),
        {"chooser": w.a.pk},
    )


def test_move_confirm_positive_control(w):
    client = client_for(w.users["editor"])
    url = reverse("wagtailadmin_pages:move_confirm", args=[w.draft_a.pk, w.c.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert DRAFT_SECRET_A in text_of(response)
    client.post(url)
    assert Page.objects.get(pk=w.draft_a.pk).get_parent().pk == w.c.pk


# --- 3. page chooser: chosen-multiple ---------------------------------------------------------


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_chosen_multiple_refuses_others_drafts(w, attacker):
    client = client_for(w.users[attacker])
    url = reverse("wagtailadmin_choose_page_chosen_multiple")
    assert_refused(client, "GET", url, {"id": [w.draft_a.pk]})
    assert_refused(client, "GET", url, {"id": [w.live_b.pk, w.review_a.pk]})
    # Live pages of other departments may be linked: published title only.
    response = client.get(url, {"id": [w.live_a.pk]})
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in text_of(response)
    assert PENDING_A not in text_of(response)


def test_chosen_multiple_positive_control(w):
    url = reverse("wagtailadmin_choose_page_chosen_multiple")
    response = client_for(w.users["editor"]).get(url, {"id": [w.draft_a.pk]})
    assert response.status_code == 200
    assert DRAFT_SECRET_A in text_of(response)


# --- 4. reports -------------------------------------------------------------------------------

REPORTS = [
    "wagtailadmin_reports:page_types_usage",
    "wagtailadmin_reports:locked_pages",
    "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:workflow",
    "wagtailadmin_reports:workflow_tasks",
]


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize("report", REPORTS)
def test_reports_show_nothing_of_other_departments(w, attacker, report):
    response = client_for(w.users[attacker]).get(reverse(report))
    assert response.status_code in (200, 302, 403)
    seen = text_of(response)
    for marker in MARKERS:
        assert marker not in seen, (report, marker)


def test_page_types_report_positive_control(w):
    response = client_for(w.users["editor"]).get(
        reverse("wagtailadmin_reports:page_types_usage")
    )
    assert response.status_code == 200
    assert DRAFT_SECRET_A in text_of(response)


# --- 5. workflow views ------------------------------------------------------------------------


def _workflow_urls(w):
    page = Page.objects.get(pk=w.review_a.pk)
    task_state = page.current_workflow_task_state
    return [
        ("wagtailadmin_pages:workflow_action", [page.pk, "approve", task_state.pk]),
        ("wagtailadmin_pages:workflow_action", [page.pk, "reject", task_state.pk]),
        (
            "wagtailadmin_pages:collect_workflow_action_data",
            [page.pk, "approve", task_state.pk],
        ),
        ("wagtailadmin_pages:workflow_preview", [page.pk, task_state.task_id]),
        ("wagtailadmin_pages:confirm_workflow_cancellation", [page.pk]),
    ]


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_workflow_views_refuse_another_departments_page(w, attacker):
    client = client_for(w.users[attacker])
    for name, args in _workflow_urls(w):
        for method in ("GET", "POST"):
            assert_refused(client, method, reverse(name, args=args), {"comment": ""})


def test_workflow_action_on_a_page_not_in_review_is_an_audited_403(w):
    page = Page.objects.get(pk=w.review_a.pk)
    task_state = page.current_workflow_task_state
    client = client_for(w.users["moderator"])
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[w.draft_a.pk, "approve", task_state.pk],
    )
    before = denials()
    response = client.post(url, {"comment": ""})
    assert response.status_code == 403
    assert denials() > before


def test_workflow_positive_control(w):
    page = Page.objects.get(pk=w.review_a.pk)
    task_state = page.current_workflow_task_state
    client = client_for(w.users["moderator"])
    preview = reverse(
        "wagtailadmin_pages:workflow_preview", args=[page.pk, task_state.task_id]
    )
    assert client.get(preview).status_code == 200
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
    )
    client.post(url, {"comment": ""})
    assert Page.objects.get(pk=page.pk).live


def test_editor_cannot_approve_own_department_review_and_is_audited(w):
    page = Page.objects.get(pk=w.review_a.pk)
    task_state = page.current_workflow_task_state
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
    )
    client = client_for(w.users["editor"])
    before = denials()
    assert client.post(url, {"comment": ""}).status_code == 403
    assert denials() > before
    assert not Page.objects.get(pk=page.pk).live


# --- 6. bulk actions on documents and form templates ------------------------------------------


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_document_and_form_template_bulk_actions(w, attacker):
    client = client_for(w.users[attacker])
    document = w.template_a.document_id
    for action in ("delete", "add_to_collection", "add_tags"):
        assert_refused(
            client, "GET", bulk("wagtaildocs", "document", action, f"id={document}")
        )
    assert_refused(
        client, "POST", bulk("wagtaildocs", "document", "delete", f"id={document}")
    )
    assert_refused(
        client,
        "GET",
        bulk("catalog", "formtemplate", "delete", f"id={w.template_a.pk}"),
    )
    assert_refused(
        client,
        "POST",
        bulk("catalog", "formtemplate", "delete", f"id={w.template_a.pk}"),
    )


def test_form_template_bulk_delete_all_keeps_to_own_department(w):
    client = client_for(w.users["b_admin"])
    url = bulk("catalog", "formtemplate", "delete", "id=all")
    before = denials()
    response = client.get(url)
    assert response.status_code == 200
    assert TEMPLATE_A not in text_of(response)
    client.post(url)
    assert FormTemplate.objects.filter(pk=w.template_a.pk).exists()
    # Positive control: B's own template went.
    assert not FormTemplate.objects.filter(pk=w.template_b.pk).exists()
    assert denials() > before  # A's templates left out of "all" are on record


# --- 7. Wagtail's admin API: documents and images ---------------------------------------------


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_admin_api_lists_only_the_users_documents(w, attacker):
    client = client_for(w.users[attacker])
    response = client.get("/admin/api/main/documents/")
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    assert w.template_b.document.title in titles
    assert DOCUMENT_A not in json.dumps(response.json(), ensure_ascii=False)
    assert_refused(
        client, "GET", f"/admin/api/main/documents/{w.template_a.document_id}/"
    )
    assert client.get("/admin/api/main/images/").status_code == 200


def test_admin_api_survives_restricted_collections(w):
    CollectionViewRestriction.objects.create(
        collection=Collection.objects.get(pk=w.b.collection_id),
        restriction_type=CollectionViewRestriction.LOGIN,
    )
    for user in (w.users["b_editor"], w.users["editor"], w.users["catalog_admin"]):
        response = client_for(user).get("/admin/api/main/documents/")
        assert response.status_code == 200
    response = client_for(w.users["editor"]).get("/admin/api/main/documents/")
    assert DOCUMENT_A in json.dumps(
        response.json(), ensure_ascii=False
    )  # positive control


def test_public_api_keeps_anonymous_access(w):
    assert Client().get("/api/v1/procedures/").status_code == 200
    assert Client().get("/admin/api/main/documents/").status_code in (302, 401, 403)


# --- 8. form-template edit form with another department's document --------------------------


def _template_form(template, **overrides):
    data = {
        "code": template.code,
        "name": template.name,
        "department": template.department_id,
        "document": template.document_id or "",
        "version": template.version,
        "effective_on": "",
    }
    data.update(overrides)
    return data


def test_form_template_edit_with_a_foreign_document_is_refused(w):
    client = client_for(w.users["b_admin"])
    template = w.template_b
    url = reverse("wagtailsnippets_catalog_formtemplate:edit", args=[template.pk])
    assert_refused(
        client, "POST", url, _template_form(template, document=w.template_a.document_id)
    )
    add = reverse("wagtailsnippets_catalog_formtemplate:add")
    assert_refused(
        client,
        "POST",
        add,
        {**_template_form(template, document=w.template_a.document_id), "code": "TKB2"},
    )


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_form_upload_in_the_chooser_for_another_department_is_refused(w, attacker):
    client = client_for(w.users[attacker])
    url = reverse("wagtailsnippetchoosers_catalog_formtemplate:create")
    assert_refused(
        client,
        "POST",
        url,
        {"code": "UQB1", "name": "Mẫu tải lên", "version": "1", "department": w.a.pk},
    )
    assert not FormTemplate.objects.filter(code="UQB1").exists()


def test_form_template_edit_positive_control(w):
    client = client_for(w.users["department_admin"])
    template = w.template_a
    url = reverse("wagtailsnippets_catalog_formtemplate:edit", args=[template.pk])
    response = client.post(url, _template_form(template, name="Tên mới A"))
    assert response.status_code == 302
    assert FormTemplate.objects.get(pk=template.pk).name == "Tên mới A"


# --- 9. department pages: catalog administrators only, every route; collection kept ---------


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_department_page_changes_are_for_catalog_administrators(w, attacker):
    client = client_for(w.users[attacker])
    department = w.b
    first_revision = department.revisions.order_by("pk").first()
    api = f"/admin/api/main/pages/{department.pk}/action"
    for action, payload in (
        ("unpublish", {}),
        ("publish", {}),
        ("revert_to_page_revision", {"revision_id": first_revision.pk}),
        ("copy", {"destination_page_id": department.get_parent().pk}),
        ("delete", {}),
    ):
        assert_refused(
            client, "POST", f"{api}/{action}/", payload, content_type="application/json"
        )
    for name in ("lock", "unpublish", "set_privacy"):
        assert_refused(
            client, "POST", reverse(f"wagtailadmin_pages:{name}", args=[department.pk])
        )
    assert_refused(
        client, "POST", bulk("wagtailcore", "page", "unpublish", f"id={department.pk}")
    )
    assert_refused(
        client, "GET", bulk("wagtailcore", "page", "unpublish", f"id={department.pk}")
    )


def test_republishing_an_old_department_revision_keeps_its_collection(w):
    department = DepartmentPage.objects.get(pk=w.b.pk)
    collection_id = department.collection_id
    first_revision = department.revisions.order_by("pk").first()
    assert first_revision.content.get("collection") in (None, collection_id)
    client = client_for(w.users["catalog_admin"])
    api = f"/admin/api/main/pages/{department.pk}/action"
    response = client.post(
        f"{api}/revert_to_page_revision/",
        {"revision_id": first_revision.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    response = client.post(f"{api}/publish/", {}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert DepartmentPage.objects.get(pk=department.pk).collection_id == collection_id
    first_revision.publish()
    assert DepartmentPage.objects.get(pk=department.pk).collection_id == collection_id
    # And B's template can still not point at A's document (the department check holds).
    template = FormTemplate.objects.get(pk=w.template_b.pk)
    template.document_id = w.template_a.document_id
    with pytest.raises(ValidationError):
        template.full_clean()


def test_catalog_admin_may_unpublish_a_department_page(w):
    client = client_for(w.users["catalog_admin"])
    response = client.post(
        f"/admin/api/main/pages/{w.b.pk}/action/unpublish/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert not Page.objects.get(pk=w.b.pk).live


# --- 11. refusals Wagtail answered without an audit entry -------------------------------------


def test_grant_with_a_role_never_offered_is_an_audited_403(w):
    client = client_for(w.users["b_admin"])
    newcomer = make_user("newcomer")
    assert_refused(
        client,
        "POST",
        reverse("catalog_memberships"),
        {"username": newcomer.username, "role": "superuser", "department": w.b.pk},
    )


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_other_departments_objects_by_url_are_audited_403s(w, attacker):
    client = client_for(w.users[attacker])
    document = w.template_a.document_id
    for method, url in (
        ("GET", f"/admin/api/main/pages/{w.draft_a.pk}/"),
        ("GET", f"/admin/api/main/pages/?child_of={w.a.pk}"),
        ("GET", reverse("wagtailadmin_pages:edit", args=[w.draft_a.pk])),
        ("GET", reverse("wagtailadmin_pages:history", args=[w.draft_a.pk])),
        ("GET", reverse("wagtailadmin_pages:usage", args=[w.draft_a.pk])),
        ("GET", reverse("wagtaildocs:edit", args=[document])),
        ("GET", reverse("wagtaildocs:document_usage", args=[document])),
        ("GET", reverse("wagtaildocs_chooser:chosen", args=[document])),
        ("GET", f"{reverse('wagtaildocs_chooser:chosen_multiple')}?id={document}"),
        ("GET", reverse("wagtailadmin_collections:edit", args=[w.a.collection_id])),
        (
            "GET",
            reverse(
                "wagtailsnippets_catalog_formtemplate:inspect", args=[w.template_a.pk]
            ),
        ),
        (
            "GET",
            reverse(
                "wagtailsnippetchoosers_catalog_formtemplate:chosen",
                args=[w.template_a.pk],
            ),
        ),
        ("POST", reverse("wagtailadmin_pages:delete", args=[w.draft_a.pk])),
    ):
        assert_refused(client, method, url)


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_cross_department_listings_show_nothing_of_other_departments(w, attacker):
    client = client_for(w.users[attacker])
    for url in (
        reverse("wagtailadmin_pages:type_use", args=["catalog", "procedurepage"]),
        reverse("wagtailadmin_pages:choose_parent", args=["catalog", "procedurepage"]),
        reverse("wagtailadmin_choose_page_child", args=[w.a.pk]),
        reverse("procedures:index"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtailsnippets_catalog_formtemplate:list"),
        "/admin/api/main/pages/?child_of=root&for_explorer=1",
    ):
        response = client.get(url)
        assert response.status_code < 500, url
        seen = text_of(response)
        for marker in MARKERS:
            assert marker not in seen, (url, marker)


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_external_link_chooser_gives_only_the_published_title(w, attacker):
    client = client_for(w.users[attacker])
    url = reverse("wagtailadmin_choose_page_external_link")
    live_url = Page.objects.get(pk=w.live_a.pk).url
    response = client.post(url, {"external-link-chooser-url": live_url})
    assert response.status_code == 200
    assert response.json()["result"]["id"] == w.live_a.pk
    assert response.json()["result"]["adminTitle"] == "Đăng ký khai sinh"
    assert PENDING_A not in text_of(response)
    # A URL that is not exactly the page's asks to confirm the conversion, naming the page.
    response = client.post(url, {"external-link-chooser-url": f"{live_url}?a=1"})
    assert response.status_code == 200
    assert response.json()["step"] == "confirm_external_to_internal"
    assert "Đăng ký khai sinh" in text_of(response)
    assert PENDING_A not in text_of(response)
    # Wagtail answered a POST without the field with a 500.
    assert client.post(url, {}).status_code == 200


def test_external_link_chooser_positive_control(w):
    response = client_for(w.users["editor"]).post(
        reverse("wagtailadmin_choose_page_external_link"),
        {"external-link-chooser-url": Page.objects.get(pk=w.live_a.pk).url},
    )
    assert response.json()["result"]["adminTitle"] == PENDING_A
