"""Builders for catalog objects in tests; they go through the same services the product uses."""

from decimal import Decimal

from django.core.files.base import ContentFile

from wagtail.documents.models import Document

import factory

from catalog.models import (
    DossierCase,
    ExecutionMethod,
    FeeItem,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
    SubjectType,
)
from catalog.services.departments import create_department


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ("code",)

    code = "province"
    name = "Cấp Tỉnh"


class SubjectTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubjectType
        django_get_or_create = ("code",)

    code = "citizen"
    name = "Công dân Việt Nam"


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent
        django_get_or_create = ("code",)

    code = "khai-sinh"
    name = "Khai sinh"


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{n}/2025/NĐ-CP")
    title = "Nghị định quy định chi tiết"
    issuer = "Chính phủ"


def make_department(*, code: str, title: str, kind: str = "city_department", **fields):
    return create_department(code=code, title=title, kind=kind, **fields)


def make_form_template(
    *,
    department,
    code: str = "TK01",
    name: str = "Tờ khai",
    content: bytes = b"%PDF-1.4 demo",
):
    document = Document(title=name, collection=department.collection)
    document.file.save(f"{code}.pdf", ContentFile(content), save=False)
    document.save()
    return FormTemplate.objects.create(
        code=code, name=name, department=department, document=document, version="1"
    )


def make_procedure(
    *,
    department,
    national_code: str,
    title: str,
    publish: bool = True,
    change_note: str = "Công bố lần đầu",
    form_template=None,
    **fields,
) -> ProcedurePage:
    """A procedure with two methods, three fees and two dossier cases, added under `department`."""
    procedure = ProcedurePage(
        title=title,
        national_code=national_code,
        change_note=change_note,
        summary=f"{title}.",
        live=False,
        **fields,
    )
    procedure.steps = [
        ProcedureStep(
            title="Nộp hồ sơ", description="<p>Nộp hồ sơ tại bộ phận một cửa.</p>"
        ),
        ProcedureStep(
            title="Nhận kết quả", description="<p>Nhận kết quả theo giấy hẹn.</p>"
        ),
    ]
    procedure.execution_methods = [
        ExecutionMethod(
            channel="in_person",
            processing_time_value=Decimal("5"),
            processing_time_unit="working_day",
            fees=[
                FeeItem(kind="charge", amount=8000),
                FeeItem(kind="fee", amount=0, description="Miễn cho hộ nghèo"),
            ],
        ),
        ExecutionMethod(
            channel="online",
            processing_time_value=Decimal("3"),
            processing_time_unit="working_day",
            fees=[FeeItem(kind="charge", amount=4000)],
        ),
    ]
    procedure.dossier_cases = [
        DossierCase(
            name="Trường hợp thông thường",
            documents=[
                RequiredDocument(
                    name="Tờ khai", originals=1, copies=0, form_template=form_template
                ),
                RequiredDocument(name="Giấy chứng sinh", originals=1, copies=0),
            ],
        ),
        DossierCase(
            name="Trường hợp ủy quyền",
            documents=[
                RequiredDocument(name="Văn bản ủy quyền", originals=1, copies=1)
            ],
        ),
    ]
    # Editor order, as the admin's formsets save it (NULL sort_order ties shuffle on PostgreSQL).
    for parts in (
        procedure.steps.all(),
        procedure.execution_methods.all(),
        procedure.dossier_cases.all(),
    ):
        for order, part in enumerate(parts):
            part.sort_order = order
            children = (
                part.fees.all()
                if hasattr(part, "fees")
                else getattr(part, "documents", None)
            )
            for child_order, child in enumerate(
                children.all() if children is not None else []
            ):
                child.sort_order = child_order
    department.add_child(instance=procedure)
    revision = procedure.save_revision()
    if publish:
        revision.publish()
        procedure.refresh_from_db()
    return procedure


def set_parts(procedure, count: int, channels=("in_person",)) -> None:
    """Give a published procedure `count` methods (each with `count` fees) and `count` dossier
    cases (each with `count` documents), then publish it: for query counts that must not grow."""
    procedure.execution_methods = [
        ExecutionMethod(
            channel=channels[n % len(channels)],
            processing_time_value=5,
            processing_time_unit="working_day",
            fees=[FeeItem(kind="charge", amount=1000 * m) for m in range(count)],
        )
        for n in range(count)
    ]
    procedure.dossier_cases = [
        DossierCase(
            name=f"Trường hợp {n}",
            documents=[
                RequiredDocument(name=f"Giấy {n}.{m}", originals=1)
                for m in range(count)
            ],
        )
        for n in range(count)
    ]
    procedure.save_revision().publish()
    procedure.refresh_from_db()
