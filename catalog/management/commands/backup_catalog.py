"""manage.py backup_catalog PATH: the whole catalog in one zip that restore_catalog reads back."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.backup.dump import write_backup


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ danh mục (danh mục dùng chung, cơ quan, mẫu đơn và tệp, thủ tục, "
        "lịch sử thay đổi) vào một tệp .zip; khôi phục bằng restore_catalog."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp .zip sẽ ghi (ghi đè nếu đã có)")

    def handle(self, *args, path: str, **options):
        target = Path(path)
        if target.is_dir():
            raise CommandError(f"{target} là một thư mục; hãy cho tên tệp .zip.")
        if not target.parent.exists():
            raise CommandError(f"Không có thư mục {target.parent}.")
        started = time.monotonic()
        quiet = options.get("verbosity", 1) < 1

        def progress(message: str) -> None:
            if not quiet:
                self.stderr.write(message)

        progress(f"Sao lưu danh mục vào {target}…")
        manifest = write_backup(target, progress=progress)
        elapsed = time.monotonic() - started
        counts = manifest["counts"]
        procedures = manifest["procedures"]
        self.stdout.write(
            f"Đã sao lưu vào {target} ({target.stat().st_size / 1048576:.1f} MB, {elapsed:.1f} giây): "
            f"{procedures['total']} thủ tục ({procedures['live']} đang công bố, "
            f"{procedures['live_with_unpublished_draft']} có bản nháp chưa xuất bản: bản nháp không được sao lưu), "
            f"{counts['departments.jsonl']} đơn vị, {counts['form_templates.jsonl']} mẫu đơn, "
            f"{counts['documents.jsonl']} tệp, {counts['events.jsonl']} sự kiện."
        )
