"""Procedures as a client system reads them: published only, filtered, paged, by code."""

import pytest

from tests.api.conftest import (
    all_items,
    get_json,
    refreshed,
    republish,
    set_first_fee,
)

pytestmark = pytest.mark.django_db

PUBLISHED = {"1.000001", "1.000002", "HCM.PBT.01", "1.000004"}


def codes(items):
    return [item["code"] for item in items]


def test_list_holds_published_procedures_only(client, catalog):
    response, body = get_json(client, "/api/v1/procedures/")
    assert response.status_code == 200
    assert set(codes(body["items"])) == PUBLISHED
    assert "Bản nháp bí mật" not in response.content.decode()
    assert "Đã ngừng công bố" not in response.content.decode()
    assert body["meta"]["next_cursor"] is None


def test_fees_carry_their_currency_beside_the_fields_clients_know(client, catalog):
    page = refreshed(catalog["birth"])
    methods = list(page.execution_methods.all())
    fees = list(methods[0].fees.all())
    fees[0].amount, fees[0].currency = 50, "USD"
    methods[0].fees = fees
    page.execution_methods = methods
    republish(page, note="Lệ phí tại cơ quan đại diện")
    _, body = get_json(client, "/api/v1/procedures/1.000001/")
    assert body["execution_methods"][0]["fees"] == [
        {"kind": "charge", "amount": 50, "currency": "USD", "description": ""},
        {
            "kind": "fee",
            "amount": 0,
            "currency": "VND",
            "description": "Miễn cho hộ nghèo",
        },
    ]
    # the list (here asked for the methods only) carries it too
    _, listing = get_json(client, "/api/v1/procedures/?fields=execution_methods")
    [item] = [i for i in listing["items"] if i["code"] == "1.000001"]
    assert item["execution_methods"][0]["fees"][0]["currency"] == "USD"


def test_draft_changes_to_a_live_procedure_stay_private(client, catalog):
    page = catalog["marriage"]
    page.title = "Tiêu đề nháp chưa duyệt"
    page.save_revision()  # saved, not published
    _, body = get_json(client, "/api/v1/procedures/1.000002/")
    assert body["title"] == "Đăng ký kết hôn"
    _, listing = get_json(client, "/api/v1/procedures/?fields=title")
    assert "Tiêu đề nháp chưa duyệt" not in [item["title"] for item in listing["items"]]


def test_detail_by_national_or_local_code_has_every_part(client, catalog):
    response, body = get_json(client, "/api/v1/procedures/1.000001/")
    assert response.status_code == 200
    assert body["department"] == {"code": "STP", "title": "Sở Tư pháp"}
    assert body["fields"] == [{"code": "G15-TP07", "name": "Hộ tịch"}]
    assert body["levels"] == [{"code": "province", "name": "Cấp Tỉnh"}]
    assert body["life_events"] == [{"code": "khai-sinh", "name": "Khai sinh"}]
    assert body["keywords"] == ["khai sinh", "giấy khai sinh"]
    method = body["execution_methods"][0]
    assert method["channel"] == "in_person"
    assert method["processing_time"]["value"] == 5
    assert method["processing_time"]["unit"] == "working_day"
    assert [fee["amount"] for fee in method["fees"]] == [8000, 0]
    document = body["dossier_cases"][0]["documents"][0]
    form = document["form"]
    assert form["code"] == "TK01" and form["size"] == len(b"%PDF-1.4 demo")
    assert len(form["sha256"]) == 64
    assert form["download_url"].startswith("http://testserver/documents/")
    assert [step["title"] for step in body["steps"]] == ["Nộp hồ sơ", "Nhận kết quả"]
    notes = [entry["change_note"] for entry in body["change_history"]]
    assert notes == ["Gắn lĩnh vực", "Công bố lần đầu"]

    _, by_local = get_json(client, "/api/v1/procedures/HCM.PBT.01/")
    _, by_national = get_json(client, "/api/v1/procedures/1.000003/")
    assert by_local["code"] == by_national["code"] == "HCM.PBT.01"
    assert by_local["national_code"] == "1.000003"


@pytest.mark.parametrize("code", ["9.999999", "9.888888", "0.000000", "bad code!"])
def test_unpublished_or_unknown_codes_are_404(client, catalog, code):
    response, body = get_json(client, f"/api/v1/procedures/{code}/")
    assert response.status_code == 404
    assert set(body) == {"message"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("department=STP", {"1.000001", "1.000002"}),
        ("department=PBT", {"HCM.PBT.01", "1.000004"}),
        ("department=STP,PBT", PUBLISHED),
        ("department=NOPE", set()),
        ("field=G15-TP07", {"1.000001"}),
        ("field=G15-TP07,G09-TN01", {"1.000001", "HCM.PBT.01"}),
        ("level=commune", {"HCM.PBT.01"}),
        ("subject=citizen", {"1.000001"}),
        ("life_event=khai-sinh", {"1.000001"}),
        ("online=full", {"1.000001"}),
        ("online=none,partial", {"1.000002", "HCM.PBT.01", "1.000004"}),
        ("status=superseded", {"HCM.PBT.01"}),
        ("department=STP&online=none", {"1.000002"}),
        ("updated_since=2000-01-01", PUBLISHED),
        ("updated_since=2999-01-01T00:00:00%2B07:00", set()),
        # the first and last instants a date-time can name, in the city's time zone and behind UTC
        ("updated_since=0001-01-01", PUBLISHED),
        ("updated_since=9999-12-31T23:59:59-05:00", set()),
    ],
)
def test_filters(client, catalog, query, expected):
    response, body = get_json(client, f"/api/v1/procedures/?{query}")
    assert response.status_code == 200, body
    assert set(codes(body["items"])) == expected


def test_updated_since_sees_a_later_edit(client, catalog):
    set_first_fee(catalog["marriage"], 12000)
    _, after = get_json(client, "/api/v1/procedures/1.000002/")
    since = after["last_published_at"].replace("+", "%2B")
    _, body = get_json(client, f"/api/v1/procedures/?updated_since={since}")
    assert codes(body["items"]) == ["1.000002"]
    assert body["items"][0]["execution_methods"][0]["fees"][0]["amount"] == 12000


@pytest.mark.parametrize(
    "query",
    [
        "online=sometimes",
        "status=active,maybe",
        "department=",
        "department=a%20b",
        "updated_since=yesterday",
        "ordering=price",
        "page_size=0",
        "page_size=201",
        "page_size=ten",
        "fields=title,secret",
        "cursor=not-a-cursor",
        "cursor=%%%",
        "page_size=5&page_size=6",
        "colour=blue",
        "format=api",
    ],
)
def test_bad_parameters_are_400_with_a_message(client, catalog, query):
    response, body = get_json(client, f"/api/v1/procedures/?{query}")
    assert response.status_code == 400
    assert set(body) == {"message"} and body["message"]


@pytest.mark.parametrize(
    "ordering", ["code", "-code", "title", "-title", "updated", "-updated"]
)
def test_cursor_pages_cover_the_list_once_in_order(client, catalog, ordering):
    _, whole = get_json(client, f"/api/v1/procedures/?ordering={ordering}&fields=title")
    paged = all_items(
        client, f"/api/v1/procedures/?ordering={ordering}&page_size=1&fields=title"
    )
    assert codes(paged) == codes(whole["items"])
    assert len(paged) == len(PUBLISHED)
    if ordering.lstrip("-") == "code":
        assert codes(paged) == sorted(codes(paged), reverse=ordering.startswith("-"))


def test_pagination_is_stable_while_the_catalog_changes(client, catalog):
    """An item published before the cursor's position does not shift later pages."""
    _, first = get_json(client, "/api/v1/procedures/?page_size=2&fields=title")
    seen = codes(first["items"])
    from tests.factories import make_procedure

    make_procedure(department=catalog["stp"], national_code="0.000001", title="Mới")
    rest = all_items(
        client,
        f"/api/v1/procedures/?page_size=2&fields=title&cursor={first['meta']['next_cursor']}",
    )
    assert seen + codes(rest) == sorted(PUBLISHED)


def test_cursor_of_another_ordering_is_refused(client, catalog):
    _, body = get_json(client, "/api/v1/procedures/?page_size=1&ordering=title")
    cursor = body["meta"]["next_cursor"]
    response, error = get_json(
        client, f"/api/v1/procedures/?page_size=1&cursor={cursor}"
    )
    assert response.status_code == 400 and "ordering" in error["message"]


def test_fields_gives_a_lighter_representation(client, catalog):
    _, body = get_json(client, "/api/v1/procedures/?fields=title,department")
    assert all(
        set(item) == {"id", "code", "title", "department"} for item in body["items"]
    )
    _, full = get_json(client, "/api/v1/procedures/?page_size=1")
    assert len(full["items"][0]) > 30


def test_moved_procedure_reports_its_new_department(client, catalog):
    catalog["marriage"].move(catalog["ward"], pos="last-child")
    _, body = get_json(client, "/api/v1/procedures/1.000002/")
    assert body["department"]["code"] == "PBT"
    _, listing = get_json(client, "/api/v1/procedures/?department=STP&fields=title")
    assert codes(listing["items"]) == ["1.000001"]


def test_republished_content_replaces_the_old(client, catalog):
    page = catalog["marriage"]
    page.summary = "Tóm tắt mới"
    republish(page)
    _, body = get_json(client, "/api/v1/procedures/1.000002/")
    assert body["summary"] == "Tóm tắt mới"


@pytest.mark.parametrize(
    "ordering, expected", [("updated", PUBLISHED), ("-updated", set())]
)
def test_a_cursor_at_the_edge_of_the_calendar_is_an_ordinary_position(
    client, catalog, ordering, expected
):
    from api.params import cursor_scope, encode_cursor

    cursor = encode_cursor(
        {"o": ordering, "v": "0001-01-01T00:00:00+07:00", "i": 0},
        endpoint="procedures",
        scope=cursor_scope("procedures", {"ordering": [ordering]}),
    )
    response, body = get_json(
        client, f"/api/v1/procedures/?ordering={ordering}&cursor={cursor}"
    )
    assert response.status_code == 200, body
    assert set(codes(body["items"])) == expected


def test_a_tampered_cursor_is_400(client, catalog):
    _, body = get_json(client, "/api/v1/procedures/?page_size=1&fields=title")
    cursor = body["meta"]["next_cursor"]
    payload, signature = cursor.split(".")
    swapped = "A" if payload[3] != "A" else "B"
    for tampered in [
        payload[:3] + swapped + payload[4:] + "." + signature,
        cursor[:-1],
        payload,
        "bnVsbA",  # base64 of null, unsigned
    ]:
        response, error = get_json(
            client, f"/api/v1/procedures/?page_size=1&fields=title&cursor={tampered}"
        )
        assert response.status_code == 400, tampered
        assert "cursor không hợp lệ" in error["message"]


def test_a_cursor_replayed_with_other_filters_is_400(client, catalog):
    _, body = get_json(client, "/api/v1/procedures/?page_size=1&department=STP")
    cursor = body["meta"]["next_cursor"]
    assert cursor
    for other in ["", "&department=PBT", "&department=STP&online=full"]:
        response, error = get_json(
            client, f"/api/v1/procedures/?page_size=1&cursor={cursor}{other}"
        )
        assert response.status_code == 400, other
        assert "truy vấn khác" in error["message"]
    # the query it came from, page size changed, goes on where it left off
    response, rest = get_json(
        client, f"/api/v1/procedures/?page_size=10&department=STP&cursor={cursor}"
    )
    assert response.status_code == 200
    _, whole = get_json(client, "/api/v1/procedures/?department=STP&fields=title")
    assert codes(body["items"]) + codes(rest["items"]) == codes(whole["items"])
    assert len(whole["items"]) > 1


@pytest.mark.parametrize(
    "path", ["/api/v1/procedures/{code}/", "/api/v1/procedures/{code}/?format=jsonld"]
)
def test_each_procedure_is_reached_by_its_own_code_when_two_share_a_national_code(
    client, catalog, path
):
    """The importer gives the second of two procedures with one national code a local code
    ('1.014325-019dc4fb'); the first keeps the national code as its code. Each answers to its own."""
    from catalog.models import ProcedurePage
    from tests.factories import make_procedure

    suffixed = make_procedure(
        department=catalog["stp"],
        national_code="1.000778",
        local_code="1.000777-019dc4fb",
        title="Bản thứ hai",
    )
    plain = make_procedure(
        department=catalog["stp"], national_code="1.000777", title="Bản thứ nhất"
    )
    # as the bulk importer leaves them (the edit form refuses a national code in use)
    ProcedurePage.objects.filter(pk=suffixed.pk).update(national_code="1.000777")
    assert suffixed.pk < plain.pk  # the one that only shares the code comes first by id
    for page, code in ((plain, "1.000777"), (suffixed, "1.000777-019dc4fb")):
        response = client.get(path.format(code=code))
        assert response.status_code == 200
        assert page.title in response.content.decode()
        if "jsonld" not in path:
            assert (response.json()["id"], response.json()["code"]) == (page.pk, code)


def test_rich_text_links_reach_the_client_as_urls_without_editor_markup(
    client, department
):
    from catalog.models import ProcedurePage, ProcedureStep
    from tests.factories import make_procedure

    procedure = make_procedure(
        department=department, national_code="1.000777", title="Có đường dẫn"
    )
    page = ProcedurePage.objects.get(pk=procedure.pk)
    page.steps = [
        ProcedureStep(
            title="Nộp hồ sơ",
            description=(
                f'<p data-block-key="a1b2c">Xem <a linktype="page" id="{department.pk}">'
                'cơ quan</a> hoặc <a href="https://dichvucong.gov.vn/">cổng quốc gia</a>.</p>'
            ),
        )
    ]
    page.conditions = '<p data-block-key="x9y8z">Đủ 18 tuổi.</p>'
    page.save_revision().publish()
    response, body = get_json(client, "/api/v1/procedures/1.000777/")
    description = body["steps"][0]["description"]
    assert f'href="http://testserver{department.url}"' in description
    assert 'href="https://dichvucong.gov.vn/"' in description
    assert "linktype" not in description and "data-block-key" not in description
    assert body["conditions"] == "<p>Đủ 18 tuổi.</p>"


def test_title_ordering_follows_the_whole_name_returned(client, catalog):
    """Found by an independent check: ordering=title sorted on the page title (the name
    clipped to 255 characters), so long names differing later came out of order."""
    from catalog.text import split_name
    from tests.factories import make_procedure

    head = "Thủ tục thử nghiệm " + "cấp giấy phép hoạt động " * 12
    assert len(head) > 255
    for code, tail in (("0.000012", "(Cấp xã)"), ("0.000011", "(Cấp tỉnh)")):
        title, full_name = split_name(head + tail)
        make_procedure(
            department=catalog["stp"],
            national_code=code,
            title=title,
            full_name=full_name,
        )
    for ordering in ("title", "-title"):
        items = all_items(
            client, f"/api/v1/procedures/?ordering={ordering}&page_size=1&fields=title"
        )
        mine = [item["title"] for item in items if item["title"].startswith(head)]
        assert len(mine) == 2
        assert mine == sorted(mine, reverse=ordering == "-title")
        assert mine[0].endswith("(Cấp tỉnh)" if ordering == "title" else "(Cấp xã)")
