"""Two departments with live and draft procedures and form templates, and one user per role."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from catalog.services.roles import grant_catalog_admin, grant_role
from tests.factories import make_department, make_form_template, make_procedure

DRAFT_SECRET_A = "Bản nháp nội bộ đơn vị A"
DRAFT_SECRET_B = "Bản nháp nội bộ đơn vị B"
ROLES = [
    "editor",
    "moderator",
    "department_admin",
    "catalog_admin",
    "anonymous",
    "global_perms",
]


@dataclass
class World:
    a: object
    b: object
    live_a: object
    draft_a: object
    live_b: object
    draft_b: object
    template_a: object
    template_b: object
    users: dict = field(default_factory=dict)
    root: object = None

    def own(self, name):
        """The object of the user's own department (department A)."""
        return getattr(self, f"{name}_a")

    def other(self, name):
        return getattr(self, f"{name}_b")


def make_user(username, **extra):
    return get_user_model().objects.create_user(
        username, f"{username}@example.invalid", "pw", **extra
    )


def build_world() -> World:
    a = make_department(code="STP", title="Sở Tư pháp")
    b = make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")
    world = World(
        a=a,
        b=b,
        live_a=make_procedure(
            department=a, national_code="1.000001", title="Đăng ký khai sinh"
        ),
        draft_a=make_procedure(
            department=a, national_code="1.000002", title=DRAFT_SECRET_A, publish=False
        ),
        live_b=make_procedure(
            department=b, national_code="2.000001", title="Chứng thực bản sao"
        ),
        draft_b=make_procedure(
            department=b, national_code="2.000002", title=DRAFT_SECRET_B, publish=False
        ),
        template_a=make_form_template(department=a, code="TKA", name="Tờ khai A"),
        template_b=make_form_template(department=b, code="TKB", name="Tờ khai B"),
    )
    root = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", "pw"
    )
    world.root = root
    for role in ("editor", "moderator", "department_admin"):
        user = make_user(role)
        grant_role(actor=root, user=user, department=a, role=role)
        world.users[role] = user
    admin = make_user("catalog_admin")
    grant_catalog_admin(actor=root, user=admin)
    world.users["catalog_admin"] = admin
    # Model-wide Django permissions but no department: must open nothing department-owned.
    outsider = make_user("global_perms")
    outsider.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["catalog", "wagtailcore", "wagtaildocs"],
        ),
        Permission.objects.get(codename="access_admin"),
    )
    world.users["global_perms"] = outsider
    world.users["anonymous"] = None
    return world
