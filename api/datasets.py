"""/api/v1/datasets/: the DCAT-AP record of the bulk downloads, and the files themselves."""

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

import orjson
from drf_spectacular.utils import extend_schema

from api import schema
from api.base import CatalogAPIView, conditional_answer, digest, with_validators
from api.opendata import MANIFEST, fresh_dump
from catalog.opendata.dcat import catalog_record

JSON_LD = "application/ld+json"


def dataset_record(request, dump) -> dict:
    def absolute(route: str, **kwargs) -> str:
        return request.build_absolute_uri(reverse(route, kwargs=kwargs or None))

    return catalog_record(
        dump.manifest,
        catalog_url=absolute("api:datasets"),
        page_url=request.build_absolute_uri("/du-lieu-mo/"),
        publisher_url=request.build_absolute_uri("/"),
        license=settings.OPEN_DATA_LICENSE,
        download_url=lambda file: absolute("api:dataset-file", name=file),
    )


class SingleTypeView(CatalogAPIView):
    """Serves one media type whatever Accept says (RFC 9110 allows disregarding it): a
    harvester asking for the type the DCAT record names must not get a 406. Errors stay JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class DatasetCatalogView(SingleTypeView):
    """The catalog's DCAT-AP record; building it may first rebuild a stale dump."""

    @extend_schema(**schema.dataset_catalog)
    def get(self, request):
        dump = fresh_dump()
        response = conditional_answer(
            request,
            etag=digest(
                "datasets",
                dump.manifest["generated_at"],
                request.build_absolute_uri("/"),
            ),
            modified=dump.generated_at,
            build=lambda: orjson.dumps(dataset_record(request, dump)),
        )
        if response.status_code == 200:
            response["Content-Type"] = JSON_LD
        return response


class DatasetFileView(SingleTypeView):
    """One bulk file, with its sha256 as ETag and its build time as Last-Modified."""

    @extend_schema(**schema.dataset_file)
    def get(self, request, name: str):
        dump = fresh_dump()
        file = dump.file(name)
        if name == MANIFEST:
            file = {"name": MANIFEST, "media_type": "application/json", "sha256": None}
        if file is None:
            raise NotFound(
                _("Không có tệp dữ liệu mở tên %(name)s.") % {"name": name[:100]}
            )
        path = dump.folder / name
        etag = (
            f'"{file["sha256"]}"'
            if file["sha256"]
            else digest("manifest", dump.manifest["generated_at"])
        )
        stamp = int(dump.generated_at.timestamp())
        django_request = getattr(request, "_request", request)
        response = get_conditional_response(
            django_request, etag=etag, last_modified=stamp
        )
        if response is None:
            response = FileResponse(
                open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
                as_attachment=True,
                filename=name,
                content_type=file["media_type"]
                + ("; charset=utf-8" if file["media_type"].startswith("text/") else ""),
            )
        return with_validators(response, etag=etag, stamp=stamp)
