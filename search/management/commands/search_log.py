"""manage.py search_log flush|purge: write the buffered query log now, or delete old rows.

Run `flush` from cron every minute when searches are served with REDIS_URL (every worker's
entries share one buffer there); without Redis each process writes its own buffer itself.
"""

from django.core.management.base import BaseCommand

from search import query_log


class Command(BaseCommand):
    help = "Write the buffered search query log to the database, or purge old rows."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["flush", "purge"])

    def handle(self, *args, action, **options):
        if action == "flush":
            written = 0
            while taken := query_log.flush():
                written += taken
            self.stdout.write(f"{written} entries written")
        else:
            deleted = query_log.purge()
            self.stdout.write(f"{deleted} rows deleted")
