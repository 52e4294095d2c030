from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Tìm kiếm thủ tục"

    def ready(self):
        from search import indexing, signals  # noqa: F401  (connect receivers)
