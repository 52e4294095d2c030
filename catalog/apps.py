from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Danh mục thủ tục hành chính"

    def ready(self):
        from catalog import freshness, signals  # noqa: F401  (connects the catalog event recorders)
        from catalog.services import dependents

        freshness.connect()
        register_date_fields()
        dependents.connect()


def register_date_fields() -> None:
    """Every date in a Wagtail admin form (pages, their inline parts, snippets) keeps what the
    editor typed and refuses a date that does not exist, instead of the picker's silent fix."""
    from django.db import models

    from wagtail.admin.forms.models import register_form_field_override

    from catalog.forms import DayMonthYearField

    register_form_field_override(
        models.DateField, override={"form_class": DayMonthYearField}
    )
