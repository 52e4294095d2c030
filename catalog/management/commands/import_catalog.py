"""Import procedures from the national portal's data or the project's spreadsheets."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from catalog.importing.service import ImportOptions, import_paths
from catalog.models import DepartmentPage


class ProgressBar:
    """A one-line bar on stderr; quiet when stderr is not a terminal except at each stage's end."""

    def __init__(self, stream, *, width: int = 30):
        self.stream = stream
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.tty and done != total:
            return
        filled = int(self.width * done / max(total, 1))
        bar = "█" * filled + "·" * (self.width - filled)
        end = "\n" if done == total else "\r"
        self.stream.write(
            f"{stage:<9} [{bar}] {done}/{total} {time.monotonic() - self.started:6.1f}s{end}"
        )
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import procedures from files or folders: the national portal's catalog.jsonl, details/*.json, "
        "its list export (.xlsx), or this project's spreadsheet template (.xlsx/.csv). "
        "Merges by national code; unchanged procedures are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument(
            "--department",
            help="code of the department that owns every imported procedure",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would change, write nothing",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish created and changed procedures",
        )

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            department = DepartmentPage.objects.filter(
                code=options["department"]
            ).first()
            if department is None:
                raise CommandError(f"Không có đơn vị mã “{options['department']}”.")
        report = import_paths(
            options["paths"],
            options=ImportOptions(
                department=department,
                dry_run=options["dry_run"],
                publish=options["publish"],
                progress=ProgressBar(sys.stderr),
            ),
        )
        out = self.stdout
        for file, file_format in report.files:
            out.write(f"Tệp: {file} — {file_format}")
        counts = report.counts
        detail = sum(1 for o in report.outcomes if o.detail and o.action != "rejected")
        out.write(
            f"Tạo mới: {counts['created']}  Cập nhật: {counts['updated']}  Không đổi: {counts['unchanged']}  "
            f"Bị từ chối: {counts['rejected']}  (có chi tiết đầy đủ: {detail})"
        )
        for label, items in (
            ("Đơn vị mới", report.created_departments),
            ("Mục danh mục mới", report.created_entries),
        ):
            if items:
                out.write(f"{label} ({len(items)}):")
                for item in items:
                    out.write(f"  + {item}")
        for outcome in report.outcomes:
            if outcome.action == "updated" and options["verbosity"] > 1:
                out.write(
                    f"  ~ {outcome.key} {outcome.title}: {', '.join(outcome.changed_fields)}"
                )
        for warning in report.warnings:
            out.write(f"Lưu ý: {warning}")
        for rejection in report.rejections:
            self.stderr.write(f"Từ chối: {rejection}")
        if report.rejections:
            self.stderr.write(
                "Không ghi gì: một tệp chỉ được nhập khi mọi dòng đều hợp lệ."
            )
        elif report.dry_run:
            out.write("Chạy thử (--dry-run): chưa ghi gì.")
        out.write(f"Thời gian: {report.seconds:.1f} s")
        if report.rejections:
            raise CommandError(f"{len(report.rejections)} dòng/tệp bị từ chối.")
