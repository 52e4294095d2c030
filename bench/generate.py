"""Deterministic catalog generator: N procedures across D departments (city departments and wards).

    python bench/generate.py --procedures 10000 --departments 300 --seed 20251125

`plan()` is pure (no database): the same seed gives the same departments and procedure dicts,
in the format of catalog/services/procedures.py. `load()` writes a plan with bulk inserts that
produce valid Wagtail pages (see bench/bulk.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.profile import CITY_DEPARTMENTS, WARD_NAMES, Profile, load_profile

DEFAULT_SEED = 20251125
CITY_SHARE = (
    0.1  # one department in ten is a city department, the rest wards and communes
)
CITY_WEIGHT = (
    5  # a city department publishes about five times as many procedures as a ward
)
ONLINE_LEVELS = [("full", 30), ("partial", 30), ("none", 40)]
KEYWORD_HINTS = [
    "cccd",
    "so do",
    "ho khau",
    "gplx",
    "khai sinh",
    "ket hon",
    "tam tru",
    "kinh doanh",
]


@dataclass
class Plan:
    seed: int
    lists: dict[str, list[dict]]
    departments: list[dict]
    form_templates: list[dict]
    procedures: list[dict] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _departments(count: int) -> list[dict]:
    city_count = max(1, round(count * CITY_SHARE)) if count > 1 else 1
    departments = []
    for i in range(city_count):
        base = CITY_DEPARTMENTS[i % len(CITY_DEPARTMENTS)]
        title = (
            base
            if i < len(CITY_DEPARTMENTS)
            else f"{base} – chi nhánh {i // len(CITY_DEPARTMENTS) + 1}"
        )
        departments.append(
            {"code": f"S{i + 1:03d}", "title": title, "kind": "city_department"}
        )
    for i in range(count - city_count):
        name = WARD_NAMES[i % len(WARD_NAMES)]
        round_ = i // len(WARD_NAMES)
        prefix = ("Phường", "Xã", "Phường", "Xã")[round_ % 4]
        suffix = f" {round_ // 2 + 1}" if round_ >= 2 else ""
        departments.append(
            {
                "code": f"P{i + 1:03d}",
                "title": f"UBND {prefix} {name}{suffix}",
                "kind": "ward",
            }
        )
    return departments


def _copy_methods(methods: list[dict]) -> list[dict]:
    return [
        {**method, "fees": [dict(fee) for fee in method.get("fees", [])]}
        for method in methods
    ]


def _copy_cases(
    rng: random.Random, cases: list[dict], templates: list[str]
) -> list[dict]:
    copied = []
    for case in cases:
        documents = []
        for document in case.get("documents", []):
            document = {
                "originals": 1,
                "copies": 0,
                "is_required": True,
                "note": "",
                **document,
            }
            if (
                document.get("is_required")
                and not document.get("originals")
                and not document.get("copies")
            ):
                document["originals"] = 1
            if templates and rng.random() < 0.25:
                document["form_template"] = rng.choice(templates)
            documents.append(document)
        copied.append(
            {
                "name": case.get("name", "Hồ sơ"),
                "description": case.get("description", ""),
                "documents": documents,
            }
        )
    return copied


def plan(
    procedures: int = 10_000,
    departments: int = 300,
    seed: int = DEFAULT_SEED,
    profile: Profile | None = None,
) -> Plan:
    """The catalog to generate, as plain data; deterministic for (procedures, departments, seed, profile)."""
    if profile is None:
        profile = load_profile(None)
    rng = random.Random(seed)
    depts = _departments(departments)
    form_templates = []
    templates_by_department: dict[str, list[str]] = {}
    for department in depts:
        if department["kind"] != "city_department":
            continue
        for k in range(1, 6):
            code = f"{department['code']}-M{k:02d}"
            form_templates.append(
                {
                    "code": code,
                    "name": f"Mẫu tờ khai {k} – {department['title']}",
                    "department": department["code"],
                }
            )
            templates_by_department.setdefault(department["code"], []).append(code)

    levels = [entry["code"] for entry in profile.levels]
    subjects = [entry["code"] for entry in profile.subject_types]
    events = [entry["code"] for entry in profile.life_events]
    results = [entry["code"] for entry in profile.results]
    legal = [entry["number"] for entry in profile.legal_documents]
    weights = [CITY_WEIGHT if d["kind"] == "city_department" else 1 for d in depts]

    codes = [
        code for code in profile.national_codes if code not in profile.reserved_codes
    ]
    rng.shuffle(codes)
    used: set[str] = set(profile.reserved_codes)
    items = []
    for i in range(procedures):
        department = rng.choices(depts, weights=weights)[0]
        name, field_code, _ = rng.choice(profile.names)
        code = codes[i] if i < len(codes) else f"9.{i:06d}"
        while code in used:
            code = f"9.{i:06d}-{len(used)}"
        used.add(code)
        online = _weighted(rng, ONLINE_LEVELS)
        level = (
            "XA"
            if department["kind"] == "ward" and "XA" in levels
            else rng.choice(levels)
        )
        field_codes = [field_code] + (
            [rng.choice(sorted(profile.fields))] if rng.random() < 0.15 else []
        )
        item = {
            "department": department["code"],
            "national_code": code,
            "local_code": f"HCM-{department['code']}-{i:05d}"
            if rng.random() < 0.15
            else "",
            "title": name[:255],
            "summary": f"{name} do {department['title']} giải quyết."[:1000],
            "procedure_type": "specific" if rng.random() < 0.1 else "standard",
            "status": "active",
            "decision_number": f"{rng.randint(1, 3000)}/QĐ-UBND",
            "implementing_agencies": department["title"],
            "competent_authority": department["title"],
            "receiving_address": f"Trung tâm phục vụ hành chính công – {department['title']}",
            "levels": sorted({level}),
            "subject_types": sorted(
                set(rng.sample(subjects, k=min(len(subjects), rng.choice([1, 1, 2]))))
            ),
            "fields": list(dict.fromkeys(field_codes)),
            "life_events": [rng.choice(events)]
            if events and rng.random() < 0.4
            else [],
            "results": [rng.choice(results)] if results else [],
            "legal_basis": sorted(
                set(
                    rng.sample(legal, k=min(len(legal), rng.choice([1, 2, 3, 3, 4, 6])))
                )
            ),
            "keywords": rng.choice(KEYWORD_HINTS) if rng.random() < 0.3 else "",
            "online_level": online,
            "online_url": f"https://dichvucong.hochiminhcity.gov.vn/thu-tuc/{code}"
            if online != "none"
            else "",
            "conditions": rng.choice(profile.conditions) if rng.random() < 0.4 else "",
            "steps": [dict(step) for step in rng.choice(profile.step_sets)],
            "execution_methods": _copy_methods(rng.choice(profile.method_sets)),
            "dossier_cases": _copy_cases(
                rng,
                rng.choice(profile.case_sets),
                templates_by_department.get(department["code"], []),
            ),
            "updated": rng.random()
            < 0.1,  # one in ten has been republished since: an `updated` event
        }
        items.append(item)

    field_entries = [
        {"code": code, "name": name} for code, name in sorted(profile.fields.items())
    ]
    return Plan(
        seed=seed,
        lists={
            "levels": profile.levels,
            "fields": field_entries,
            "subject_types": profile.subject_types,
            "life_events": profile.life_events,
            "results": profile.results,
            "legal_documents": profile.legal_documents,
        },
        departments=depts,
        form_templates=form_templates,
        procedures=items,
        sources=list(profile.sources),
    )


def build(
    procedures: int, departments: int, seed: int, *, verbose: bool = True
) -> dict:
    """Plan with the project's data sources and write it to the configured database."""
    from django.conf import settings

    from bench.bulk import load

    started = time.perf_counter()
    profile = load_profile(getattr(settings, "SHARED_DATA_DIR", None))
    the_plan = plan(procedures, departments, seed, profile)
    planned = time.perf_counter()
    if verbose:
        print(f"  plan: {planned - started:.1f} s (no database)", flush=True)
    counts = load(the_plan, verbose=verbose)
    finished = time.perf_counter()
    counts.update(
        plan_seconds=round(planned - started, 2),
        load_seconds=round(finished - planned, 2),
        sources=the_plan.sources,
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", "-n", type=int, default=10_000)
    parser.add_argument("--departments", "-d", type=int, default=300)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--counts", type=Path, help="also write the counts here (JSON)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    counts = build(args.procedures, args.departments, args.seed)
    print(counts)
    if args.counts:
        import json

        args.counts.write_text(json.dumps(counts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
