"""Operational endpoints, and the open-data page."""

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cms.health import report
from cms.outage import outage_log


@transaction.non_atomic_requests  # a down database must give 503 from the view, not 500 from BEGIN
@never_cache
@require_safe  # HEAD too: load balancers probe with it (a 405 took a healthy node out)
def healthz(request):
    """ok (200), degraded (200: search impaired, catalog served) or down (503: the database
    cannot be read or written). Contract in docs/operations.md."""
    body, error = report()
    down = body["status"] == "down"
    response = JsonResponse(body, status=503 if down else 200)
    if down:
        outage_log.failed(error, request.path)
        response._has_been_logged = True  # one outage line, not one per probe
        response.database_outage = True
    else:
        outage_log.recovered(wrote=True)  # the check wrote
    return response


@require_safe  # HEAD too: link checkers and harvesters probe the page with it
def open_data(request):
    """/du-lieu-mo/: the bulk downloads for people; /api/v1/datasets/ says the same to machines."""
    from django.shortcuts import render
    from django.urls import reverse

    from api.opendata import fresh_dump

    dump = fresh_dump()
    english = request.LANGUAGE_CODE == "en"
    files = [
        {
            **file,
            "title": file["title_en"] if english else file["title_vi"],
            "url": reverse("api:dataset-file", kwargs={"name": file["name"]}),
        }
        for file in dump.manifest["files"]
    ]
    return render(
        request,
        "open_data.html",
        {
            "files": files,
            "generated_at": dump.generated_at,
            "procedures": dump.manifest["procedures"],
            "license": settings.OPEN_DATA_LICENSE,
            "has_jsonld": any(file["name"] == "catalog.jsonld" for file in files),
        },
    )
