"""The whole national crawl (../shared/data/raw/dvcqg-opengov) imports with no rejection, twice."""

import io
import json

from django.conf import settings
from django.core.management import call_command

from wagtail.models import Page

import pytest

from catalog.importing.text import one_line
from catalog.models import FeeItem, ProcedurePage

OPENGOV = settings.SHARED_DATA_DIR / "raw" / "dvcqg-opengov"


@pytest.mark.shared_data
@pytest.mark.django_db
def test_full_national_catalog_imports_and_reimports_unchanged():
    if not (OPENGOV / "catalog.jsonl").is_file() or not (OPENGOV / "details").is_dir():
        pytest.skip(
            f"shared data absent: {OPENGOV}/catalog.jsonl and details/ are needed for this test"
        )
    out = io.StringIO()
    call_command(
        "import_catalog",
        str(OPENGOV / "catalog.jsonl"),
        str(OPENGOV / "details"),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert (
        "Tạo mới: 5670  Cập nhật: 0  Không đổi: 0  Bị từ chối: 0  (có chi tiết đầy đủ: 502)"
        in out.getvalue()
    )
    assert ProcedurePage.objects.count() == 5670
    assert (
        ProcedurePage.objects.filter(execution_methods__isnull=False).distinct().count()
        >= 490
    )
    assert Page.find_problems() == ([], [], [], [], [])
    # the 21 fees the portal sets in dollars (civil status at missions abroad) stay dollars
    dollars = FeeItem.objects.filter(currency="USD")
    assert dollars.count() == 21
    amounts = sorted(set(dollars.values_list("amount", flat=True)))
    assert amounts == [5, 10, 15, 20, 30, 70, 100, 120, 150]
    # the portal's 0 is free only where its text says so or says nothing: of its 1,425 zero
    # fees, 1,392 have their amount set elsewhere ("do HĐND cấp tỉnh quyết định", a schedule)
    assert FeeItem.objects.filter(amount=0).count() == 33
    assert not FeeItem.objects.filter(
        amount=0, description__icontains="Hội đồng nhân dân"
    ).exists()
    # every official name longer than a Wagtail title is kept whole beside its clipped title
    long_names = {}
    for line in (OPENGOV / "catalog.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        name = one_line(row.get("name"))
        if len(name) > 255:
            long_names[one_line(row["code"])] = name
    kept = dict(
        ProcedurePage.objects.exclude(full_name="").values_list(
            "national_code", "full_name"
        )
    )
    assert len(long_names) > 300
    assert {code: kept.get(code) for code in long_names} == long_names
    again = io.StringIO()
    call_command(
        "import_catalog",
        str(OPENGOV / "catalog.jsonl"),
        str(OPENGOV / "details"),
        stdout=again,
        stderr=io.StringIO(),
    )
    assert "Tạo mới: 0  Cập nhật: 0  Không đổi: 5670  Bị từ chối: 0" in again.getvalue()
