"""Checks that run before any parser, on files given to the command (the admin tests cover uploads)."""

import io
import json

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from catalog.importing.records import FileRejected
from catalog.importing.safety import check_file
from catalog.models import ProcedurePage
from tests.importing.helpers import catalog_row, zip_bomb_xlsx


def test_a_60_mb_file_is_refused_by_size_before_reading(tmp_path):
    path = tmp_path / "lon.xlsx"
    with path.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(FileRejected, match="quá lớn") as error:
        check_file(path)
    assert "60,0 MB" in error.value.message


def test_zip_bomb_is_refused_by_ratio(tmp_path):
    with pytest.raises(FileRejected, match="bom nén"):
        check_file(zip_bomb_xlsx(tmp_path / "bomb.xlsx", megabytes=20))


def test_text_that_claims_to_be_json_lines_but_is_binary_is_refused(tmp_path):
    path = tmp_path / "catalog.jsonl"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(FileRejected):
        check_file(path)


@pytest.mark.django_db
def test_command_reports_a_refused_file_and_writes_nothing(department, tmp_path):
    good = tmp_path / "catalog.jsonl"
    good.write_text(
        json.dumps(catalog_row("1.000001", "Đăng ký khai sinh"), ensure_ascii=False),
        encoding="utf-8",
    )
    bad = tmp_path / "doi-ten.xlsx"
    bad.write_text("Mã số,Tên\n1,Một\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_catalog", str(good), str(bad), stdout=io.StringIO(), stderr=err
        )
    assert "không phải bảng tính Excel" in err.getvalue()
    assert (
        not ProcedurePage.objects.exists()
    )  # the good file is not imported alone either
