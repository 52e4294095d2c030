"""Who may import into or export from which department; one place, backed by catalog.permissions."""

from __future__ import annotations

from catalog.models import DepartmentPage
from catalog.permissions import departments_user_can, is_catalog_admin


class ImportAccess:
    """What one user may do in an import; `user=None` is the operator at the command line (all)."""

    def __init__(self, user=None) -> None:
        self.user = user
        self.refused: dict[DepartmentPage, list[str]] = {}
        if user is None:
            self.everything = True
            self.importable: set[int] = set()
            self.publishable: set[int] = set()
            return
        self.everything = False
        self.importable = set(
            departments_user_can(user, "import").values_list("pk", flat=True)
        )
        self.publishable = set(
            departments_user_can(user, "publish").values_list("pk", flat=True)
        )

    @property
    def may_create_departments(self) -> bool:
        """New departments come with roles and workflows: only catalog administrators add them."""
        return self.user is None or is_catalog_admin(self.user)

    @property
    def may_create_entries(self) -> bool:
        return self.user is None or is_catalog_admin(self.user)

    def may_import(self, department: DepartmentPage) -> bool:
        return self.everything or department.pk in self.importable

    def may_publish(self, department: DepartmentPage) -> bool:
        return self.everything or department.pk in self.publishable

    @property
    def may_use_admin(self) -> bool:
        return self.user is not None and (
            is_catalog_admin(self.user) or bool(self.importable)
        )


def departments_for_export(user):
    return departments_user_can(user, "export")
