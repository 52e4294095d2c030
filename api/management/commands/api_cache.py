"""`manage.py api_cache warm`: serialize every published procedure's JSON ahead of the first read."""

import time

from django.core.management.base import BaseCommand

from api.cache import warm


class Command(BaseCommand):
    help = (
        "Build the stored JSON of every published procedure that is missing or stale "
        "(after a deploy, an import or a change to shared lists) and drop rows of "
        "procedures no longer published. Reads work without it: a miss is built on "
        "first read."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["warm"])
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = warm(batch=max(1, min(options["batch"], 1000)))
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"published {result['published']}, built {result['built']}, "
            f"dropped {result['dropped']} in {seconds:.1f} s"
        )
