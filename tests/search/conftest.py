"""Search test fixtures: a small catalog built through the product's services, and engines.

`engine` is parametrized: the embedded engine always; Elasticsearch only when
ELASTICSEARCH_URL points at a live cluster (`make test-es`), otherwise that parameter is
skipped with the reason printed.
"""

import os

from django.core.cache import cache

import pytest

from catalog.services.procedures import create_procedure
from tests.factories import make_department

ENGINES = ["embedded", "elasticsearch"]
NO_CLUSTER = (
    "no Elasticsearch cluster was available: set ELASTICSEARCH_URL (make test-es) "
    "to run the behaviour suite against a live cluster"
)


@pytest.fixture(autouse=True)
def _fresh_search_state(settings, tmp_path):
    """Each test gets its own index folder and forgets cached tuning from other tests."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    cache.clear()
    yield
    cache.clear()


def engine_for(name: str, directory):
    """A fresh engine of kind `name`; Elasticsearch only against a live cluster."""
    from django.conf import settings

    index_name = settings.SEARCH_INDEX_NAME
    assert index_name.startswith("test"), "tests never touch a real index"
    if name == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL")
        if not url:
            pytest.skip(NO_CLUSTER)
        from search.engines.elasticsearch import ElasticsearchEngine

        return ElasticsearchEngine(
            url=url, index_name=index_name, timeout=settings.ELASTICSEARCH_TIMEOUT
        )
    from search.engines.embedded import EmbeddedEngine

    return EmbeddedEngine(directory=directory, index_name=index_name)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory):
    engine = engine_for(request.param, tmp_path_factory.mktemp("engine"))
    yield engine
    if request.param == "elasticsearch":  # leave the live cluster as we found it
        client = engine.client
        if client.indices.exists_alias(name=engine.alias):
            for index in client.indices.get_alias(name=engine.alias):
                client.indices.delete(index=index)


def _procedure(code, title, **extra):
    data = {
        "national_code": code,
        "title": title,
        "summary": extra.pop("summary", ""),
        "levels": extra.pop("levels", ["province"]),
        "subject_types": extra.pop("subject_types", ["citizen"]),
        "fields": extra.pop("fields", []),
        "online_level": extra.pop("online_level", "none"),
        "execution_methods": extra.pop(
            "execution_methods",
            [
                {
                    "channel": "in_person",
                    "processing_time_value": 5,
                    "processing_time_unit": "working_day",
                    "fees": [{"kind": "charge", "amount": 8000}],
                }
            ],
        ),
    }
    if data["online_level"] == "full":
        data["online_url"] = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc.html"
    data.update(extra)
    return data


LEVELS = [
    {"code": "province", "name": "Cấp Tỉnh", "sort_order": 1},
    {"code": "commune", "name": "Cấp Xã", "sort_order": 2},
]
SUBJECTS = [
    {"code": "citizen", "name": "Công dân Việt Nam"},
    {"code": "enterprise", "name": "Doanh nghiệp"},
]
FIELDS = [
    {"code": "G15-TP07", "name": "Hộ tịch"},
    {"code": "G09-CA01", "name": "Cư trú"},
    {"code": "G12-TN01", "name": "Đất đai"},
    {"code": "G13-GT01", "name": "Đường bộ"},
]

CATALOG = {
    ("STP", "Sở Tư pháp", "city_department"): [
        _procedure(
            "1.000001",
            "Đăng ký khai sinh",
            fields=["G15-TP07"],
            online_level="full",
            keywords="giấy khai sinh, làm giấy khai sinh",
            summary="Đăng ký việc sinh cho trẻ em mới sinh.",
        ),
        _procedure(
            "1.000002",
            "Đăng ký kết hôn",
            fields=["G15-TP07"],
            online_level="partial",
            summary="Nam nữ đăng ký kết hôn tại UBND cấp xã.",
        ),
        _procedure(
            "1.000003",
            "Đăng ký khai tử",
            fields=["G15-TP07"],
            levels=["commune"],
            summary="Khai tử cho người đã chết.",
        ),
        _procedure(
            "1.000004",
            "Cấp bản sao trích lục hộ tịch",
            fields=["G15-TP07"],
            summary="Cấp bản sao trích lục khai sinh, kết hôn, khai tử.",
        ),
        _procedure(
            "2.000005",
            "Đăng ký lại khai sinh có yếu tố nước ngoài",
            local_code="HCM.TP.05",
            fields=["G15-TP07"],
            summary="Đăng ký lại việc sinh đã đăng ký ở nước ngoài.",
        ),
    ],
    ("CATP", "Công an Thành phố", "city_department"): [
        _procedure(
            "1.000010",
            "Cấp thẻ căn cước",
            fields=["G09-CA01"],
            online_level="partial",
            summary="Cấp thẻ căn cước cho công dân từ đủ 14 tuổi.",
        ),
        _procedure(
            "1.000011",
            "Đăng ký thường trú",
            fields=["G09-CA01"],
            levels=["commune"],
            online_level="full",
            summary="Đăng ký thường trú tại chỗ ở hợp pháp.",
        ),
        _procedure(
            "1.000012",
            "Đăng ký tạm trú",
            fields=["G09-CA01"],
            levels=["commune"],
            online_level="full",
        ),
    ],
    ("STNMT", "Sở Nông nghiệp và Môi trường", "city_department"): [
        _procedure(
            "1.000020",
            "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
            fields=["G12-TN01"],
            summary="Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở.",
            subject_types=["citizen", "enterprise"],
        ),
        _procedure(
            "1.000021",
            "Đăng ký biến động đất đai do chuyển nhượng",
            fields=["G12-TN01"],
            summary="Sang tên khi chuyển nhượng quyền sử dụng đất.",
        ),
    ],
    ("SXD", "Sở Xây dựng", "city_department"): [
        _procedure(
            "1.000030",
            "Cấp đổi giấy phép lái xe",
            fields=["G13-GT01"],
            online_level="full",
            summary="Đổi giấy phép lái xe hết hạn.",
        ),
        _procedure(
            "1.000031",
            "Đăng ký xe lần đầu",
            fields=["G13-GT01"],
            summary="Đăng ký, cấp biển số xe ô tô, xe máy.",
        ),
    ],
}


def build_catalog():
    """Departments and procedures through the same services the product uses; returns code -> page."""
    from catalog.models import Field, Level, SubjectType
    from catalog.services.procedures import get_or_create_list_entry

    for model, entries in ((Level, LEVELS), (SubjectType, SUBJECTS), (Field, FIELDS)):
        for entry in entries:
            get_or_create_list_entry(model, data=entry)
    pages = {}
    for (code, title, kind), procedures in CATALOG.items():
        department = make_department(code=code, title=title, kind=kind)
        for data in procedures:
            page = create_procedure(department=department, data=data, publish=True)
            pages[page.code] = page
    return pages


@pytest.fixture
def catalog(db):
    return build_catalog()


@pytest.fixture(scope="module")
def module_catalog(engine, django_db_setup, django_db_blocker):
    """The small catalog built once per module (and engine) inside a transaction rolled back at
    the end; each test's own `db` transaction nests inside it as a savepoint."""
    from django.db import transaction

    from search.documents import iter_documents
    from search.indexing import save_records

    with django_db_blocker.unblock():
        with transaction.atomic():
            pages = build_catalog()
            documents = list(iter_documents())
            engine.rebuild(documents)
            save_records(documents)
            yield pages
            transaction.set_rollback(True)


@pytest.fixture
def indexed(module_catalog, db):
    """The small catalog, indexed into `engine` the way `search_index rebuild` does it."""
    return module_catalog


def pytest_terminal_summary(terminalreporter):
    """Print the relevance scores (success@5, MRR) at the end of every run that measured them."""
    from tests.search import test_relevance

    if test_relevance.SCORES:
        terminalreporter.section("search relevance")
        for line in test_relevance.SCORES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def module_index(tmp_path_factory, django_db_setup, django_db_blocker):
    """The small catalog and its index, built once for a test module, rolled back at the end."""
    from django.db import transaction
    from django.test import override_settings

    from search.documents import iter_documents
    from search.engines import get_engine
    from search.indexing import save_records

    directory = tmp_path_factory.mktemp("module-index")
    with django_db_blocker.unblock(), override_settings(SEARCH_INDEX_DIR=directory):
        with transaction.atomic():
            pages = build_catalog()
            documents = list(iter_documents())
            get_engine().rebuild(documents)
            save_records(documents)
            yield directory, pages
            transaction.set_rollback(True)


@pytest.fixture
def catalog_indexed(module_index, db, settings):
    settings.SEARCH_INDEX_DIR = module_index[0]
    return module_index[1]
