"""The catalog API, version 1."""

from django.urls import include, path, re_path

from api import datasets, views
from api.docs import SchemaView, SwaggerView
from api.exceptions import not_found

app_name = "api"
urlpatterns: list = [
    path("search/", include("search.api_urls")),
    path("procedures/", views.ProcedureListView.as_view(), name="procedures"),
    path(
        "procedures/<str:code>/", views.ProcedureDetailView.as_view(), name="procedure"
    ),
    path("departments/", views.DepartmentListView.as_view(), name="departments"),
    path(
        "departments/<str:code>/",
        views.DepartmentDetailView.as_view(),
        name="department",
    ),
    path("fields/", views.FieldListView.as_view(), name="fields"),
    path("levels/", views.LevelListView.as_view(), name="levels"),
    path("subject-types/", views.SubjectTypeListView.as_view(), name="subject-types"),
    path("life-events/", views.LifeEventListView.as_view(), name="life-events"),
    path(
        "legal-documents/",
        views.LegalDocumentListView.as_view(),
        name="legal-documents",
    ),
    path("forms/", views.FormListView.as_view(), name="forms"),
    path("forms/<str:code>/", views.FormDetailView.as_view(), name="form"),
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
    path("datasets/", datasets.DatasetCatalogView.as_view(), name="datasets"),
    path(
        "datasets/<str:name>", datasets.DatasetFileView.as_view(), name="dataset-file"
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", not_found),
]
