"""API: our detail and full-detail list against Wagtail's API v2 and against raw SQL + orjson."""

# ruff: noqa: S608 - SQL built only from table names and %s placeholders, never from input
from __future__ import annotations

import random
from collections import defaultdict

from django.db import connection
from django.test import Client

import orjson

from bench.harness import Context, Row, count_queries, ratio, timed, url_exists
from bench.wagtail_peer import declare_api_fields


def sample_procedures(count: int, seed: int = 7) -> list[tuple[int, str]]:
    from catalog.models import ProcedurePage

    rows = list(
        ProcedurePage.objects.live()
        .order_by("id")
        .values_list("id", "national_code", "local_code")
    )
    rng = random.Random(seed)
    picked = rng.sample(rows, min(count, len(rows)))
    return [(pk, local or national) for pk, national, local in picked]


# ------------------------------------------------------------------------------------------
# the floor: the same rows with hand-written SQL, serialized with orjson


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(ids: list[int]) -> str:
    return ",".join(["%s"] * len(ids))


def floor_documents(ids: list[int]) -> list[dict]:
    """Every part our API returns for these procedures, in 8 queries whatever len(ids)."""
    marks = _in(ids)
    pages = _fetch(
        "SELECT p.id, COALESCE(NULLIF(pp.full_name, ''), p.title), p.url_path, p.last_published_at, pp.national_code, pp.local_code, "
        "pp.procedure_type, pp.status, pp.decision_number, pp.decision_date, pp.effective_date, "
        "pp.summary, pp.implementing_agencies, pp.competent_authority, pp.coordinating_agencies, "
        "pp.receiving_address, pp.online_level, pp.online_url, pp.conditions, pp.result_note, "
        "pp.keywords, d.code, dp.title "
        "FROM wagtailcore_page p JOIN catalog_procedurepage pp ON pp.page_ptr_id = p.id "
        "JOIN wagtailcore_page dp ON dp.path = substr(p.path, 1, length(p.path) - 4) "
        "JOIN catalog_departmentpage d ON d.page_ptr_id = dp.id "
        f"WHERE p.id IN ({marks}) ORDER BY p.id",
        ids,
    )
    docs: dict[int, dict] = {}
    for row in pages:
        docs[row[0]] = {
            "code": row[5] or row[4],
            "national_code": row[4],
            "local_code": row[5],
            "name": row[1],
            "url": row[2],
            "updated_at": row[3],
            "procedure_type": row[6],
            "status": row[7],
            "decision_number": row[8],
            "decision_date": row[9],
            "effective_date": row[10],
            "summary": row[11],
            "implementing_agencies": row[12],
            "competent_authority": row[13],
            "coordinating_agencies": row[14],
            "receiving_address": row[15],
            "online_level": row[16],
            "online_url": row[17],
            "conditions": row[18],
            "result_note": row[19],
            "keywords": row[20],
            "department": {"code": row[21], "name": row[22]},
            "steps": [],
            "execution_methods": [],
            "dossier_cases": [],
        }
    lists = defaultdict(lambda: defaultdict(list))
    for relation, table, column, key in (
        ("levels", "catalog_level", "level_id", "code"),
        ("subject_types", "catalog_subjecttype", "subjecttype_id", "code"),
        ("fields", "catalog_field", "field_id", "code"),
        ("life_events", "catalog_lifeevent", "lifeevent_id", "code"),
        ("results", "catalog_result", "result_id", "code"),
    ):
        for page_id, code, name in _fetch(
            f"SELECT t.procedurepage_id, l.{key}, l.name FROM catalog_procedurepage_{relation} t "
            f"JOIN {table} l ON l.id = t.{column} WHERE t.procedurepage_id IN ({marks})",
            ids,
        ):
            lists[relation][page_id].append({"code": code, "name": name})
    for page_id, number, title, issuer, issued, effective, url in _fetch(
        "SELECT t.procedurepage_id, l.number, l.title, l.issuer, l.issued_on, l.effective_on, l.url "
        "FROM catalog_procedurepage_legal_basis t JOIN catalog_legaldocument l ON l.id = t.legaldocument_id "
        f"WHERE t.procedurepage_id IN ({marks})",
        ids,
    ):
        lists["legal_basis"][page_id].append(
            {
                "number": number,
                "title": title,
                "issuer": issuer,
                "issued_on": issued,
                "effective_on": effective,
                "url": url,
            }
        )
    for page_id, title, description in _fetch(
        f"SELECT page_id, title, description FROM catalog_procedurestep WHERE page_id IN ({marks}) ORDER BY sort_order",
        ids,
    ):
        docs[page_id]["steps"].append({"title": title, "description": description})
    methods = {}
    for method_id, page_id, channel, value, unit, text, description in _fetch(
        "SELECT id, page_id, channel, processing_time_value, processing_time_unit, processing_time_text, description "
        f"FROM catalog_executionmethod WHERE page_id IN ({marks}) ORDER BY sort_order",
        ids,
    ):
        method = {
            "channel": channel,
            "processing_time": {
                "value": float(value) if value is not None else None,
                "unit": unit,
                "text": text,
            },
            "description": description,
            "fees": [],
        }
        methods[method_id] = method
        docs[page_id]["execution_methods"].append(method)
    if methods:
        for method_id, kind, amount, currency, description in _fetch(
            f"SELECT method_id, kind, amount, currency, description FROM catalog_feeitem WHERE method_id IN ({_in(list(methods))}) "
            "ORDER BY sort_order",
            list(methods),
        ):
            methods[method_id]["fees"].append(
                {
                    "kind": kind,
                    "amount": amount,
                    "currency": currency,
                    "description": description,
                }
            )
    cases = {}
    for case_id, page_id, name, description in _fetch(
        f"SELECT id, page_id, name, description FROM catalog_dossiercase WHERE page_id IN ({marks}) ORDER BY sort_order",
        ids,
    ):
        cases[case_id] = {"name": name, "description": description, "documents": []}
        docs[page_id]["dossier_cases"].append(cases[case_id])
    if cases:
        for (
            case_id,
            name,
            originals,
            copies,
            required,
            note,
            form_code,
            form_name,
            sha,
            size,
        ) in _fetch(
            "SELECT r.case_id, r.name, r.originals, r.copies, r.is_required, r.note, f.code, f.name, f.sha256, f.size "
            "FROM catalog_requireddocument r LEFT JOIN catalog_formtemplate f ON f.id = r.form_template_id "
            f"WHERE r.case_id IN ({_in(list(cases))}) ORDER BY r.sort_order",
            list(cases),
        ):
            cases[case_id]["documents"].append(
                {
                    "name": name,
                    "originals": originals,
                    "copies": copies,
                    "is_required": bool(required),
                    "note": note,
                    "form": {
                        "code": form_code,
                        "name": form_name,
                        "sha256": sha,
                        "size": size,
                    }
                    if form_code
                    else None,
                }
            )
    for page_id, doc in docs.items():
        for relation in (
            "levels",
            "subject_types",
            "fields",
            "life_events",
            "results",
            "legal_basis",
        ):
            doc[relation] = lists[relation].get(page_id, [])
    return [docs[i] for i in ids if i in docs]


def floor_detail(page_id: int) -> bytes:
    return orjson.dumps(floor_documents([page_id])[0])


def floor_list(ids: list[int]) -> bytes:
    return orjson.dumps(
        {"meta": {"total_count": len(ids)}, "items": floor_documents(ids)}
    )


# ------------------------------------------------------------------------------------------


def _get(client: Client, url: str, **headers):
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise AssertionError(
            f"GET {url} -> {response.status_code}: {response.content[:200]!r}"
        )
    return response


def _next_link(payload: dict) -> str | None:
    meta = payload.get("meta") or {}
    for key in ("next", "next_url", "next_cursor"):
        if meta.get(key):
            value = meta[key]
            return value if "/" in str(value) else None
    return payload.get("next")


def warm_cache(ctx: Context, client: Client, sample) -> None:
    """The detail as the first read after a change builds it, then `manage.py api_cache warm`."""
    import time

    from api.cache import warm
    from api.models import ProcedureRepresentation

    cold_items = sample[:40]
    ProcedureRepresentation.objects.filter(
        page_id__in=[pk for pk, _code in cold_items]
    ).delete()
    samples = []
    for _pk, code in cold_items:
        started = time.perf_counter()
        _get(client, f"/api/v1/procedures/{code}/")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    ctx.add(
        Row(
            "api",
            "cold read: procedures/{code}/ detail (first read after a change)",
            p50_ms=round(samples[len(samples) // 2], 3),
            p95_ms=round(samples[int(len(samples) * 0.95) - 1], 3),
            note=f"{len(samples)} procedures whose stored JSON was deleted first",
        )
    )
    ProcedureRepresentation.objects.all().delete()
    started = time.perf_counter()
    result = warm()
    seconds = time.perf_counter() - started
    ctx.add(
        Row(
            "api",
            "stored JSON warm-up (manage.py api_cache warm), empty table",
            value=round(result["built"] / seconds) if seconds else None,
            unit="procedures/s",
            note=f"{result['built']:,} procedures built in {seconds:.1f} s; "
            "the detail, list and feed rows below read the stored JSON",
        )
    )


def run(ctx: Context) -> None:
    client = Client()
    added_fields = declare_api_fields()
    sample = sample_procedures(200 if not ctx.quick else 40)
    repeat = 200 if not ctx.quick else 40
    ctx.state["api_sample"] = sample

    # --- stored JSON: a cold read, then the warm-up a deploy runs -------------
    warm_cache(ctx, client, sample)

    # --- detail -------------------------------------------------------------
    wagtail_detail = timed(
        lambda item: _get(client, f"/api/v2/pages/{item[0]}/"),
        repeat=repeat,
        inputs=sample,
    )
    wagtail_q = count_queries(lambda: _get(client, f"/api/v2/pages/{sample[0][0]}/"))
    floor = timed(lambda item: floor_detail(item[0]), repeat=repeat, inputs=sample)
    floor_q = count_queries(lambda: floor_detail(sample[0][0]))
    ours = None
    if url_exists(f"/api/v1/procedures/{sample[0][1]}/"):
        ours = timed(
            lambda item: _get(client, f"/api/v1/procedures/{item[1]}/"),
            repeat=repeat,
            inputs=sample,
        )
        ours_q = count_queries(
            lambda: _get(client, f"/api/v1/procedures/{sample[0][1]}/")
        )
        ctx.add(
            Row(
                "api",
                "procedures/{code}/ detail",
                p50_ms=ours["p50_ms"],
                p95_ms=ours["p95_ms"],
                queries=ours_q,
                peer="Wagtail API v2 /api/v2/pages/{id}/; floor raw SQL+orjson",
                ratio=f"{ratio(ours['p50_ms'], wagtail_detail['p50_ms'], 'Wagtail v2')}; "
                f"{ours['p50_ms'] / floor['p50_ms']:.1f}x the floor",
                extra={"ours": ours, "wagtail": wagtail_detail, "floor": floor},
            )
        )
    else:
        ctx.missing("api", "procedures/{code}/ detail", "/api/v1/procedures/{code}/")
    ctx.add(
        Row(
            "api",
            "peer: Wagtail v2 pages/{id}/ (fields=*)",
            p50_ms=wagtail_detail["p50_ms"],
            p95_ms=wagtail_detail["p95_ms"],
            queries=wagtail_q,
            note="api_fields declared by the bench" if added_fields else "",
        )
    )
    ctx.add(
        Row(
            "api",
            "floor: detail raw SQL + orjson",
            p50_ms=floor["p50_ms"],
            p95_ms=floor["p95_ms"],
            queries=floor_q,
        )
    )
    ctx.state["api_detail"] = {"ours": ours, "wagtail": wagtail_detail, "floor": floor}

    # --- list of 100, full detail -----------------------------------------
    list_repeat = 20 if not ctx.quick else 6
    offsets = list(range(0, min(ctx.procedures, 2000), 100))
    wagtail_list = timed(
        lambda offset: _get(
            client,
            f"/api/v2/pages/?type=catalog.ProcedurePage&fields=*&limit=100&offset={offset}",
        ),
        repeat=max(
            list_repeat // 2, 5
        ),  # the slowest peer: fewer rounds keep `make bench` short
        inputs=offsets,
        warmup=1,
    )
    wagtail_list_q = count_queries(
        lambda: _get(
            client,
            "/api/v2/pages/?type=catalog.ProcedurePage&fields=*&limit=100&offset=0",
        )
    )
    from catalog.models import ProcedurePage

    live_ids = list(
        ProcedurePage.objects.live().order_by("id").values_list("id", flat=True)[:2000]
    )
    id_pages = [live_ids[i : i + 100] for i in range(0, len(live_ids), 100)]
    floor_l = timed(
        lambda ids: floor_list(ids), repeat=list_repeat, inputs=id_pages, warmup=2
    )
    floor_l_q = count_queries(lambda: floor_list(id_pages[0]))
    ours_l = None
    if url_exists("/api/v1/procedures/"):
        urls = ["/api/v1/procedures/?page_size=100"]
        payload = orjson.loads(_get(client, urls[0]).content)
        while len(urls) < len(offsets):
            link = _next_link(payload)
            if not link:
                break
            link = link.split("://", 1)[-1]
            link = link[link.index("/") :] if not link.startswith("/") else link
            urls.append(link)
            payload = orjson.loads(_get(client, link).content)
        items = len(payload.get("items") or payload.get("results") or [])
        ours_l = timed(
            lambda url: _get(client, url), repeat=list_repeat, inputs=urls, warmup=2
        )
        ours_l_q = count_queries(lambda: _get(client, urls[0]))
        ctx.add(
            Row(
                "api",
                "procedures/?page_size=100 (full detail)",
                p50_ms=ours_l["p50_ms"],
                p95_ms=ours_l["p95_ms"],
                queries=ours_l_q,
                peer="Wagtail v2 ?type=ProcedurePage&fields=*&limit=100; floor",
                ratio=f"{ratio(ours_l['p50_ms'], wagtail_list['p50_ms'], 'Wagtail v2')}; "
                f"{ours_l['p50_ms'] / floor_l['p50_ms']:.1f}x the floor",
                note=f"{len(urls)} cursor pages, {items} items on the last",
                extra={"ours": ours_l, "wagtail": wagtail_list, "floor": floor_l},
            )
        )
    else:
        ctx.missing(
            "api", "procedures/?page_size=100 (full detail)", "/api/v1/procedures/"
        )
    ctx.add(
        Row(
            "api",
            "peer: Wagtail v2 list limit=100 fields=*",
            p50_ms=wagtail_list["p50_ms"],
            p95_ms=wagtail_list["p95_ms"],
            queries=wagtail_list_q,
        )
    )
    ctx.add(
        Row(
            "api",
            "floor: 100 procedures raw SQL + orjson",
            p50_ms=floor_l["p50_ms"],
            p95_ms=floor_l["p95_ms"],
            queries=floor_l_q,
        )
    )
    ctx.state["api_list"] = {"ours": ours_l, "wagtail": wagtail_list, "floor": floor_l}
