"""`manage.py flush_page_views`: write the page views of ended intervals now (cron, every minute).

Views are otherwise written by the first procedure page view after an interval ends; on a quiet
site this command keeps them from waiting (counts older than an hour expire from the cache).
"""

from django.core.management.base import BaseCommand

from catalog.services.page_views import flush_views


class Command(BaseCommand):
    help = "Add the page views counted in the cache to ProcedurePage.view_count."

    def handle(self, *args, **options):
        written = flush_views()
        self.stdout.write(f"{written} views written")
