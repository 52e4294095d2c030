"""Publishing makes a procedure findable, unpublishing or deleting removes it; with the engine
down, publishing still succeeds and the change waits for `search_index update`."""

from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command

import pytest

from catalog.models import ProcedurePage
from search.engines import EngineUnavailable, get_engine
from search.models import PendingIndexChange, SearchRecord
from search.queries import SearchQuery
from tests.factories import make_procedure


def found(text):
    return [hit.code for hit in get_engine().search(SearchQuery(text=text)).hits]


@pytest.fixture
def publish(department, django_capture_on_commit_callbacks):
    """Publish a procedure and run what happens after commit (the indexing task, at once)."""

    def _publish(code, title):
        with django_capture_on_commit_callbacks(execute=True):
            return make_procedure(
                department=department, national_code=code, title=title
            )

    return _publish


def test_publish_makes_findable_and_unpublish_removes(
    publish, django_capture_on_commit_callbacks
):
    page = publish("1.000101", "Đăng ký nuôi con nuôi")
    assert found("dang ky nuoi con nuoi") == ["1.000101"]
    assert SearchRecord.objects.filter(page_id=page.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert found("nuoi con nuoi") == []
    assert not SearchRecord.objects.filter(page_id=page.pk).exists()
    assert PendingIndexChange.objects.count() == 0


def test_republishing_updates_the_document(publish, django_capture_on_commit_callbacks):
    page = publish("1.000102", "Đăng ký giám hộ")
    page = ProcedurePage.objects.get(pk=page.pk)
    page.title = "Đăng ký chấm dứt giám hộ"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    hits = get_engine().search(SearchQuery(text="cham dut giam ho")).hits
    assert [h.name for h in hits] == ["Đăng ký chấm dứt giám hộ"]


def test_renaming_the_department_reaches_the_index(
    publish, department, django_capture_on_commit_callbacks
):
    publish("1.000109", "Đăng ký giám hộ cử")
    department = department.specific
    department.title = "Sở Tư pháp và Hộ tịch"
    with django_capture_on_commit_callbacks(execute=True):
        department.save_revision().publish()
    [hit] = get_engine().search(SearchQuery(text="giam ho cu")).hits
    assert hit.department == "Sở Tư pháp và Hộ tịch"
    out = StringIO()
    call_command("search_index", "check", "--no-progress", stdout=out)
    assert "missing=0 extra=0 stale=0" in out.getvalue()
    assert PendingIndexChange.objects.count() == 0


def test_a_section_made_private_leaves_the_index_and_comes_back(
    publish, department, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    publish("1.000110", "Đăng ký giám hộ riêng")
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=department, restriction_type="password", password="x"
        )
    assert found("giam ho rieng") == []
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert found("giam ho rieng") == ["1.000110"]
    assert PendingIndexChange.objects.count() == 0


def test_delete_removes(publish, django_capture_on_commit_callbacks):
    page = publish("1.000103", "Đăng ký khai tử")
    assert found("khai tu") == ["1.000103"]
    with django_capture_on_commit_callbacks(execute=True):
        ProcedurePage.objects.get(pk=page.pk).delete()
    assert found("khai tu") == []


def test_engine_down_keeps_the_change_and_update_applies_it(publish):
    get_engine().rebuild([])  # an index exists, and is empty
    with mock.patch(
        "search.engines.embedded.EmbeddedEngine.index",
        side_effect=EngineUnavailable("index locked"),
    ):
        page = publish("1.000104", "Đăng ký lại kết hôn")
    # publishing succeeded, the change waits
    assert ProcedurePage.objects.get(pk=page.pk).live
    pending = PendingIndexChange.objects.get(page_id=page.pk)
    assert pending.action == "index" and pending.attempts == 1
    assert "index locked" in pending.last_error
    # the index lacks it (0 of the database copy's 1): the database copy answers meanwhile
    meanwhile = get_engine().search(SearchQuery(text="dang ky lai ket hon"))
    assert meanwhile.fallback is True and meanwhile.engine == "database"

    out = StringIO()
    call_command("search_index", "update", "--no-progress", stdout=out)
    assert "applied 1, failed 0" in out.getvalue()
    result = get_engine().search(SearchQuery(text="dang ky lai ket hon"))
    assert result.fallback is False
    assert [hit.code for hit in result.hits] == ["1.000104"]
    assert PendingIndexChange.objects.count() == 0


def test_update_reports_failures_and_keeps_them(publish):
    get_engine().rebuild([])  # an index exists (a missing one is rebuilt by update)
    with mock.patch(
        "search.engines.embedded.EmbeddedEngine.index",
        side_effect=EngineUnavailable("down"),
    ):
        publish("1.000105", "Cấp bản sao trích lục")
        with pytest.raises(CommandError, match="stay pending"):
            call_command("search_index", "update", "--no-progress", stdout=StringIO())
    assert PendingIndexChange.objects.get().attempts == 2


def test_rebuild_and_check(department):
    make_procedure(
        department=department, national_code="1.000106", title="Chứng thực chữ ký"
    )
    second = make_procedure(
        department=department, national_code="1.000107", title="Chứng thực bản sao"
    )
    out, err = StringIO(), StringIO()
    call_command("search_index", "rebuild", stdout=out, stderr=err)
    assert "Indexed 2 procedures into embedded" in out.getvalue()
    assert "2/2" in err.getvalue()  # the progress bar
    out = StringIO()
    call_command("search_index", "check", "--no-progress", stdout=out)
    assert "missing=0 extra=0 stale=0" in out.getvalue()

    # stale: the database changed without the index hearing of it
    ProcedurePage.objects.filter(pk=second.pk).update(title="Chứng thực hợp đồng")
    get_engine().delete([second.pk])
    third = make_procedure(
        department=department, national_code="1.000108", title="Chứng thực di chúc"
    )
    ProcedurePage.objects.filter(pk=third.pk).update(live=False)
    first = ProcedurePage.objects.get(national_code="1.000106")
    ProcedurePage.objects.filter(pk=first.pk).update(
        title="Chứng thực chữ ký người dịch"
    )
    get_engine().index([])  # no-op commit
    from search.documents import iter_documents

    # index the unpublished one directly so it is "extra"
    ProcedurePage.objects.filter(pk=third.pk).update(live=True)
    get_engine().index(iter_documents([third.pk]))
    ProcedurePage.objects.filter(pk=third.pk).update(live=False)
    out = StringIO()
    with pytest.raises(CommandError, match="1 missing, 1 extra, 1 stale"):
        call_command("search_index", "check", "--no-progress", stdout=out)
    assert f"missing: {second.pk}" in out.getvalue()
    assert f"extra: {third.pk}" in out.getvalue()
    assert f"stale: {first.pk}" in out.getvalue()

    call_command("search_index", "rebuild", "--no-progress", stdout=StringIO())
    out = StringIO()
    call_command("search_index", "check", "--no-progress", stdout=out)
    assert "missing=0 extra=0 stale=0" in out.getvalue()


def test_documents_are_built_without_a_query_per_procedure(
    department, django_assert_max_num_queries
):
    from search.documents import iter_documents

    for n in range(6):
        make_procedure(
            department=department,
            national_code=f"1.0002{n:02d}",
            title=f"Thủ tục số {n}",
        )
    with django_assert_max_num_queries(20) as captured:
        documents = list(iter_documents())
    assert len(documents) == 6
    few = len(captured.captured_queries)
    make_procedure(
        department=department, national_code="1.000299", title="Thủ tục thêm"
    )
    with django_assert_max_num_queries(few):
        assert len(list(iter_documents())) == 7


def test_document_content(procedure):
    from search.documents import iter_documents

    (document,) = list(iter_documents())
    assert document.name == "Đăng ký khai sinh"
    assert document.department_code == "STP" and document.department == "Sở Tư pháp"
    assert document.fee_min == 0 and document.fee_max == 8000
    assert document.processing_time == "5 ngày làm việc"
    assert "Giấy chứng sinh" in document.documents
    assert "Nộp hồ sơ tại bộ phận một cửa." in document.steps
    assert "<p>" not in document.steps
    assert document.url == procedure.url


def test_a_burst_of_publications_is_indexed_in_one_batch(
    department, django_capture_on_commit_callbacks
):
    """A bulk import commits many events at once; the first task indexes them all together."""
    from django.db import transaction

    from search.engines.embedded import EmbeddedEngine

    with mock.patch.object(
        EmbeddedEngine, "index", autospec=True, side_effect=EmbeddedEngine.index
    ) as index:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                for n in range(5):
                    make_procedure(
                        department=department,
                        national_code=f"1.00030{n}",
                        title=f"Cấp phép loại {n}",
                    )
    assert index.call_count == 1
    assert sorted(found("cap phep loai")) == [f"1.00030{n}" for n in range(5)]
    assert PendingIndexChange.objects.count() == 0


def test_a_broken_index_answers_from_the_database(publish, client):
    publish("1.000120", "Đăng ký khai sinh")
    engine = get_engine()
    with mock.patch.object(
        type(engine),
        "_search",
        side_effect=BaseException("tantivy panic: index out of bounds"),
    ):
        result = engine.search(SearchQuery(text="dang ky khai sinh"))
        response = client.get("/api/v1/search/", {"q": "dang ky khai sinh"})
    assert result.fallback is True and result.engine == "database"
    assert [hit.code for hit in result.hits] == ["1.000120"]
    assert response.status_code == 200
    assert response.json()["meta"]["fallback"] is True
    assert found("dang ky khai sinh") == [
        "1.000120"
    ]  # and the index is used again after
