"""Development only: a demo superuser whose credentials are printed, so `make run` is usable at once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "admin-demo-2026"  # noqa: S105 (printed on purpose; dev only)


class Command(BaseCommand):
    help = "Create the demo superuser (DEBUG only) and print its credentials."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_dev only runs with DEBUG on (cms.settings.dev).")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "email": "admin@example.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(
            f"Demo superuser: {DEMO_USERNAME} / {DEMO_PASSWORD}"
            + ("" if created else " (already existed; password unchanged)")
        )
