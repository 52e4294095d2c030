"""What readers produce and what the import reports: plain data, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class FileRejected(Exception):
    """The whole file is refused before anything is written; `message` is shown as is."""

    def __init__(
        self, message: str, *, file: str = "", row: int | None = None, column: str = ""
    ):
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column


@dataclass
class Rejection:
    """One refused row (or file when `row` is None), with where and why."""

    file: str
    message: str
    row: int | None = None
    column: str = ""
    code: str = ""

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột {self.column}")
        prefix = f"{', '.join(where)}: " if where else ""
        code = f"[{self.code}] " if self.code else ""
        return f"{prefix}{code}{self.message}"


@dataclass
class ProcedureRecord:
    """One procedure as a source describes it, in the dict shape of catalog.services.procedures.

    `agencies` are the implementing agencies named by the source (first one owns a new procedure),
    `department_code` an explicit owner (the project's template), `detail` marks a full record.
    Shared-list entries are given as {"code": ..., "name": ...} (either may be missing).
    """

    key: str
    data: dict[str, Any]
    file: str
    row: int | None = None
    agencies: list[str] = field(default_factory=list)
    department_code: str = ""
    detail: bool = False
    columns: dict[str, str] = field(
        default_factory=dict
    )  # data key -> column label, for messages
    form_files: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ReadResult:
    """Everything one file yielded."""

    file: str
    format: str
    records: list[ProcedureRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What the import does (or would do) with one procedure."""

    key: str
    title: str
    action: str  # created / updated / unchanged / rejected
    department_code: str = ""
    changed_fields: list[str] = field(default_factory=list)
    detail: bool = False


@dataclass
class ImportReport:
    files: list[tuple[str, str]] = field(default_factory=list)  # (file, format)
    outcomes: list[Outcome] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created_departments: list[str] = field(default_factory=list)
    created_entries: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    published: bool = False
    seconds: float = 0.0

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "rejected": len(self.rejections),
        }

    @property
    def ok(self) -> bool:
        return not self.rejections
