from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Danh mục thủ tục hành chính"

    def ready(self):
        from catalog import freshness, signals  # noqa: F401  (connects the catalog event recorders)
        from catalog.services import dependents

        freshness.connect()
        dependents.connect()
