"""The /api/v1/ read endpoints; reads go through api.selectors, shapes through api.representations."""

import datetime
import time

from django.conf import settings
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf, Substr
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.response import Response

import orjson
from drf_spectacular.utils import extend_schema

from api import fast, params, schema
from api.base import CatalogAPIView, conditional_answer, digest
from api.cache import (
    bodies_for,
    build,
    origin_of,
    version_of,
    version_rows,
    with_origin,
)
from api.negotiation import negotiate, procedure_body
from api.params import decode_cursor, encode_cursor, invalid_cursor, is_int
from api.representations import (
    PROCEDURE_FIELDS,
    ProcedureRenderer,
    coded,
    department_dict,
    form_template,
    iso,
    legal_document,
)
from api.selectors import (
    EPOCH,
    catalog_state,
    department_procedure_counts,
    departments_for,
    existing_event_ids,
    filter_by_departments,
    filter_by_list,
    histories_for,
    latest_events,
    load_parts,
    missing_event_ids,
    procedure_for_detail,
    published_departments,
    published_forms,
    published_procedures,
    restricted_collection_ids,
    shared_token,
    with_sort_code,
)
from catalog.models import (
    EventAction,
    Field,
    LegalDocument,
    Level,
    LifeEvent,
    OnlineLevel,
    ProcedurePage,
    ProcedureStatus,
    SubjectType,
)

ORDERINGS = {"code": "sort_code", "title": "sort_title", "updated": "sort_updated"}
# `title` orders by the whole official name (the page title is that name clipped to 255
# characters: 319 national names are longer, and an independent check found them out of the
# order of the `title` returned), its first SORT_TITLE_LENGTH characters, so a cursor holding
# the value stays within its length limit; then by id.
SORT_TITLE_LENGTH = 600
UPSERT_ACTIONS = {EventAction.PUBLISHED, EventAction.UPDATED, EventAction.MOVED}


def next_link(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(request.path) + "?" + query.urlencode()


def render_procedures(request, pages: list, *, fields=None) -> list[dict]:
    """Dicts for `pages`, with parts, departments and history fetched in a fixed number of queries."""
    renderer = ProcedureRenderer(
        request=request,
        departments=departments_for(pages)
        if "department" in (fields or PROCEDURE_FIELDS)
        else {},
        histories=histories_for(pages)
        if "change_history" in (fields or PROCEDURE_FIELDS)
        else {},
        fields=fields,
        restricted_collections=restricted_collection_ids()
        if "dossier_cases" in (fields or PROCEDURE_FIELDS)
        else frozenset(),
    )
    load_parts(pages, parts=renderer.parts_needed())
    return [renderer.render(page) for page in pages]


# --- procedures -------------------------------------------------------------------------


class ProcedureListView(CatalogAPIView):
    """Published procedures, filtered, in a stable keyset order."""

    query_params_allowed = frozenset(
        {
            "department",
            "field",
            "level",
            "subject",
            "life_event",
            "online",
            "status",
            "updated_since",
            "ordering",
            "cursor",
            "page_size",
            "fields",
        }
    )
    query_params_single = frozenset(
        {"updated_since", "ordering", "cursor", "page_size", "fields"}
    )

    @extend_schema(**schema.procedure_list)
    def get(self, request):
        size = params.page_size(request)
        fields = self.requested_fields(request)
        ordering = request.query_params.get("ordering", "code")
        if ordering.removeprefix("-") not in ORDERINGS:
            raise ParseError(
                _("ordering chỉ nhận: %(choices)s.")
                % {"choices": ", ".join(f"{o}, -{o}" for o in ORDERINGS)}
            )
        queryset = self.filtered(request)
        queryset = with_sort_code(queryset).annotate(
            sort_updated=Coalesce("last_published_at", Value(EPOCH)),
            sort_title=Substr(
                Coalesce(NullIf("full_name", Value("")), "title"), 1, SORT_TITLE_LENGTH
            ),
        )
        key = ORDERINGS[ordering.removeprefix("-")]
        descending = ordering.startswith("-")
        after = self.cursor_position(request, ordering)
        if after is not None:
            value, last_id = after
            if descending:
                queryset = queryset.filter(
                    Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": last_id})
                )
            else:
                queryset = queryset.filter(
                    Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": last_id})
                )
        direction = "-" if descending else ""
        queryset = queryset.order_by(f"{direction}{key}", f"{direction}pk")
        if (
            fields is None
        ):  # full items come from stored JSON: plain version rows suffice
            pages = version_rows(queryset, extra=(key,), limit=size + 1)
        else:
            pages = list(queryset[: size + 1])
        more = len(pages) > size
        pages = pages[:size]
        cursor = None
        if more:
            last = pages[-1]
            value = last.extra[0] if fields is None else getattr(last, key)
            cursor = encode_cursor(
                {
                    "o": ordering,
                    "v": iso(value) if key == "sort_updated" else value,
                    "i": last.pk,
                },
                endpoint="procedures",
                scope=self.scope(request, ordering),
            )
        meta = {
            "page_size": size,
            "ordering": ordering,
            "next_cursor": cursor,
            "next": next_link(request, cursor),
        }
        if fields is not None:  # light items: built per request, ETag from the body
            items = render_procedures(request, pages, fields=fields)
            return Response({"meta": meta, "items": items})
        state = catalog_state()
        origin = origin_of(request)
        etag = digest(
            "procedures",
            origin,
            request.get_full_path(),
            [version_of(page, state.shared) for page in pages],
            cursor,
        )

        def body() -> bytes:
            bodies = bodies_for(pages, shared=state.shared, request=request)
            items = b",".join(bodies[page.pk] for page in pages if page.pk in bodies)
            return with_origin(
                b'{"meta":' + orjson.dumps(meta) + b',"items":[' + items + b"]}",
                origin,
            )

        return conditional_answer(
            request, etag=etag, modified=state.changed_at, build=body
        )

    def requested_fields(self, request) -> set[str] | None:
        raw = request.query_params.get("fields")
        if raw is None:
            return None
        names = {name.strip() for name in raw.split(",") if name.strip()}
        unknown = sorted(names - set(PROCEDURE_FIELDS))
        if not names or unknown:
            raise ParseError(
                _(
                    "fields nhận danh sách tên trường, cách nhau bằng dấu phẩy, trong: %(f)s."
                )
                % {"f": ", ".join(PROCEDURE_FIELDS)}
            )
        return names

    def filtered(self, request):
        queryset = published_procedures()
        departments = params.code_list(request, "department")
        if departments is not None:
            queryset = filter_by_departments(queryset, codes=departments)
        for name, relation in (
            ("field", "fields"),
            ("level", "levels"),
            ("subject", "subject_types"),
            ("life_event", "life_events"),
        ):
            codes = params.code_list(request, name)
            if codes is not None:
                queryset = filter_by_list(queryset, relation=relation, codes=codes)
        online = params.choice_list(request, "online", OnlineLevel.values)
        if online is not None:
            queryset = queryset.filter(online_level__in=online)
        status = params.choice_list(request, "status", ProcedureStatus.values)
        if status is not None:
            queryset = queryset.filter(status__in=status)
        since = params.datetime_param(request, "updated_since")
        if since is not None:
            queryset = queryset.filter(last_published_at__gte=since)
        return queryset

    @staticmethod
    def scope(request, ordering: str) -> str:
        """A cursor fits only the filters and ordering it was issued for."""
        return params.request_scope(request, "procedures", ordering=ordering)

    def cursor_position(self, request, ordering: str):
        data = decode_cursor(
            request, endpoint="procedures", scope=self.scope(request, ordering)
        )
        if data is None:
            return None
        if (
            not isinstance(data, dict)
            or set(data) != {"o", "v", "i"}
            or not is_int(data["i"])
        ):
            raise invalid_cursor()
        if data["o"] != ordering:
            raise ParseError(
                _("cursor này thuộc về một thứ tự sắp xếp khác (ordering).")
            )
        value = data["v"]
        if not isinstance(value, str) or len(value) > SORT_TITLE_LENGTH:
            raise invalid_cursor()
        if ORDERINGS[ordering.removeprefix("-")] == "sort_updated":
            try:
                value = parse_datetime(value)
            except ValueError:
                value = None
            if value is None or value.tzinfo is None:
                raise invalid_cursor()
            value = params.in_utc(value)
        return value, data["i"]


class ProcedureDetailView(CatalogAPIView):
    """JSON by default; CPSV-AP JSON-LD or Turtle by Accept or `?format=` (api.negotiation)."""

    query_params_allowed = frozenset({"format"})
    query_params_single = frozenset({"format"})

    def perform_content_negotiation(self, request, force=False):
        if not force:
            self.representation = negotiate(request)
        return super().perform_content_negotiation(request, force=True)  # errors: JSON

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Accept",))
        return response

    @extend_schema(**schema.procedure_detail)
    def get(self, request, code: str):
        representation = self.representation
        # The generation before the read: a change committing meanwhile makes the entry stale.
        current = fast.generation()
        page = procedure_for_detail(code) if params.CODE_RE.match(code) else None
        if page is None:
            raise self.not_found(code)
        shared = shared_token(page.shared_counter)
        version = version_of(page, shared)
        origin = origin_of(request)
        modified = max(
            value
            for value in (
                page.last_published_at,
                page.last_event_at,
                page.shared_changed_at,
                EPOCH,
            )
            if value
        )
        stored = {"body": page.cached_body if page.cached_version == version else None}

        def json_body() -> bytes:
            if stored["body"] is not None:
                return with_origin(stored["body"], origin)
            full = list(ProcedurePage.objects.filter(pk=page.pk))
            built = build(full, shared=shared, request=request)
            if page.pk not in built:  # deleted while we read
                raise self.not_found(code)
            stored["body"] = built[page.pk]
            return with_origin(built[page.pk], origin)

        response = conditional_answer(
            request,
            etag=fast.detail_etag(version, origin, representation),
            modified=modified,
            build=lambda: procedure_body(json_body(), representation),
        )
        if response.status_code == 200:
            response["Content-Type"] = representation.content_type
        fast.remember(
            request._request,
            response,
            code=code,
            generation=current,
            version=version,
            stamp=int(modified.timestamp()),
            body=stored["body"],
        )
        return response

    @staticmethod
    def not_found(code: str) -> NotFound:
        return NotFound(
            _("Không có thủ tục đang công bố với mã %(code)s.") % {"code": code[:64]}
        )


# --- departments --------------------------------------------------------------------------


class DepartmentListView(CatalogAPIView):
    @extend_schema(**schema.department_list)
    def get(self, request):
        departments = (
            published_departments().select_related("parent_department").order_by("code")
        )
        counts = department_procedure_counts()
        items = [
            department_dict(d, counts=counts, request=request) for d in departments
        ]
        return Response({"meta": {"count": len(items)}, "items": items})


class DepartmentDetailView(CatalogAPIView):
    @extend_schema(**schema.department_detail)
    def get(self, request, code: str):
        department = (
            published_departments()
            .select_related("parent_department")
            .filter(code=code)
            .first()
        )
        if department is None:
            raise NotFound(_("Không có đơn vị với mã %(code)s.") % {"code": code[:64]})
        counts = department_procedure_counts()
        return Response(department_dict(department, counts=counts, request=request))


# --- shared lists ---------------------------------------------------------------------------


class SharedListView(CatalogAPIView):
    """A whole shared list; these are short (tens to hundreds of entries)."""

    model = None

    def item(self, entry) -> dict:
        return coded(entry)

    def get(self, request):
        items = [self.item(entry) for entry in self.model.objects.all()]
        return Response({"meta": {"count": len(items)}, "items": items})


class FieldListView(SharedListView):
    model = Field

    @extend_schema(**schema.field_list)
    def get(self, request):
        return super().get(request)


class LevelListView(SharedListView):
    model = Level

    def item(self, entry) -> dict:
        return {"code": entry.code, "name": entry.name, "sort_order": entry.sort_order}

    @extend_schema(**schema.level_list)
    def get(self, request):
        return super().get(request)


class SubjectTypeListView(SharedListView):
    model = SubjectType

    @extend_schema(**schema.subject_type_list)
    def get(self, request):
        return super().get(request)


class LifeEventListView(SharedListView):
    model = LifeEvent

    def item(self, entry) -> dict:
        return {
            "code": entry.code,
            "name": entry.name,
            "description": entry.description,
        }

    @extend_schema(**schema.life_event_list)
    def get(self, request):
        return super().get(request)


# --- keyset lists: legal documents and forms -------------------------------------------------


def keyset_page(request, queryset, *, key: str, endpoint: str):
    """One page of `queryset` ordered by the unique string `key`, after the cursor's value."""
    size = params.page_size(request, default=100)
    scope = params.request_scope(request, endpoint)
    data = decode_cursor(request, endpoint=endpoint, scope=scope)
    if data is not None:
        if (
            not isinstance(data, dict)
            or set(data) != {"after"}
            or not isinstance(data["after"], str)
            or len(data["after"]) > 600
        ):
            raise invalid_cursor()
        queryset = queryset.filter(**{f"{key}__gt": data["after"]})
    rows = list(queryset.order_by(key)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    cursor = (
        encode_cursor({"after": getattr(rows[-1], key)}, endpoint=endpoint, scope=scope)
        if more
        else None
    )
    meta = {
        "page_size": size,
        "next_cursor": cursor,
        "next": next_link(request, cursor),
    }
    return rows, meta


class LegalDocumentListView(CatalogAPIView):
    query_params_allowed = frozenset({"cursor", "page_size"})
    query_params_single = query_params_allowed

    @extend_schema(**schema.legal_document_list)
    def get(self, request):
        rows, meta = keyset_page(
            request,
            LegalDocument.objects.all(),
            key="number",
            endpoint="legal-documents",
        )
        return Response({"meta": meta, "items": [legal_document(row) for row in rows]})


class FormListView(CatalogAPIView):
    query_params_allowed = frozenset({"cursor", "page_size", "department"})
    query_params_single = frozenset({"cursor", "page_size"})

    @extend_schema(**schema.form_list)
    def get(self, request):
        queryset = published_forms()
        departments = params.code_list(request, "department")
        if departments is not None:
            queryset = queryset.filter(department__code__in=departments)
        rows, meta = keyset_page(request, queryset, key="code", endpoint="forms")
        return Response(
            {"meta": meta, "items": [form_template(row, request) for row in rows]}
        )


class FormDetailView(CatalogAPIView):
    @extend_schema(**schema.form_detail)
    def get(self, request, code: str):
        form = published_forms().filter(code=code).first()
        if form is None:
            raise NotFound(_("Không có mẫu đơn với mã %(code)s.") % {"code": code[:64]})
        return Response(form_template(form, request))


# --- the change feed ------------------------------------------------------------------------

MAX_GAPS = 100


class ChangeFeedView(CatalogAPIView):
    """The newest event of each procedure since the cursor; replaying it yields the published catalog.

    Each procedure appears once, at its latest sequence number, with its current published
    content, or as a tombstone when it is no longer published. Sequence numbers drawn by
    transactions that had not committed yet ("gaps") travel in the cursor and are looked at
    again on the next call, so a late commit is never skipped.
    """

    query_params_allowed = frozenset({"cursor", "page_size"})
    query_params_single = query_params_allowed

    @extend_schema(**schema.change_feed)
    def get(self, request):
        size = params.page_size(request, default=100)
        after, gaps = self.position(request)
        now = int(time.time())
        horizon = getattr(settings, "API_CHANGES_GAP_SECONDS", 3600)
        gaps = {number: seen for number, seen in gaps.items() if now - seen <= horizon}

        events = latest_events(after=after, also=sorted(gaps), limit=size)
        more = len(events) > size
        events = events[:size]
        reached = max([after] + [event.pk for event in events])
        resolved = existing_event_ids([g for g in gaps if g <= reached])
        gaps = {g: seen for g, seen in gaps.items() if g > reached or g not in resolved}
        recent_since = datetime.datetime.fromtimestamp(now - horizon, tz=datetime.UTC)
        for number in missing_event_ids(
            after=after, upto=reached, recent_since=recent_since
        ):
            gaps.setdefault(number, now)
        if len(gaps) > MAX_GAPS:
            gaps = dict(sorted(gaps.items())[-MAX_GAPS:])

        cursor = encode_cursor(
            {"s": reached, "g": sorted([g, s] for g, s in gaps.items())},
            endpoint="changes",
            scope=params.request_scope(request, "changes"),
        )
        meta = {
            "page_size": size,
            "has_more": more,
            "next_cursor": cursor,
            "next": next_link(request, cursor),
        }
        state = catalog_state()
        pages = {
            page.pk: page
            for page in version_rows(
                published_procedures().filter(
                    pk__in=[event.page_id for event in events]
                )
            )
        }
        origin = origin_of(request)
        # The gaps' first-seen times are left out: they change from call to call, the entries do not.
        etag = digest(
            "changes",
            origin,
            request.get_full_path(),
            [
                (event.pk, event.page_id, event.action, event.change_note)
                + (
                    (version_of(pages[event.page_id], state.shared),)
                    if event.page_id in pages
                    else ()
                )
                for event in events
            ],
            [more, reached, sorted(gaps)],
        )

        def body() -> bytes:
            items = self.entries(request, events, pages, shared=state.shared)
            return with_origin(
                b'{"meta":' + orjson.dumps(meta) + b',"items":[' + items + b"]}",
                origin,
            )

        return conditional_answer(
            request, etag=etag, modified=state.changed_at, build=body
        )

    def position(self, request) -> tuple[int, dict[int, int]]:
        data = decode_cursor(
            request, endpoint="changes", scope=params.request_scope(request, "changes")
        )
        if data is None:
            return 0, {}
        if (
            not isinstance(data, dict)
            or set(data) != {"s", "g"}
            or not is_int(data["s"])
            or not isinstance(data["g"], list)
            or len(data["g"]) > MAX_GAPS
        ):
            raise invalid_cursor()
        gaps = {}
        for pair in data["g"]:
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(is_int(value) for value in pair)
                or pair[0] >= data["s"]
            ):
                raise invalid_cursor()
            gaps[pair[0]] = pair[1]
        return data["s"], gaps

    def entries(self, request, events, pages: dict, *, shared: str) -> bytes:
        """The items as JSON, each procedure spliced in from its stored bytes."""
        bodies = bodies_for(list(pages.values()), shared=shared, request=request)
        items = []
        for event in events:
            page = pages.get(event.page_id)
            procedure = bodies.get(event.page_id) if page is not None else None
            if procedure is not None:
                action = (
                    event.action
                    if event.action in UPSERT_ACTIONS
                    else EventAction.UPDATED
                )
                code = page.local_code or page.national_code
            else:
                # Not published now, whatever the last event said: a tombstone.
                action = (
                    event.action
                    if event.action not in UPSERT_ACTIONS
                    else EventAction.UNPUBLISHED
                )
                code = event.local_code or event.national_code
            entry = orjson.dumps(
                {
                    "sequence": event.pk,
                    "id": event.page_id,
                    "code": code,
                    "action": str(action),
                    "occurred_at": iso(event.occurred_at),
                    "change_note": event.change_note,
                    "department": event.department_code or None,
                }
            )
            items.append(entry[:-1] + b',"procedure":' + (procedure or b"null") + b"}")
        return b",".join(items)
