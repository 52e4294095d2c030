"""manage.py search_index rebuild | update | check"""

import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog.models import CatalogEvent
from search.documents import count_documents, iter_documents
from search.engines import EngineUnavailable, get_engine
from search.indexing import save_records, update_index
from search.models import IndexCursor, PendingIndexChange, SearchRecord


class Progress:
    """A plain progress bar on stderr: enough for a terminal and readable in CI logs."""

    def __init__(self, stream, total: int, label: str, enabled: bool = True):
        self.stream, self.total, self.label, self.enabled = (
            stream,
            total,
            label,
            enabled,
        )
        self.started = time.perf_counter()
        self.last = -1

    def __call__(self, done: int) -> None:
        step = max(1, self.total // 50)
        if not self.enabled or done == self.last:
            return
        if done % step and done != self.total:
            return
        self.last = done
        total = max(self.total, done, 1)
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.perf_counter() - self.started, 1e-6)
        self.stream.write(
            ending="",
            msg=f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f}/s)",
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.last >= 0:
            self.stream.write("")
            self.stream.flush()


class Command(BaseCommand):
    help = "Rebuild the search index, apply pending changes, or compare index and database."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "update", "check"])
        parser.add_argument(
            "--no-progress", action="store_true", help="do not draw the progress bar"
        )

    def handle(self, action, no_progress=False, **options):
        self.show_progress = not no_progress
        try:
            return getattr(self, f"run_{action}")()
        except EngineUnavailable as exc:
            raise CommandError(f"Search engine unavailable: {exc}") from exc

    def run_rebuild(self):
        engine = get_engine()
        started_at_event = (
            CatalogEvent.objects.order_by("-id").values_list("id", flat=True).first()
            or 0
        )
        total = count_documents()
        progress = Progress(self.stderr, total, "indexing", self.show_progress)
        started = time.perf_counter()
        documents = []

        def collect():
            for document in iter_documents():
                documents.append(document)
                yield document

        count = engine.rebuild(collect(), progress=progress)
        progress.finish()
        with transaction.atomic():
            SearchRecord.objects.all().delete()
            save_records(documents)
        # Everything up to the first event is in the new index; changes published while we
        # were building are applied on top of it.
        PendingIndexChange.objects.filter(updated_at__lt=_start_time(started)).delete()
        IndexCursor.objects.update_or_create(
            name="default", defaults={"last_event_id": started_at_event}
        )
        update_index()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Indexed {count} procedures into {engine.name} in {seconds:.2f} s "
            f"({count / max(seconds, 1e-6):,.0f}/s)."
        )
        self.rebuild_admin_index()

    def rebuild_admin_index(self):
        """Wagtail's own index, behind every admin search box (search.admin_backend).

        Saves keep it current; a rebuild refolds entries written before the folding backend
        (or by anything that bypassed the save signals).
        """
        started = time.perf_counter()
        call_command("update_index", verbosity=0)
        self.stdout.write(
            f"Rebuilt the admin search index in {time.perf_counter() - started:.2f} s."
        )

    def run_update(self):
        result = update_index()
        self.stdout.write(
            f"New catalog events: {result['events']}; "
            f"applied {result['applied']}, failed {result['failed']}."
        )
        if result["failed"]:
            raise CommandError(
                f"{result['failed']} changes could not be applied; they stay pending."
            )

    def run_check(self):
        engine = get_engine()
        indexed = engine.fingerprints()
        expected = {}
        progress = Progress(
            self.stderr, count_documents(), "checking", self.show_progress
        )
        for document in iter_documents():
            expected[document.page_id] = document.fingerprint
            progress(len(expected))
        progress.finish()
        missing = sorted(set(expected) - set(indexed))
        extra = sorted(set(indexed) - set(expected))
        stale = sorted(
            p for p in expected if p in indexed and indexed[p] != expected[p]
        )
        pending = PendingIndexChange.objects.count()
        self.stdout.write(
            f"engine={engine.name} database={len(expected)} index={len(indexed)} "
            f"missing={len(missing)} extra={len(extra)} stale={len(stale)} pending={pending}"
        )
        for label, ids in (("missing", missing), ("extra", extra), ("stale", stale)):
            if ids:
                self.stdout.write(f"  {label}: {', '.join(map(str, ids[:50]))}")
        if missing or extra or stale:
            raise CommandError(
                f"index differs from the database: {len(missing)} missing, "
                f"{len(extra)} extra, {len(stale)} stale (run `search_index rebuild`)."
            )


def _start_time(perf_started: float):
    return timezone.now() - datetime.timedelta(
        seconds=time.perf_counter() - perf_started
    )
