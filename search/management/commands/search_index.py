"""manage.py search_index rebuild | update | follow | check | retire --host NAME"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from search.documents import count_documents, iter_documents
from search.engines import EngineUnavailable, get_engine
from search.indexing import (
    follow,
    indexer_name,
    pending_changes,
    rebuild_index,
    reconcile,
)
from search.models import IndexCursor, PendingIndexChange


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
    help = (
        "Rebuild the search index, catch it up with the database (update; follow keeps "
        "doing it), compare index and database (check), or forget a retired host's "
        "cursor and pending changes (retire --host NAME)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", choices=["rebuild", "update", "follow", "check", "retire"]
        )
        parser.add_argument(
            "--host",
            help="retire: the SEARCH_HOST_ID of a host taken out for good",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="do not draw the progress bar"
        )
        parser.add_argument(
            "--no-admin",
            action="store_true",
            help="rebuild: the public index only, not Wagtail's admin search index "
            "(saves keep that one current; rebuilding it reads every page: 193 s at 100,000)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="follow: seconds between looks at the event log (default 1)",
        )
        parser.add_argument(
            "--reconcile-every",
            type=float,
            default=60.0,
            help="follow: seconds between full comparisons with the database (default 60)",
        )

    def handle(self, action, no_progress=False, **options):
        self.show_progress = not no_progress
        self.options = options
        if options.get("host") and action != "retire":
            raise CommandError("--host goes with retire only.")
        try:
            return getattr(self, f"run_{action}")()
        except EngineUnavailable as exc:
            # One line, no traceback: the operator needs the cause, not our stack.
            raise CommandError(f"Search engine unavailable: {exc}") from None

    def run_rebuild(self):
        engine = get_engine()
        check_writable = getattr(engine, "ensure_writable", None)
        if check_writable:  # before any database work, so the error comes at once
            check_writable()
        total = count_documents()
        progress = Progress(self.stderr, total, "indexing", self.show_progress)
        started = time.perf_counter()
        try:
            count = rebuild_index(progress=progress)
        finally:
            progress.finish()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Indexed {count} procedures into {engine.name} in {seconds:.2f} s "
            f"({count / max(seconds, 1e-6):,.0f}/s)."
        )
        if not self.options.get("no_admin"):
            self.rebuild_admin_index()

    def rebuild_admin_index(self):
        """Wagtail's own index, behind every admin search box (search.admin_backend).

        Saves keep it current; a rebuild refolds entries written before the folding backend
        (or by anything that bypassed the save signals).
        """
        self.stdout.write(
            "Rebuilding the admin search index (Wagtail's update_index: every page, "
            "snippet and document; --no-admin skips it) ..."
        )
        self.stdout.flush()
        started = time.perf_counter()
        call_command("update_index", verbosity=0)
        self.stdout.write(
            f"Rebuilt the admin search index in {time.perf_counter() - started:.2f} s."
        )

    def run_update(self):
        result = reconcile()
        self.stdout.write(self._describe(result))
        if result["failed"]:
            raise CommandError(
                f"{result['failed']} changes could not be applied; they stay pending."
            )

    @staticmethod
    def _describe(result: dict) -> str:
        text = (
            f"New catalog events: {result['events']}; "
            f"applied {result['applied']}, failed {result['failed']}. "
            f"Reconciled: {result['missing']} missing, {result['extra']} extra, "
            f"{result['stale']} stale"
        )
        if result.get("rebuilt"):
            text += (
                f"; the unreadable index was rebuilt ({result['rebuilt']} procedures)"
            )
        return text + f" ({result['seconds']:.2f} s)."

    def run_follow(self):
        """The indexer process: reconcile at start, then follow the event log."""
        self.stdout.write(
            f"Following catalog events every {self.options['interval']:g} s, "
            f"reconciling every {self.options['reconcile_every']:g} s (Ctrl-C stops)."
        )
        try:
            follow(
                interval=self.options["interval"],
                reconcile_every=self.options["reconcile_every"],
                log=lambda result: self.stdout.write(self._describe_follow(result)),
            )
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _describe_follow(self, result: dict) -> str:
        if "missing" in result:
            return self._describe(result)
        return (
            f"New catalog events: {result['events']}; "
            f"applied {result['applied']}, failed {result['failed']}."
        )

    def run_retire(self):
        """Drop a retired host's cursor and pending changes (they would stay behind for ever)."""
        name = self.options.get("host")
        if not name:
            raise CommandError(
                "retire needs --host NAME (the retired host's SEARCH_HOST_ID)."
            )
        if name == indexer_name():
            raise CommandError(
                f"'{name}' is the index this host uses; run retire from another host."
            )
        cursors = IndexCursor.objects.filter(name=name)
        pending = PendingIndexChange.objects.filter(indexer=name)
        if not cursors.exists() and not pending.exists():
            known = sorted(IndexCursor.objects.values_list("name", flat=True))
            raise CommandError(
                f"No host '{name}' is known; hosts with a cursor: {', '.join(known) or 'none'}."
            )
        dropped_pending, _ = pending.delete()
        dropped_cursors, _ = cursors.delete()
        self.stdout.write(
            f"Host '{name}' retired: cursor deleted: {'yes' if dropped_cursors else 'none'}; "
            f"pending changes deleted: {dropped_pending}."
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
        pending = pending_changes().count()
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
