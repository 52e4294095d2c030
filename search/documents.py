"""What a published procedure looks like to search: one flat document, built in one pass."""

from __future__ import annotations

import hashlib
import re
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import cached_property, lru_cache

from django.utils.html import strip_tags
from django.utils.translation import get_language

from wagtail.models import Page, Site

import orjson

from catalog.models import (
    DepartmentPage,
    DossierCase,
    ExecutionMethod,
    FeeItem,
    OnlineLevel,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
    announced_elsewhere,
    fee_range,
)
from catalog.text import official_name
from search.analysis import (
    content_tokens,
    folded_tokens,
    follow_ups_in,
    normalize,
    start_terms,
)

BATCH_SIZE = 500
# Implementing agencies that are missions abroad (Cơ quan đại diện Việt Nam ở nước ngoài, an
# embassy, a consulate; not the ministry's Cục Lãnh sự at home) serve people abroad: search ranks
# their procedures after domestic ones unless the query asks for abroad.
ABROAD_AGENCIES = tuple(
    " ".join(folded_tokens(agency))
    for agency in ("ở nước ngoài", "cơ quan đại diện ngoại giao", "cơ quan lãnh sự")
)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=16384)  # names and keyword entries repeat across departments
def phrase_key(text: str) -> str:
    """Folded tokens without question frames, space-joined: how a whole-phrase match is keyed."""
    return " ".join(content_tokens(text))


@lru_cache(
    maxsize=8192
)  # list names, agencies and document names repeat across procedures
def _text(value: str | None) -> str:
    return _SPACES.sub(" ", strip_tags(normalize(value or ""))).strip()


@dataclass
class ProcedureDocument:
    """Explicit fields, each filled by a prepare_<field>() step; engines map these one to one."""

    page_id: int
    code: str
    codes: list[str]
    name: str
    keywords: str = ""
    keyword_phrases: list[str] = field(default_factory=list)  # folded, one per entry
    summary: str = ""
    department: str = ""
    department_code: str = ""
    fields: list[str] = field(default_factory=list)  # codes
    field_names: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)  # codes
    subjects: list[str] = field(default_factory=list)  # codes
    life_events: list[str] = field(default_factory=list)  # names
    online_level: str = OnlineLevel.NONE
    steps: str = ""
    documents: str = ""
    results: str = ""
    fee_min: int | None = None
    fee_max: int | None = None
    processing_time: str = ""
    served_abroad: bool = False  # carried out by a Vietnamese mission abroad
    # a SPECIFIC procedure another province announced (catalog.text.another_provinces)
    another_provinces: bool = False
    decision_authority: str = ""
    url: str = ""
    revision_id: int = (
        0  # the live revision built from: how reconciliation spots stale documents
    )

    @property
    def ranked_keyword_phrases(self) -> list[str]:
        """The keywords that earn whole-keyword points: none of another province's procedure.

        Their detail records carry their own name as a keyword, whose fixed points outweighed
        the another-province prior for the very words of this city's procedure of the same
        name (`cap doi so do`, `tach thua dat`). They are still matched and scored as words."""
        return [] if self.another_provinces else self.keyword_phrases

    @property
    def follow_ups(self) -> list[str]:
        """The follow-ups (analysis.FOLLOW_UPS) the name leads with: indexed for the prior that
        puts a first procedure before its reissue when the query asks for no follow-up."""
        return follow_ups_in(self.name)

    @property
    def name_starts(self) -> list[str]:
        """The name's first words (analysis.NAME_START), for the points of a name that begins
        with words the query has side by side: read from name_key's words, analysed once."""
        return start_terms(self.name_key.split())

    @cached_property
    def name_key(self) -> str:
        """The name as the analysed query that is exactly this name (for "exact name first")."""
        return phrase_key(self.name)

    @property
    def body(self) -> str:
        """Lower-weight text: what the procedure involves rather than what it is called."""
        return " ".join(
            part
            for part in (
                self.summary,
                " ".join(self.field_names),
                " ".join(self.life_events),
                self.results,
                self.documents,
                self.steps,
            )
            if part
        )

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    def payload(self) -> dict:
        """What a hit shows, stored beside the indexed fields."""
        return {
            "page_id": self.page_id,
            "code": self.code,
            "name": self.name,
            "department": self.department,
            "department_code": self.department_code,
            "url": self.url,
            "online_level": self.online_level,
            "fee_min": self.fee_min,
            "fee_max": self.fee_max,
            "processing_time": self.processing_time,
            # whose specific procedure it is, when another province's (results say so)
            "announced_elsewhere_by": self.decision_authority
            if self.another_provinces
            else "",
        }

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything search shows or matches on changes (used by `check`)."""
        encoded = orjson.dumps(self.as_dict(), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(encoded).hexdigest()


_FIELD_NAMES = tuple(f.name for f in dataclass_fields(ProcedureDocument))


class DocumentBuilder:
    """Builds documents for many procedures with a fixed number of queries (no query per row)."""

    def __init__(self):
        self._departments = {d.path: d for d in DepartmentPage.objects.all()}
        self._site_roots = self._site_root_paths()

    @staticmethod
    def _site_root_paths() -> list[tuple[str, str]]:
        site = Site.objects.filter(is_default_site=True).select_related(
            "root_page"
        ).first() or (Site.objects.select_related("root_page").first())
        if site is None:
            return []
        return [(site.root_page.url_path, "/")]

    def url_for(self, procedure: ProcedurePage) -> str:
        for root_path, prefix in self._site_roots:
            if procedure.url_path.startswith(root_path):
                return prefix + procedure.url_path[len(root_path) :]
        return ""

    def department_for(self, procedure: ProcedurePage) -> DepartmentPage | None:
        return self._departments.get(procedure.path[: -Page.steplen])

    def build(self, procedure: ProcedurePage) -> ProcedureDocument:
        department = self.department_for(procedure)
        document = ProcedureDocument(
            page_id=procedure.pk,
            code=procedure.code,
            codes=[c for c in dict.fromkeys([procedure.code, procedure.national_code])],
            name=_text(procedure.official_name),
            department=_text(department.title) if department else "",
            department_code=department.code if department else "",
            url=self.url_for(procedure),
            revision_id=procedure.live_revision_id or 0,
        )
        for name in (
            "keywords",
            "summary",
            "lists",
            "online_level",
            "steps",
            "documents",
            "results",
            "fees",
            "processing_time",
            "served_abroad",
            "another_provinces",
        ):
            getattr(self, f"prepare_{name}")(document, procedure)
        return document

    # ---- prepare_<field>: each reads only prefetched relations

    @staticmethod
    def prepare_keywords(document: ProcedureDocument, procedure: ProcedurePage) -> None:
        document.keywords = _text(procedure.keywords.replace(",", " , "))
        document.keyword_phrases = list(
            dict.fromkeys(
                phrase_key(entry)
                for entry in procedure.keywords.split(",")
                if phrase_key(entry)
            )
        )

    @staticmethod
    def prepare_summary(document: ProcedureDocument, procedure: ProcedurePage) -> None:
        document.summary = _text(procedure.summary)

    @staticmethod
    def prepare_lists(document: ProcedureDocument, procedure: ProcedurePage) -> None:
        fields = sorted(procedure.fields.all(), key=lambda f: f.code)
        document.fields = [f.code for f in fields]
        document.field_names = [_text(f.name) for f in fields]
        document.levels = sorted(level.code for level in procedure.levels.all())
        document.subjects = sorted(s.code for s in procedure.subject_types.all())
        document.life_events = sorted(
            _text(e.name) for e in procedure.life_events.all()
        )

    @staticmethod
    def prepare_online_level(
        document: ProcedureDocument, procedure: ProcedurePage
    ) -> None:
        document.online_level = procedure.online_level or OnlineLevel.NONE

    @staticmethod
    def prepare_steps(document: ProcedureDocument, procedure: ProcedurePage) -> None:
        document.steps = " ".join(
            _text(f"{step.title} {step.description}") for step in procedure.steps.all()
        )

    @staticmethod
    def prepare_documents(
        document: ProcedureDocument, procedure: ProcedurePage
    ) -> None:
        names = []
        for case in procedure.dossier_cases.all():
            names.append(_text(case.name))
            names.extend(_text(d.name) for d in case.documents.all())
        document.documents = " ".join(dict.fromkeys(n for n in names if n))

    @staticmethod
    def prepare_results(document: ProcedureDocument, procedure: ProcedurePage) -> None:
        document.results = " ".join(
            [_text(r.name) for r in procedure.results.all()]
            + [_text(procedure.result_note)]
        ).strip()

    @staticmethod
    def prepare_fees(document: ProcedureDocument, procedure: ProcedurePage) -> None:
        document.fee_min, document.fee_max = fee_range(
            fee
            for method in procedure.execution_methods.all()
            for fee in method.fees.all()
        )

    @staticmethod
    def prepare_processing_time(
        document: ProcedureDocument, procedure: ProcedurePage
    ) -> None:
        for method in procedure.execution_methods.all():
            display = method.processing_time_display
            if display:
                document.processing_time = _text(display)
                return

    @staticmethod
    def prepare_served_abroad(
        document: ProcedureDocument, procedure: ProcedurePage
    ) -> None:
        agencies = " ".join(folded_tokens(procedure.implementing_agencies or ""))
        document.served_abroad = any(
            f" {agency} " in f" {agencies} " for agency in ABROAD_AGENCIES
        )

    @staticmethod
    def prepare_another_provinces(
        document: ProcedureDocument, procedure: ProcedurePage
    ) -> None:
        document.decision_authority = _text(procedure.decision_authority or "")
        document.another_provinces = announced_elsewhere(
            procedure.procedure_type, document.decision_authority
        )


class _Rows(list):
    """A list that answers `.all()`, so prepare_<field>() reads plain rows like prefetched ones."""

    def all(self):
        return self


# A plain attribute bag standing in for a model instance in the batch path (C-speed init).
_Row = types.SimpleNamespace


def _grouped(rows, key_index: int = 0) -> dict[int, _Rows]:
    groups: dict[int, _Rows] = {}
    for row in rows:
        groups.setdefault(row[key_index], _Rows()).append(row)
    return groups


def _in_batch(queryset, column: str, ids: list[int]):
    """Rows whose `column` is one of the sorted `ids`.

    A dense batch (a full rebuild) is read as a range: preparing an IN list of 500
    parameters per query costs more Python than the rows themselves; rows of pages outside
    the batch that fall in the range are dropped by the caller's lookup on `ids`.
    """
    if ids and ids[-1] - ids[0] < 4 * len(ids):
        return queryset.filter(**{f"{column}__gte": ids[0], f"{column}__lte": ids[-1]})
    return queryset.filter(**{f"{column}__in": ids})


def _list_rows(relation: str, ids: list[int]) -> dict[int, _Rows]:
    """One query per shared list: (procedure id -> rows with .code and .name)."""
    through = getattr(ProcedurePage, relation).through
    target = ProcedurePage._meta.get_field(relation).related_model._meta.model_name
    rows = _in_batch(through.objects, "procedurepage_id", ids).values_list(
        "procedurepage_id", f"{target}__code", f"{target}__name"
    )
    return {
        page_id: _Rows(_Row(code=code, name=name) for _, code, name in group)
        for page_id, group in _grouped(rows).items()
    }


@lru_cache(
    maxsize=4096
)  # a few hundred distinct (value, unit, text) across the catalog
def _processing_time(language: str | None, value, unit: str, text: str) -> str:
    return ExecutionMethod.format_processing_time(value, unit, text)


def _batch_rows(ids: list[int]) -> list[_Row]:
    """Procedures with every part the documents read, in a fixed number of plain queries.

    The ORM's prefetch machinery costs about 3 ms a procedure in Python; plain rows cost a
    fraction of that, which is what lets a full rebuild keep up with the catalog's size.
    """
    columns = (
        "pk", "title", "full_name", "national_code", "local_code", "keywords", "summary",
        "online_level", "result_note", "path", "url_path", "live_revision_id",
        "implementing_agencies", "procedure_type", "decision_authority",
    )  # fmt: skip
    ids = sorted(ids)
    wanted = set(ids)
    pages = [
        row
        for row in _in_batch(ProcedurePage.objects, "pk", ids)
        .order_by("pk")
        .values_list(*columns)
        if row[0] in wanted
    ]
    lists = {
        name: _list_rows(name, ids)
        for name in ("fields", "levels", "subject_types", "life_events", "results")
    }
    steps = _grouped(
        _in_batch(ProcedureStep.objects, "page_id", ids)
        .order_by("page_id", "sort_order", "pk")
        .values_list("page_id", "title", "description")
    )
    methods = _grouped(
        _in_batch(ExecutionMethod.objects, "page_id", ids)
        .order_by("page_id", "sort_order", "pk")
        .values_list(
            "page_id",
            "pk",
            "processing_time_value",
            "processing_time_unit",
            "processing_time_text",
        )  # fmt: skip
    )
    fees = _grouped(
        _in_batch(FeeItem.objects, "method__page_id", ids)
        .order_by("method_id", "sort_order", "pk")
        .values_list("method_id", "amount", "currency")
    )
    cases = _grouped(
        _in_batch(DossierCase.objects, "page_id", ids)
        .order_by("page_id", "sort_order", "pk")
        .values_list("page_id", "pk", "name")
    )
    documents = _grouped(
        _in_batch(RequiredDocument.objects, "case__page_id", ids)
        .order_by("case_id", "sort_order", "pk")
        .values_list("case_id", "name")
    )
    empty = _Rows()
    language = get_language()
    procedures = []
    for (
        pk,
        title,
        full_name,
        national,
        local,
        keywords,
        summary,
        online,
        note,
        path,
        url_path,
        live_revision_id,
        agencies,
        procedure_type,
        decision_authority,
    ) in pages:
        procedures.append(
            _Row(
                pk=pk,
                title=title,
                official_name=official_name(title, full_name),
                national_code=national,
                local_code=local,
                code=local or national,
                keywords=keywords,
                summary=summary,
                online_level=online,
                result_note=note,
                path=path,
                url_path=url_path,
                live_revision_id=live_revision_id,
                implementing_agencies=agencies,
                procedure_type=procedure_type,
                decision_authority=decision_authority,
                steps=_Rows(
                    _Row(title=t, description=d) for _, t, d in steps.get(pk, empty)
                ),
                execution_methods=_Rows(
                    _Row(
                        processing_time_display=_processing_time(
                            language, value, unit, text
                        ),
                        fees=_Rows(
                            _Row(amount=a, currency=c)
                            for _, a, c in fees.get(method_pk, empty)
                        ),
                    )
                    for _, method_pk, value, unit, text in methods.get(pk, empty)
                ),
                dossier_cases=_Rows(
                    _Row(
                        name=name,
                        documents=_Rows(
                            _Row(name=n) for _, n in documents.get(case_pk, empty)
                        ),
                    )
                    for _, case_pk, name in cases.get(pk, empty)
                ),
                **{name: rows.get(pk, empty) for name, rows in lists.items()},
            )
        )
    return procedures


def iter_documents(
    page_ids: Iterable[int] | None = None, *, batch_size: int = BATCH_SIZE
) -> Iterator[ProcedureDocument]:
    """Documents for the searchable procedures (all, or those in `page_ids`), in batches."""
    builder = DocumentBuilder()
    queryset = ProcedurePage.objects.live().public().order_by("pk")
    if page_ids is not None:
        queryset = queryset.filter(pk__in=list(page_ids))
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        for procedure in _batch_rows(ids[start : start + batch_size]):
            yield builder.build(procedure)


def count_documents() -> int:
    return ProcedurePage.objects.live().public().count()
