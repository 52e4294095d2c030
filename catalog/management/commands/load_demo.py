"""manage.py load_demo [--force]: fill an empty catalog with the hand-written demo data."""

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.demo.loader import DemoDataError, load_demo

# Per-object INFO lines (task runs, "Page created") drown the progress report at verbosity 1.
CHATTY_LOGGERS = ("django_tasks", "wagtail")


@contextmanager
def _quiet(loggers, *, enabled: bool):
    saved = {name: logging.getLogger(name).level for name in loggers}
    if enabled:
        for name in loggers:
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = (
        "Nạp danh mục mẫu: danh mục dùng chung, cơ quan, mẫu đơn và thủ tục hành chính. "
        "Không làm gì khi đã có thủ tục, trừ khi dùng --force (khi đó tạo phần còn thiếu, cập nhật phần đã đổi)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Nạp cả khi danh mục đã có thủ tục: tạo mới phần chưa có, công bố lại thủ tục có nội dung khác dữ liệu mẫu.",
        )

    def handle(self, *args, force: bool = False, **options):
        started = time.monotonic()
        self.stdout.write("Nạp dữ liệu mẫu…")
        try:
            with _quiet(CHATTY_LOGGERS, enabled=options.get("verbosity", 1) < 2):
                counts = load_demo(force=force, log=self.stdout.write)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        if not counts:
            return
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{key}={value}" for key, value in sorted(counts.items()))
        self.stdout.write(
            self.style.SUCCESS(f"Xong trong {elapsed:.1f} giây: {summary}")
        )
        if (
            settings.DEBUG
        ):  # `make run`: the role accounts need the departments just loaded
            from catalog.management.commands.setup_dev import (
                ensure_demo_accounts,
                print_accounts,
            )

            print_accounts(self.stdout.write, ensure_demo_accounts())
