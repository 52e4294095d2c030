from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API danh mục"

    def ready(self):
        from api import fast

        fast.connect()
