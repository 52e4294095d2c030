from catalog.models.departments import (
    DepartmentIndexPage,
    DepartmentKind,
    DepartmentPage,
)
from catalog.models.events import CatalogEvent, EventAction
from catalog.models.forms import FormTemplate
from catalog.models.lists import (
    Field,
    LegalDocument,
    Level,
    LifeEvent,
    PublicHoliday,
    Result,
    SubjectType,
)
from catalog.models.procedures import (
    Channel,
    Currency,
    DossierCase,
    ExecutionMethod,
    FeeItem,
    FeeKind,
    OnlineLevel,
    ProcedurePage,
    ProcedureStatus,
    ProcedureStep,
    ProcedureType,
    RequiredDocument,
    TimeUnit,
    fee_range,
)
from catalog.models.roles import (
    AuditKind,
    DepartmentMembership,
    PermissionAuditEntry,
    Role,
)
from catalog.models.versions import SharedVersion

__all__ = [
    "SharedVersion",
    "AuditKind",
    "CatalogEvent",
    "Channel",
    "Currency",
    "DepartmentIndexPage",
    "DepartmentKind",
    "DepartmentMembership",
    "DepartmentPage",
    "DossierCase",
    "EventAction",
    "ExecutionMethod",
    "FeeItem",
    "FeeKind",
    "Field",
    "FormTemplate",
    "LegalDocument",
    "Level",
    "LifeEvent",
    "OnlineLevel",
    "PermissionAuditEntry",
    "ProcedurePage",
    "ProcedureStatus",
    "ProcedureStep",
    "ProcedureType",
    "PublicHoliday",
    "RequiredDocument",
    "Result",
    "Role",
    "SubjectType",
    "TimeUnit",
    "fee_range",
]
