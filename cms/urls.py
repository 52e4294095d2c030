from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.admin_workflow import workflow_action
from cms.views import healthz, open_data
from cms.wagtail_api import CatalogPagesAPIViewSet

# The database being unavailable outside a view (session, admin guard) answers 503, not 500.
handler500 = "cms.outage.server_error"

# Wagtail's generic pages API stays available as the benchmark peer and for Wagtail's own clients.
wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", CatalogPagesAPIViewSet)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # before Wagtail's own route of the same path: adds the message the dashboard lacked
    path(
        "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        workflow_action,
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("api.urls")),
    path("api/v2/", wagtail_api.urls),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("du-lieu-mo/", open_data, name="open_data"),
    # No CSRF token on the language switch, so public pages set no cookie and stay cacheable;
    # a forged switch can only change a visitor's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("search.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))
