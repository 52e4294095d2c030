from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Cổng dịch vụ công"

    def ready(self):
        from cms import chooser_input, http_cache
        from cms.setup import ensure_base_tree_after_migrate

        http_cache.connect()  # purge a front cache on publish (FRONTEND_CACHE_PURGE_URL)
        chooser_input.install()  # a tampered chooser value is a form error, not a 500

        # After cms's own migrations have run (its sender), restore the base tree if a flush took it.
        post_migrate.connect(ensure_base_tree_after_migrate, sender=self)
