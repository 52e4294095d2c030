"""The benchmark catalog generator: the same seed gives the same catalog, with realistic shapes."""

from django.conf import settings

import pytest

from bench.generate import plan
from bench.profile import load_profile


@pytest.fixture(scope="module")
def profile():
    return load_profile(settings.SHARED_DATA_DIR)


def test_same_seed_same_catalog(profile):
    first = plan(300, 30, seed=42, profile=profile)
    second = plan(300, 30, seed=42, profile=load_profile(settings.SHARED_DATA_DIR))
    assert first.departments == second.departments
    assert first.procedures == second.procedures


def test_other_seed_other_catalog(profile):
    assert (
        plan(300, 30, seed=1, profile=profile).procedures
        != plan(300, 30, seed=2, profile=profile).procedures
    )


def test_departments_are_city_departments_and_wards(profile):
    generated = plan(50, 300, seed=7, profile=profile)
    kinds = [d["kind"] for d in generated.departments]
    assert len(generated.departments) == 300
    assert len({d["code"] for d in generated.departments}) == 300
    assert len({d["title"] for d in generated.departments}) == 300
    assert kinds.count("city_department") == 30 and kinds.count("ward") == 270


def test_procedures_have_unique_codes_and_every_part(profile):
    generated = plan(2000, 300, seed=7, profile=profile)
    codes = [p["national_code"] for p in generated.procedures]
    assert len(set(codes)) == 2000
    local = [p["local_code"] for p in generated.procedures if p["local_code"]]
    assert len(set(local)) == len(local)
    departments = {d["code"] for d in generated.departments}
    for item in generated.procedures:
        assert item["department"] in departments
        assert (
            item["title"]
            and item["execution_methods"]
            and item["dossier_cases"]
            and item["steps"]
        )
        assert item["fields"] and item["levels"]
        for method in item["execution_methods"]:
            assert method["channel"] in {"in_person", "online", "postal"}
            for fee in method["fees"]:
                assert fee["amount"] is None or fee["amount"] >= 0
        for case in item["dossier_cases"]:
            for document in case["documents"]:
                assert (
                    not document["is_required"]
                    or document["originals"]
                    or document["copies"]
                )
        if item["online_level"] == "full":
            assert item["online_url"]


def test_city_departments_publish_more_than_wards(profile):
    generated = plan(3000, 100, seed=3, profile=profile)
    kind = {d["code"]: d["kind"] for d in generated.departments}
    city = sum(
        1 for p in generated.procedures if kind[p["department"]] == "city_department"
    )
    per_city = city / 10
    per_ward = (3000 - city) / 90
    assert per_city > 2 * per_ward


def test_demo_codes_are_never_generated(profile):
    generated = plan(3000, 30, seed=5, profile=profile)
    assert profile.reserved_codes  # the demo catalog is read
    assert (
        not {p["national_code"] for p in generated.procedures} & profile.reserved_codes
    )


def test_works_without_shared_data():
    generated = plan(200, 20, seed=9, profile=load_profile(None))
    assert len(generated.procedures) == 200
    assert all(p["execution_methods"] for p in generated.procedures)
