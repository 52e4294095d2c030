"""Development only: demo accounts whose credentials are printed, so `make run` is usable at once.

A superuser, a catalog administrator, and an editor, a moderator and a department admin in each of two
demo departments (once `load_demo` has created them; `load_demo` calls `ensure_demo_accounts` at its
end). Roles go through catalog.services.roles like any grant, so the audit log shows them.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "admin-demo-2026"  # noqa: S105 (printed on purpose; dev only)
# Shared by the role accounts below; dev only, printed on purpose.
ROLE_PASSWORD = "thu-nghiem-2026"  # noqa: S105
DEMO_DEPARTMENTS = ("STP", "CATP")
ROLE_ACCOUNTS = (  # (username prefix, role, label)
    ("bientap", "editor", "Biên tập viên"),
    ("kiemduyet", "moderator", "Kiểm duyệt viên"),
    ("quantri", "department_admin", "Quản trị đơn vị"),
)
CATALOG_ADMIN_USERNAME = "quantri.danhmuc"


def _user(username: str, password: str, **defaults):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.invalid", **defaults},
    )
    if created:
        user.set_password(password)
        user.save()
    return user, created


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """(username, password, what they are) for every demo account that exists after this call."""
    if not settings.DEBUG:
        raise CommandError("Demo accounts are for development only (DEBUG on).")
    from catalog.models import DepartmentMembership, DepartmentPage
    from catalog.permissions import is_catalog_admin
    from catalog.services.roles import grant_catalog_admin, grant_role

    root, _ = _user(DEMO_USERNAME, DEMO_PASSWORD, is_staff=True, is_superuser=True)
    rows = [(DEMO_USERNAME, DEMO_PASSWORD, "Quản trị hệ thống (superuser)")]
    departments = {
        d.code: d for d in DepartmentPage.objects.filter(code__in=DEMO_DEPARTMENTS)
    }
    if not departments:
        return rows
    admin, _ = _user(CATALOG_ADMIN_USERNAME, ROLE_PASSWORD)
    if not is_catalog_admin(admin):
        grant_catalog_admin(actor=root, user=admin)
    rows.append((CATALOG_ADMIN_USERNAME, ROLE_PASSWORD, "Quản trị danh mục"))
    for code in DEMO_DEPARTMENTS:
        department = departments.get(code)
        if department is None:
            continue
        for prefix, role, label in ROLE_ACCOUNTS:
            username = f"{prefix}.{code.lower()}"
            user, _ = _user(username, ROLE_PASSWORD)
            held = DepartmentMembership.objects.filter(
                user=user, department=department, role=role
            ).exists()
            if not held:
                grant_role(actor=root, user=user, department=department, role=role)
            rows.append((username, ROLE_PASSWORD, f"{label} · {department.title}"))
    return rows


def print_accounts(write, rows) -> None:
    write("Tài khoản thử (chỉ môi trường phát triển) — http://127.0.0.1:8000/admin/")
    width = max(len(username) for username, _, _ in rows)
    for username, password, what in rows:
        write(f"  {username.ljust(width)}  {password}  {what}")


class Command(BaseCommand):
    help = "Create the demo accounts (DEBUG only) and print their credentials."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_dev only runs with DEBUG on (cms.settings.dev).")
        print_accounts(self.stdout.write, ensure_demo_accounts())
