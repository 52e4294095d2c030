"""Public search pages: clean Vietnamese addresses, routed before Wagtail's page tree."""

from django.urls import path

from search import views

app_name = "public"
urlpatterns: list = [
    path("tim-kiem/", views.search, name="search"),
    path("tim-kiem/da-mo/", views.search_click, name="search_click"),
    path("nhom-thu-tuc/<str:code>/", views.life_event, name="life_event"),
]
