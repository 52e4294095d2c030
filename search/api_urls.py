"""/api/v1/search/ endpoints (owned by the search app)."""

from django.urls import path

from search.api_views import SearchView, SuggestView

urlpatterns: list = [
    path("", SearchView.as_view(), name="search"),
    path("suggest/", SuggestView.as_view(), name="search-suggest"),
]
