"""Permissions: "procedures I may edit" with every department and 1,000 editors, against Wagtail's policy."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from bench.harness import Context, Row, count_queries, ratio, timed

EDITORS = 1000


def _editors(seed: int = 11) -> list:
    """1,000 users holding roles: most one department, one in ten two or three (moderators, admins).

    Granted in bulk (bench.bulk.grant_roles: the rows grant_role writes, ~14,000 queries fewer)."""
    from bench.bulk import grant_roles
    from catalog.models import DepartmentPage

    User = get_user_model()
    existing = list(
        User.objects.filter(username__startswith="bench-editor-").order_by("username")
    )
    if len(existing) >= EDITORS:
        return existing
    rng = random.Random(seed)
    departments = list(DepartmentPage.objects.order_by("code"))
    actor, _ = User.objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True, "is_staff": True}
    )
    users = []
    with transaction.atomic():
        created = User.objects.bulk_create(
            [
                User(username=f"bench-editor-{i:04d}", is_staff=True)
                for i in range(len(existing), EDITORS)
            ]
        )
        for user in created:
            user.refresh_from_db() if user.pk is None else None
        created = list(
            User.objects.filter(username__startswith="bench-editor-").order_by(
                "username"
            )
        )
        grants = []
        for user in created:
            role = rng.choices(
                ["editor", "moderator", "department_admin"], weights=[80, 15, 5]
            )[0]
            count = 1 if rng.random() < 0.9 else rng.choice([2, 3])
            for department in rng.sample(departments, count):
                grants.append((user, department, role))
            users.append(user)
        # what grant_role does for each, in a few statements (tests/bench/test_bulk.py)
        grant_roles(actor=actor, grants=grants)
    return users


def run(ctx: Context) -> None:
    from catalog.models import DepartmentPage, ProcedurePage

    try:
        from catalog.permissions import editable_procedures
    except ImportError:
        ctx.missing(
            "permissions",
            "procedures I may edit",
            "catalog.permissions.editable_procedures",
        )
        return
    departments = DepartmentPage.objects.count()
    users = _editors()
    User = get_user_model()
    rng = random.Random(5)
    sample_ids = [user.pk for user in rng.sample(users, 50)]

    def ours(user_id):
        user = User.objects.get(pk=user_id)
        return list(
            editable_procedures(user).order_by("title").values_list("pk", "title")[:50]
        )

    def listing_queries(fn):
        return count_queries(lambda: fn(sample_ids[0])) - 1  # minus loading the user

    stats = timed(ours, repeat=200 if not ctx.quick else 30, inputs=sample_ids)
    ours_q = listing_queries(ours)
    counts = [
        editable_procedures(User.objects.get(pk=pk)).count() for pk in sample_ids[:10]
    ]

    from wagtail.permission_policies.pages import PagePermissionPolicy

    policy = PagePermissionPolicy()

    def wagtail(user_id):
        user = User.objects.get(pk=user_id)
        pages = policy.instances_user_has_permission_for(user, "change").type(
            ProcedurePage
        )
        return list(pages.order_by("title").values_list("pk", "title")[:50])

    peer = timed(wagtail, repeat=200 if not ctx.quick else 30, inputs=sample_ids)
    peer_q = listing_queries(wagtail)
    ctx.add(
        Row(
            "permissions",
            "procedures I may edit (first 50 by title)",
            p50_ms=stats["p50_ms"],
            p95_ms=stats["p95_ms"],
            queries=ours_q,
            peer="Wagtail PagePermissionPolicy.instances_user_has_permission_for(change)",
            ratio=ratio(stats["p50_ms"], peer["p50_ms"], "Wagtail policy"),
            note=f"{departments} departments, {len(users)} editors; editable counts {min(counts)}–{max(counts)}",
        )
    )
    ctx.add(
        Row(
            "permissions",
            "peer: Wagtail page permission policy",
            p50_ms=peer["p50_ms"],
            p95_ms=peer["p95_ms"],
            queries=peer_q,
        )
    )
