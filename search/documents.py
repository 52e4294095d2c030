"""What a published procedure looks like to search: one flat document, built in one pass."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

from django.utils.html import strip_tags

from wagtail.models import Page, Site

from catalog.models import DepartmentPage, OnlineLevel, ProcedurePage
from catalog.selectors import procedures_with_parts
from search.analysis import folded_tokens, normalize, remove_stop_words

BATCH_SIZE = 500
_SPACES = re.compile(r"\s+")


def phrase_key(text: str) -> str:
    """Folded tokens without stop words, space-joined: how a whole-phrase match is keyed."""
    return " ".join(remove_stop_words(folded_tokens(text)))


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
    url: str = ""

    @property
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
        return {f.name: getattr(self, f.name) for f in dataclass_fields(self)}

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
        }

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything search shows or matches on changes (used by `check`)."""
        encoded = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


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
            name=_text(procedure.title),
            department=_text(department.title) if department else "",
            department_code=department.code if department else "",
            url=self.url_for(procedure),
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
        amounts = [
            fee.amount
            for method in procedure.execution_methods.all()
            for fee in method.fees.all()
            if fee.amount is not None
        ]
        document.fee_min = min(amounts) if amounts else None
        document.fee_max = max(amounts) if amounts else None

    @staticmethod
    def prepare_processing_time(
        document: ProcedureDocument, procedure: ProcedurePage
    ) -> None:
        for method in procedure.execution_methods.all():
            display = method.processing_time_display
            if display:
                document.processing_time = _text(display)
                return


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
        chunk = ids[start : start + batch_size]
        batch = procedures_with_parts(
            ProcedurePage.objects.filter(pk__in=chunk).order_by("pk")
        )
        for procedure in batch:
            yield builder.build(procedure)


def count_documents() -> int:
    return ProcedurePage.objects.live().public().count()
