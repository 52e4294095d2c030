"""Shared-list entries used by procedures (live, draft or scheduled) cannot be deleted."""

import datetime

from django.utils import timezone

import pytest

from catalog.models import Field, Level, ProcedurePage, PublicHoliday
from catalog.services.roles import grant_role
from catalog.shared_usage import describe_usage, procedure_ids_using
from tests.factories import FieldFactory, LevelFactory, make_procedure

pytestmark = pytest.mark.django_db


def _delete_url(entry) -> str:
    return f"/admin/snippets/catalog/{type(entry)._meta.model_name}/delete/{entry.pk}/"


def _usage_url(entry) -> str:
    return f"/admin/snippets/catalog/{type(entry)._meta.model_name}/usage/{entry.pk}/"


def test_delete_of_a_field_used_by_a_live_procedure_is_refused(
    client, superuser, department
):
    field = FieldFactory(code="G15-TP07", name="Hộ tịch")
    procedure = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    procedure.fields.add(field)
    procedure.save_revision().publish()
    client.force_login(superuser)

    page = client.get(_delete_url(field))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Đăng ký khai sinh" in text and "Sở Tư pháp" in text
    assert "1 thủ tục đang dùng mục này" in text
    assert f"/admin/pages/{procedure.pk}/edit/" in text
    assert "referenced 0" not in text and "tham chiếu 0" not in text
    assert 'type="submit"' not in text.split("catalog-usage")[-1]

    refused = client.post(_delete_url(field))
    assert refused.status_code == 409
    assert "Không thể xóa “Hộ tịch”" in refused.content.decode()
    assert Field.objects.filter(pk=field.pk).exists()
    procedure.refresh_from_db()
    assert list(procedure.fields.all()) == [field]

    usage = client.get(_usage_url(field)).content.decode()
    assert "Đăng ký khai sinh" in usage


def test_an_entry_used_only_by_a_draft_counts(client, superuser, department):
    level = LevelFactory(code="commune", name="Cấp Xã")
    procedure = make_procedure(
        department=department, national_code="1.000002", title="Đăng ký kết hôn"
    )
    assert procedure.levels.count() == 0
    draft = ProcedurePage.objects.get(pk=procedure.pk)
    draft.levels = [level]
    draft.title = "Đăng ký kết hôn (bản nháp)"
    draft.save_revision()
    assert procedure_ids_using(level) == {procedure.pk}
    client.force_login(superuser)

    text = client.get(_delete_url(level)).content.decode()
    assert "Đăng ký kết hôn (bản nháp)" in text
    assert client.post(_delete_url(level)).status_code == 409
    assert Level.objects.filter(pk=level.pk).exists()


def test_an_entry_used_only_by_a_scheduled_revision_counts(department):
    level = LevelFactory(code="province", name="Cấp Tỉnh")
    procedure = make_procedure(
        department=department, national_code="1.000003", title="Cấp phiếu lý lịch"
    )
    scheduled = ProcedurePage.objects.get(pk=procedure.pk)
    scheduled.levels = [level]
    scheduled.save_revision(
        approved_go_live_at=timezone.now() + datetime.timedelta(days=3)
    )
    # a later draft without the level does not hide the scheduled one
    later = ProcedurePage.objects.get(pk=procedure.pk)
    later.save_revision()
    assert procedure_ids_using(level) == {procedure.pk}


def test_an_unused_entry_is_deleted(client, superuser, department):
    make_procedure(department=department, national_code="1.000004", title="Khác")
    field = FieldFactory(code="UNUSED", name="Không dùng")
    client.force_login(superuser)
    text = client.get(_delete_url(field)).content.decode()
    assert "đang dùng mục này" not in text
    response = client.post(_delete_url(field))
    assert response.status_code == 302
    assert not Field.objects.filter(pk=field.pk).exists()


def test_bulk_delete_refuses_entries_in_use(client, superuser, department):
    used = FieldFactory(code="USED", name="Đang dùng")
    unused = FieldFactory(code="FREE", name="Tự do")
    procedure = make_procedure(
        department=department, national_code="1.000005", title="Thủ tục A"
    )
    procedure.fields.add(used)
    procedure.save()
    client.force_login(superuser)
    url = (
        "/admin/bulk/catalog/field/delete/"
        f"?next=/admin/snippets/catalog/field/&id={used.pk}&id={unused.pk}"
    )
    response = client.post(url)
    assert response.status_code == 302
    assert Field.objects.filter(pk=used.pk).exists()
    assert Field.objects.filter(pk=unused.pk).exists()


def test_public_holidays_are_never_in_use_and_say_why(client, superuser, department):
    holiday = PublicHoliday.objects.get(
        date=datetime.date(2026, 9, 2)
    )  # migration 0011
    assert procedure_ids_using(holiday) == set()
    client.force_login(superuser)
    text = client.get(_delete_url(holiday)).content.decode()
    assert "không được lưu lại" in text
    assert client.post(_delete_url(holiday)).status_code == 302
    assert not PublicHoliday.objects.filter(pk=holiday.pk).exists()


def test_usage_never_leaks_unpublished_titles_of_other_departments(
    django_user_model, superuser, department, other_department
):
    field = FieldFactory(code="G01", name="Chứng thực")
    own_draft = make_procedure(
        department=department,
        national_code="1.000010",
        title="Bản nháp của mình",
        publish=False,
    )
    foreign_draft = make_procedure(
        department=other_department,
        national_code="1.000011",
        title="Bản nháp bí mật",
        publish=False,
    )
    foreign_live = make_procedure(
        department=other_department, national_code="1.000012", title="Đã công bố"
    )
    for page in (own_draft, foreign_draft, foreign_live):
        page.fields.add(field)
        page.save()
    ids = procedure_ids_using(field)
    assert ids == {own_draft.pk, foreign_draft.pk, foreign_live.pk}

    editor = django_user_model.objects.create_user("editor", password="pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    rows, hidden = describe_usage(editor, ids)
    titles = [row.title for row in rows]
    assert titles == ["Bản nháp của mình", "Đã công bố"]
    assert hidden == 1
    assert rows[1].url == foreign_live.get_url()  # public page, not the edit screen

    rows, hidden = describe_usage(superuser, ids)
    assert sorted(row.title for row in rows) == [
        "Bản nháp bí mật",
        "Bản nháp của mình",
        "Đã công bố",
    ]
    assert hidden == 0


def test_a_popular_entry_lists_the_first_procedures_and_counts_the_rest(
    superuser, department, monkeypatch
):
    import catalog.shared_usage

    field = FieldFactory(code="G02", name="Hộ tịch")
    for number in range(3):
        page = make_procedure(
            department=department,
            national_code=f"1.00002{number}",
            title=f"Thủ tục {number}",
        )
        page.fields.add(field)
        page.save()
    monkeypatch.setattr(catalog.shared_usage, "MAX_LISTED", 2)
    rows, others = describe_usage(superuser, procedure_ids_using(field))
    assert [row.title for row in rows] == ["Thủ tục 0", "Thủ tục 1"]
    assert others == 1


def test_merging_moves_every_use_to_the_other_entry_then_deletes(
    client, superuser, department
):
    from catalog.models import CatalogEvent

    old = FieldFactory(code="OLD", name="Hộ tịch (cũ)")
    new = FieldFactory(code="NEW", name="Hộ tịch")
    both = make_procedure(
        department=department, national_code="1.000031", title="Dùng cả hai"
    )
    both.fields.add(old, new)
    both.save_revision().publish()
    live = make_procedure(
        department=department, national_code="1.000032", title="Đang công bố"
    )
    live.fields.add(old)
    live.save_revision().publish()
    draft = ProcedurePage.objects.get(pk=live.pk)
    draft.title = "Đang công bố (nháp)"
    draft.save_revision()
    scheduled = ProcedurePage.objects.get(pk=live.pk)
    scheduled.save_revision(
        approved_go_live_at=timezone.now() + datetime.timedelta(days=2)
    )
    before = CatalogEvent.objects.filter(from_shared_data=True).count()
    client.force_login(superuser)

    page = client.get(_delete_url(old)).content.decode()
    assert "Gộp và xóa" in page and f'value="{new.pk}"' in page
    response = client.post(_delete_url(old), {"merge_into": str(new.pk)})
    assert response.status_code == 302
    assert not Field.objects.filter(pk=old.pk).exists()
    for procedure in (both, live):
        page = ProcedurePage.objects.get(pk=procedure.pk)
        assert list(page.fields.values_list("pk", flat=True)) == [new.pk]
        assert page.live_revision.content["fields"] == [new.pk]
        assert page.latest_revision.content["fields"] == [new.pk]
    from wagtail.models import Revision

    pending = Revision.objects.get(approved_go_live_at__isnull=False)
    assert pending.content["fields"] == [new.pk]
    # the live procedures now show another field: the change feed hears of both
    assert CatalogEvent.objects.filter(from_shared_data=True).count() - before >= 2


def test_merging_into_nothing_deletes_nothing(client, superuser, department):
    field = FieldFactory(code="USED2", name="Đang dùng")
    procedure = make_procedure(
        department=department, national_code="1.000033", title="Thủ tục B"
    )
    procedure.fields.add(field)
    procedure.save()
    client.force_login(superuser)
    response = client.post(_delete_url(field), {"merge_into": str(field.pk)})
    assert response.status_code == 400
    assert Field.objects.filter(pk=field.pk).exists()
