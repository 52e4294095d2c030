"""Every admin URL Django routes, filled with department A's objects, requested as B's roles.

Department A is the victim: a never-published procedure, a live procedure whose new draft is in
moderation, a private document collection (document, image, form template), its users, groups,
workflow, and an API key. Department B's editor, moderator and department admin request every
route that `tests.security.enumeration.routes()` finds (GET and POST, with the query strings bulk
actions and choosers use), follow one redirect and read the messages. The test fails on any
secret marker seen, any change to A's objects, any 5xx, and any route it cannot classify.

Positive controls: A's own roles see the markers where they should (so a refusal cannot pass by
accident), and B's roles are really logged in (they open their own department's draft).

Runs once, on PostgreSQL (the SQLite pass of tests/run.sh leaves out the `enumeration` marker).
`ENUMERATION_REPORT=<file>` writes the findings there as Markdown.
"""

import logging
import os
import re
import time
from collections import Counter
from pathlib import Path

from django.test import Client
from django.urls import reverse

import pytest

from tests.security.enumeration import (
    DEPARTMENT_ROLES,
    Prober,
    Route,
    Target,
    build_world,
    plan,
    routes,
    snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.enumeration]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def quiet_errors():
    """Server errors are findings here, not log noise."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def _controls(w):
    """(A's role, URL, the secret it must show)."""
    page = reverse("wagtailadmin_pages:edit", args=[w.draft_a.pk])
    return [
        ("editor", page, 1),
        ("editor", reverse("wagtailadmin_pages:edit", args=[w.pending_a.pk]), 2),
        ("editor", reverse("wagtailadmin_explore", args=[w.a.pk]), 1),
        ("editor", reverse("wagtailadmin_pages:history", args=[w.draft_a.pk]), 1),
        (
            "editor",
            reverse(
                "wagtailadmin_pages:revisions_view",
                args=[w.draft_a.pk, w.draft_a.latest_revision_id],
            ),
            1,
        ),
        (
            "editor",
            reverse("wagtailadmin_choose_page_chosen_multiple") + f"?id={w.draft_a.pk}",
            1,
        ),
        ("moderator", page, 1),
        (
            "moderator",
            reverse(
                "wagtailadmin_pages:workflow_preview",
                args=[w.pending_a.pk, w.task_a.pk],
            ),
            2,
        ),
        ("moderator", reverse("wagtaildocs:edit", args=[w.private_doc.pk]), 3),
        ("moderator", reverse("wagtaildocs:index"), 3),
        ("department_admin", page, 1),
        (
            "department_admin",
            reverse(
                "wagtailsnippets_catalog_formtemplate:edit", args=[w.template_a.pk]
            ),
            6,
        ),
        ("department_admin", reverse("wagtailsnippets_catalog_formtemplate:list"), 6),
        ("department_admin", reverse("wagtaildocs:edit", args=[w.form_doc.pk]), 5),
    ]


def test_the_owner_sees_what_the_probe_looks_for(world, quiet_errors):
    """A's roles, through the same prober, get 200 and the marker on A's objects, and an owner's
    write is seen as a write: the detectors work and the pages do show the secrets."""
    failures = []
    baseline = snapshot(world)
    prober = Prober(world, world.users_a, baseline)
    try:
        for role, url, secret in _controls(world):
            path, _, query = url.partition("?")
            target = Target(Route(url, url, url, [], {}, "", None), "-", path, [query])
            found, status, _text = prober.probe(role, "GET", target, query)
            leaks = [f for f in found if f.kind == "leak" and f"#{secret} " in f.detail]
            if status != 200 or not leaks:
                failures.append(f"A's {role} GET {url}: {status}, {found}")
        lock = reverse("wagtailadmin_pages:lock", args=[world.draft_a.pk])
        target = Target(Route("lock", "lock", lock, [], {}, "", None), "-", lock, [""])
        found, status, _text = prober.probe("moderator", "POST", target, "")
        if not any(f.kind == "write" and "A's pages" in f.detail for f in found):
            failures.append(
                f"A's moderator locking A's draft was not seen as a write: {found}"
            )
        # The POST bodies the probe sends are complete enough to write when nothing refuses.
        for key, args in (
            ("wagtailadmin_pages:edit", [world.draft_a.pk]),
            ("wagtailsnippets_catalog_formtemplate:edit", [world.template_a.pk]),
        ):
            url = reverse(key, args=args)
            target = Target(Route(key, key, url, [], {}, "", None), "-", url, [""])
            role = "department_admin"
            found, status, _text = prober.probe(role, "POST", target, "")
            if not any(f.kind == "write" for f in found):
                failures.append(
                    f"A's {role} POST {url} ({status}) wrote nothing: {found}"
                )
    finally:
        prober.close()
    assert snapshot(world) == baseline, "a probe was not rolled back"
    # B's roles are really logged in: they open their own department's draft.
    for role in DEPARTMENT_ROLES:
        client = Client()
        client.force_login(world.users_b[role])
        response = client.get(
            reverse("wagtailadmin_pages:edit", args=[world.draft_b.pk])
        )
        if (
            response.status_code != 200
            or world.draft_b.title not in response.content.decode()
        ):
            failures.append(
                f"B's {role} cannot open B's own draft: {response.status_code}"
            )
    assert not failures, "\n".join(failures)


def _report(path: str, summary: str, findings, unclassified) -> None:
    by_kind = {"leak": "Leaks", "write": "Foreign writes", "5xx": "Server errors"}
    lines = [
        "# Admin enumeration findings",
        "",
        "Written by `tests/security/test_admin_enumeration.py` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        "Department B's roles probing department A's objects; markers `ZQXSECRET-<n>`.",
        "",
        f"**{summary}**",
        "",
    ]
    if unclassified:
        lines += ["## Unclassified routes (the test cannot fill them)", ""]
        lines += [f"- {u}" for u in unclassified] + [""]
    for kind, title in by_kind.items():
        rows = [f for f in findings if f.kind == kind]
        lines += [f"## {title} ({len(rows)})", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        per_route = Counter(f.key for f in rows)
        lines += ["| URL name | findings |", "|---|---|"]
        lines += [f"| `{k}` | {n} |" for k, n in per_route.most_common()] + [""]
        lines += ["| URL name | method | role | path | what |", "|---|---|---|---|---|"]
        lines += [
            f"| `{f.key}` | {f.method} | {f.role} | `{f.path}` | {f.detail} |"
            for f in rows
        ] + [""]
    Path(path).write_text("\n".join(lines))


def test_every_admin_url_keeps_department_a_private(world, quiet_errors, capsys):
    all_routes = routes()
    targets, unclassified = plan(world, all_routes)
    only = os.environ.get(
        "ENUMERATION_ONLY"
    )  # a regex on URL names, to re-probe a few routes
    if only:
        targets = [t for t in targets if re.search(only, t.route.key)]
    baseline = snapshot(world)
    assert snapshot(world) == baseline, "the snapshot is not stable"
    prober = Prober(world, {r: world.users_b[r] for r in DEPARTMENT_ROLES}, baseline)
    findings = []
    objects = set()
    started = time.monotonic()
    route_seconds = Counter()
    verbose = bool(os.environ.get("ENUMERATION_VERBOSE"))  # every request's status
    try:
        for target in targets:
            tick = time.monotonic()
            for part in target.label.split(", "):
                if "=" in part:
                    objects.add(part.split("=", 1)[1])
            for role in DEPARTMENT_ROLES:
                for query in target.queries:
                    methods = ["GET"] if query.startswith("q=") else ["GET", "POST"]
                    for method in methods:
                        found, status, _text = prober.probe(role, method, target, query)
                        findings.extend(found)
                        if verbose:
                            with capsys.disabled():
                                print(
                                    f"  {status} {method} {role} {target.path}?{query}"
                                )
            route_seconds[target.route.key] += time.monotonic() - tick
    finally:
        prober.close()
    counts = Counter(f.kind for f in findings)
    probed = {t.route.key for t in targets}
    summary = (
        f"admin enumeration: {len(probed)} URL patterns "
        f"(of {len(all_routes)} routed, {len(unclassified)} unclassified), "
        f"{len(DEPARTMENT_ROLES)} roles, {len(objects)} objects, {prober.requests} requests; "
        f"{counts['leak']} leaks, {counts['write']} foreign writes, "
        f"{counts['5xx']} server errors ({time.monotonic() - started:.0f} s, "
        f"{prober.snapshot_seconds:.0f} s of it in snapshots)"
    )
    with capsys.disabled():
        print("\n" + summary)
        slowest = ", ".join(f"{k} {v:.1f} s" for k, v in route_seconds.most_common(8))
        print(f"  slowest routes: {slowest}")
        for line in unclassified:
            print("  unclassified", line)
        for finding in findings:
            print("  " + finding.line())
    if os.environ.get("ENUMERATION_REPORT"):
        _report(os.environ["ENUMERATION_REPORT"], summary, findings, unclassified)
    problems = [f"unclassified {u}" for u in unclassified] + [
        f.line() for f in findings
    ]
    assert not problems, summary + "\n" + "\n".join(problems)
