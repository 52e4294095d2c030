"""manage.py restore_catalog PATH [--replace]: load a backup_catalog archive, all or nothing."""

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from catalog.backup.archive import ArchiveError
from catalog.backup.load import RestoreRefused, read_archive, restore


class Command(BaseCommand):
    help = (
        "Khôi phục danh mục từ tệp sao lưu của backup_catalog vào một hệ thống trống "
        "(sau migrate). Kiểm tra định dạng và mã băm trước khi ghi; ghi tất cả hoặc không gì cả."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp .zip do backup_catalog tạo")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="xóa danh mục đang có (đơn vị, thủ tục, mẫu đơn, danh mục dùng chung, sự kiện) rồi khôi phục",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="chỉ kiểm tra tệp sao lưu (định dạng, mã băm, từng dòng), không ghi gì",
        )
        parser.add_argument(
            "--no-search-index",
            action="store_true",
            help="không dựng lại chỉ mục tìm kiếm sau khi khôi phục (chạy search_index rebuild sau)",
        )

    def handle(
        self,
        *args,
        path: str,
        replace=False,
        check=False,
        no_search_index=False,
        **options,
    ):
        started = time.monotonic()
        quiet = options.get("verbosity", 1) < 1

        def progress(message: str) -> None:
            if not quiet:
                self.stderr.write(message)

        try:
            archive = read_archive(Path(path), progress=progress)
        except ArchiveError as error:
            raise CommandError(
                f"Tệp sao lưu không dùng được, không ghi gì: {error}"
            ) from error
        manifest = archive.reader.manifest
        progress(
            f"  tệp hợp lệ: tạo lúc {manifest.get('created_at')}, "
            f"{len(archive.rows('procedures.jsonl'))} thủ tục, {len(manifest['members'])} thành phần"
        )
        if check:
            self.stdout.write(f"Tệp sao lưu {path} hợp lệ.")
            return
        try:
            summary = restore(archive, replace=replace, progress=progress)
        except RestoreRefused as error:
            raise CommandError(str(error)) from error
        except ArchiveError as error:
            raise CommandError(f"Khôi phục thất bại, không ghi gì: {error}") from error
        finally:
            archive.reader.close()
        counts = summary.counts
        self.stdout.write(
            f"Đã khôi phục trong {summary.seconds:.1f} giây: {counts['procedures']} thủ tục "
            f"({counts['procedures_live']} công bố lại, {counts['procedures_not_live']} chưa công bố), "
            f"{counts['departments']} đơn vị, {counts['form_templates']} mẫu đơn, {counts['files']} tệp, "
            f"{counts['events']} sự kiện; "
            + ", ".join(
                f"{name} {counts[name]}"
                for name in (
                    "levels",
                    "fields",
                    "subject_types",
                    "life_events",
                    "results",
                    "legal_documents",
                    "holidays",
                )
            )
        )
        if counts["drafts_not_in_archive"]:
            self.stdout.write(
                f"{counts['drafts_not_in_archive']} thủ tục có bản nháp chưa xuất bản ở hệ thống nguồn: "
                "chỉ bản đang công bố được sao lưu và khôi phục."
            )
        for line in summary.ids_changed:
            self.stdout.write(f"id khác bản gốc: {line}")
        for line in summary.notes:
            self.stdout.write(line)
        if no_search_index:
            self.stdout.write(
                "Chỉ mục tìm kiếm chưa dựng lại: chạy `manage.py search_index rebuild`."
            )
        else:
            progress("Dựng lại chỉ mục tìm kiếm…")
            try:
                call_command(
                    "search_index",
                    "rebuild",
                    "--no-progress",
                    stdout=self.stderr,
                    stderr=self.stderr,
                )
            except Exception as error:  # the catalog is restored and committed already
                raise CommandError(
                    f"Danh mục đã khôi phục, nhưng dựng chỉ mục tìm kiếm lỗi ({error}); "
                    "chạy lại `manage.py search_index rebuild`."
                ) from error
        self.stdout.write(f"Xong sau {time.monotonic() - started:.1f} giây.")
