"""manage.py export_open_data [PATH]: the published catalog as bulk open-data files."""

import contextlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from api.opendata import build_lock, served_dir, write_dump
from catalog.management.commands.import_catalog import ProgressBar


class Command(BaseCommand):
    help = (
        "Xuất toàn bộ thủ tục đang công bố thành các tệp dữ liệu mở (JSON Lines, CSV từng "
        "bảng, JSON-LD, bản sao khôi phục được) kèm manifest.json (kích thước, sha256, số "
        "dòng). PATH trở thành liên kết tới thư mục mới, đổi một lần khi xong; không có PATH "
        "thì cập nhật bản đang phục vụ ở /api/v1/datasets/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="liên kết sẽ trỏ tới bản xuất (mặc định: bản đang phục vụ)",
        )
        parser.add_argument(
            "--origin",
            help="scheme và host cho các địa chỉ tải mẫu đơn (mặc định: BASE_URL)",
        )

    def handle(self, *args, path=None, origin=None, **options):
        served = path is None
        target = served_dir() if served else Path(path).absolute()
        # The served dump's folder is ours to create (as the lock below does); a PATH's is not.
        if not served and not target.parent.exists():
            raise CommandError(f"Không có thư mục {target.parent}.")
        quiet = options.get("verbosity", 1) < 1
        bar = ProgressBar(self.stderr._out)

        def log(message: str) -> None:
            if not quiet:
                self.stderr.write(message)

        started = time.monotonic()
        log(f"Xuất dữ liệu mở vào {target}…")
        # The served dump is also built by web requests: one builder at a time.
        with build_lock() if served else contextlib.nullcontext():
            try:
                manifest = write_dump(
                    target,
                    origin=origin,
                    progress=(lambda *a: None) if quiet else bar,
                    log=log,
                    parallel=True,
                )
            except FileExistsError as error:
                raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        total = sum(file["size"] for file in manifest["files"])
        self.stdout.write(
            f"Đã xuất {manifest['procedures']} thủ tục vào {target} "
            f"({len(manifest['files'])} tệp, {total / 1048576:.1f} MB, {elapsed:.1f} giây)."
        )
