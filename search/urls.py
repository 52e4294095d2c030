"""Public search pages."""

urlpatterns: list = []
