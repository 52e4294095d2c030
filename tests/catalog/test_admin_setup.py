"""The admin's set-up around the roles: user forms, slugs, workflows, demo accounts, dashboard messages."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from wagtail.models import Workflow

import pytest

from catalog.models import DepartmentIndexPage, DepartmentMembership, DepartmentPage
from catalog.permissions import CATALOG_ADMIN_GROUP
from catalog.services.roles import grant_role
from tests.factories import make_department, make_procedure

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _messages(response):
    return [str(message).strip() for message in response.context["messages"]]


# --- the user form leaves roles to the roles screen ----------------------------------------------


def test_the_user_forms_offer_no_role_group_and_keep_the_roles_held(
    department, superuser, django_user_model
):
    plain = Group.objects.create(name="Nhóm hỗ trợ kỹ thuật")
    editor = django_user_model.objects.create_user("bientap", "b@example.invalid", "pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    client = _client(superuser)

    for url in ("/admin/users/new/", f"/admin/users/edit/{editor.pk}/"):
        form = client.get(url).context["form"]
        offered = set(form.fields["groups"].queryset.values_list("name", flat=True))
        assert offered == {plain.name}, url
    html = client.get("/admin/users/new/").content.decode()
    assert "STP · Biên tập viên" not in html and CATALOG_ADMIN_GROUP not in html
    assert "Phân quyền đơn vị" in html  # the help text says where roles are granted

    response = client.post(
        f"/admin/users/edit/{editor.pk}/",
        {
            "username": "bientap",
            "email": "bientap@example.invalid",
            "first_name": "Biên",
            "last_name": "Tập",
            "is_active": "on",
            "groups": [plain.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    names = set(editor.groups.values_list("name", flat=True))
    assert names == {"STP · Biên tập viên", plain.name}
    assert DepartmentMembership.objects.filter(user=editor, role="editor").exists()


def test_an_empty_listing_says_so_in_vietnamese(superuser):
    html = _client(superuser).get("/admin/api-keys/").content.decode()
    assert "Chưa có khóa API nào." in html  # was "There are no khóa API to display."
    assert "to display" not in html


# --- slugs folded on the server ------------------------------------------------------------------


def _department_form(title, slug, code):
    return {
        "title": title,
        "slug": slug,
        "code": code,
        "kind": "city_department",
        "description": "",
        "address": "",
        "phone": "",
        "email": "",
        "website": "",
        "opening_hours": "",
        "seo_title": "",
        "search_description": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize(
    "sent, saved",
    [
        ("s-van-hoa-va-th-thao", "so-van-hoa-va-the-thao"),  # the admin's own slugify
        ("", "so-van-hoa-va-the-thao"),
        ("so-vhtt", "so-vhtt"),  # typed on purpose: kept
    ],
)
def test_a_page_created_in_the_admin_gets_the_folded_slug(
    department, superuser, sent, saved
):
    index = DepartmentIndexPage.objects.get()
    client = _client(superuser)
    response = client.post(
        f"/admin/pages/add/catalog/departmentpage/{index.pk}/",
        _department_form("Sở Văn hóa và Thể thao", sent, "SVHTT"),
    )
    assert response.status_code == 302, response.context["form"].errors
    assert DepartmentPage.objects.get(code="SVHTT").slug == saved


def test_a_slug_left_alone_on_edit_is_kept(department, superuser):
    DepartmentPage.objects.filter(pk=department.pk).update(slug="s-tu-phap")
    client = _client(superuser)
    form = _department_form("Sở Tư pháp", "s-tu-phap", "STP")
    response = client.post(f"/admin/pages/{department.pk}/edit/", form)
    assert response.status_code == 302, response.context["form"].errors
    department.refresh_from_db()
    assert department.get_latest_revision_as_object().slug == "s-tu-phap"


# --- workflows -----------------------------------------------------------------------------------


def test_no_english_default_workflow_is_left(department):
    names = list(Workflow.objects.values_list("name", flat=True))
    assert "Moderators approval" not in names
    assert names == ["Duyệt thủ tục – STP"]
    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()


def _under_review(department, editor):
    procedure = make_procedure(
        department=department, national_code="1.000009", title="Đăng ký kết hôn"
    )
    procedure.title = "Đăng ký kết hôn (sửa)"
    procedure.save_revision(user=editor)
    procedure.get_workflow().start(procedure, editor)
    return procedure


def test_approving_from_the_dashboard_says_so(department, superuser, django_user_model):
    editor = django_user_model.objects.create_user("bt", "bt@example.invalid", "pw")
    moderator = django_user_model.objects.create_user("kd", "kd@example.invalid", "pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    grant_role(actor=superuser, user=moderator, department=department, role="moderator")
    procedure = _under_review(department, editor)
    task_state = procedure.current_workflow_task_state
    client = _client(moderator)

    dashboard = client.get("/admin/").content.decode()
    assert "Duyệt và xuất bản" in dashboard and "Phê chuẩn" not in dashboard
    response = client.post(
        f"/admin/pages/workflow/action/{procedure.pk}/approve/{task_state.pk}/",
        {"next": "/admin/"},
        follow=True,
    )
    assert "Đã duyệt và xuất bản “Đăng ký kết hôn (sửa)”." in _messages(response)
    procedure.refresh_from_db()
    assert procedure.live and procedure.title == "Đăng ký kết hôn (sửa)"


def test_requesting_changes_from_the_dashboard_says_so(
    department, superuser, django_user_model
):
    editor = django_user_model.objects.create_user("bt", "bt@example.invalid", "pw")
    moderator = django_user_model.objects.create_user("kd", "kd@example.invalid", "pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    grant_role(actor=superuser, user=moderator, department=department, role="moderator")
    procedure = _under_review(department, editor)
    task_state = procedure.current_workflow_task_state
    response = _client(moderator).post(
        f"/admin/pages/workflow/action/{procedure.pk}/reject/{task_state.pk}/",
        {"comment": "Thiếu lệ phí"},
        follow=True,
    )
    assert any(m.startswith("Đã yêu cầu sửa") for m in _messages(response))


def test_the_editor_sees_gui_duyet_and_the_moderator_one_way_to_publish(
    department, superuser, django_user_model
):
    editor = django_user_model.objects.create_user("bt", "bt@example.invalid", "pw")
    moderator = django_user_model.objects.create_user("kd", "kd@example.invalid", "pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    grant_role(actor=superuser, user=moderator, department=department, role="moderator")
    procedure = _under_review(department, editor)

    editor_page = _client(editor).get(f"/admin/pages/{procedure.pk}/edit/")
    other = make_procedure(
        department=department, national_code="1.000010", title="Khai tử"
    )
    editor_new = _client(editor).get(f"/admin/pages/{other.pk}/edit/").content.decode()
    assert "Gửi duyệt" in editor_new and "Thực hiện" not in editor_new
    assert editor_page.status_code == 200

    page = _client(moderator).get(f"/admin/pages/{procedure.pk}/edit/").content.decode()
    assert "Duyệt và xuất bản" in page and "Yêu cầu sửa" in page
    assert 'name="action-publish"' not in page  # approving is the one way to publish it
    free = _client(moderator).get(f"/admin/pages/{other.pk}/edit/").content.decode()
    assert 'name="action-publish"' in free  # nothing under review: publishing stays


# --- demo accounts -------------------------------------------------------------------------------


def test_setup_dev_creates_the_role_accounts_through_the_role_service(settings, capsys):
    make_department(code="STP", title="Sở Tư pháp")
    make_department(code="CATP", title="Công an Thành phố Hồ Chí Minh")
    settings.DEBUG = True
    call_command("setup_dev")
    out = capsys.readouterr().out
    for username in ("bientap.stp", "kiemduyet.catp", "quantri.stp", "quantri.danhmuc"):
        assert username in out
        user = get_user_model().objects.get(username=username)
        assert user.check_password("thu-nghiem-2026")
    memberships = set(
        DepartmentMembership.objects.values_list(
            "user__username", "department__code", "role"
        )
    )
    assert ("kiemduyet.catp", "CATP", "moderator") in memberships
    assert ("quantri.stp", "STP", "department_admin") in memberships
    assert len(memberships) == 6
    call_command("setup_dev")  # twice: nothing duplicated
    assert DepartmentMembership.objects.count() == 6


def test_setup_dev_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("setup_dev")
    assert not get_user_model().objects.filter(username__startswith="bientap").exists()


@pytest.mark.django_db
def test_login_form_labels_are_vietnamese(client):
    # Wagtail's login form leaves the password box's label to the field name ("Password").
    body = client.get("/admin/login/").content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", body, re.S)
    text = " ".join(re.sub(r"<[^>]+>|\s+", " ", label) for label in labels)
    assert "Mật khẩu" in text
    assert "Password" not in text and "Remember" not in text


def test_page_search_counts_results_in_vietnamese(department, superuser):
    # Wagtail's page search gives its count no model name: it read «1–1 trong 1 None».
    make_procedure(
        department=department, title="Đăng ký khai sinh", national_code="1.000001"
    )
    client = _client(superuser)
    html = client.get("/admin/pages/search/", {"q": "khai sinh"}).content.decode()
    assert re.search(r"1\s*–\s*1 trong 1 kết quả", html), html[-3000:]
    assert "None" not in re.sub(r"<[^>]+>", " ", html)


def test_time_since_reads_in_vietnamese():
    from django.utils import timezone, translation

    from wagtail.admin.templatetags.wagtailadmin_tags import timesince_simple

    with translation.override("vi"):
        past = timezone.now() - timezone.timedelta(hours=3, minutes=5)
        assert timesince_simple(past) == "3\xa0giờ trước"
        assert "minute" not in timesince_simple(
            timezone.now() - timezone.timedelta(minutes=7)
        )


def test_copying_a_department_is_refused_with_a_message_not_a_500(
    client, superuser, department
):
    from wagtail.models import Page

    client.force_login(superuser)
    url = f"/admin/pages/{department.pk}/copy/"
    pages = Page.objects.count()
    for response in (
        client.get(url, follow=True),
        client.post(
            url,
            {
                "new_title": "Sở Tư pháp (bản sao)",
                "new_slug": "so-tu-phap-ban-sao",
                "new_parent_page": department.get_parent().pk,
                "copy_subpages": "on",
            },
            follow=True,
        ),
    ):
        assert response.status_code == 200
        assert "Không sao chép được cơ quan" in response.content.decode()
    assert Page.objects.count() == pages
