"""The catalog API, version 1."""

from django.urls import include, path

app_name = "api"
urlpatterns: list = [
    path("search/", include("search.api_urls")),
]
