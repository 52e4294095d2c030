"""What a citizen sees on a procedure page, read from the HTML the server sends."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from bs4 import BeautifulSoup

from catalog.models import DossierCase, FeeItem, RequiredDocument
from cms.templatetags.portal import public_cache
from tests.factories import make_procedure, set_parts
from tests.site.helpers import soup, text


def test_summary_answers_who_how_long_how_much_and_where_online(client, catalog):
    page = soup(client.get(catalog["birth"].url))
    summary = page.find("section", class_="summary-box")
    who = text(summary)
    assert "Sở Tư pháp" in who
    assert summary.find("a", string="Sở Tư pháp")["href"] == catalog["justice"].url
    assert "Toàn trình" in who
    online = summary.find("a", string="Nộp hồ sơ trực tuyến")
    assert online["href"].startswith("https://dichvucong.gov.vn/")
    rows = {
        text(row.th): text(row)
        for row in summary.find("table").find("tbody").find_all("tr")
    }
    assert "3 ngày làm việc" in rows["Trực tiếp"]
    assert "Miễn phí" in rows["Trực tiếp"]
    assert "1 ngày làm việc" in rows["Trực tuyến"]
    assert "25.000 đồng" in rows["Dịch vụ bưu chính"]


def test_documents_checklist_with_originals_copies_and_form_download(client, catalog):
    page = soup(client.get(catalog["birth"].url))
    cases = page.select("[data-case]")
    assert [text(case.h3) for case in cases] == [
        "Trẻ em sinh ra tại cơ sở y tế",
        "Trẻ em bị bỏ rơi",
    ]
    first = cases[0]
    items = first.select(".checklist li")
    assert "1 bản chính" in text(items[0])
    download = items[0].find("a", class_="download")
    assert download["href"] == catalog["form"].document.url
    assert "Tải mẫu TK-KS" in text(download)
    assert "PDF" in text(items[0]) and "KB" in text(items[0])
    # each document has a checkbox labelled with its name
    box = items[0].find("input", type="checkbox")
    assert (
        text(page.find("label", attrs={"for": box["id"]}))
        == "Tờ khai đăng ký khai sinh"
    )
    optional = text(cases[1])
    assert "1 bản sao" in optional and "không bắt buộc" in optional
    assert "Xuất trình bản chính để đối chiếu" in optional


def test_the_chosen_case_alone_is_shown_without_javascript(client, catalog):
    page = soup(client.get(catalog["birth"].url, {"truong-hop": "2"}))
    shown = [case for case in page.select("[data-case]") if not case.has_attr("hidden")]
    assert [text(case.h3) for case in shown] == ["Trẻ em bị bỏ rơi"]
    assert page.find(
        "input", attrs={"type": "radio", "name": "truong-hop", "value": "2"}
    ).has_attr("checked")
    # nonsense falls back to every case
    page = soup(client.get(catalog["birth"].url, {"truong-hop": "99<script>"}))
    assert not any(case.has_attr("hidden") for case in page.select("[data-case]"))


def test_results_conditions_legal_basis_history_and_last_update(client, catalog):
    page = soup(client.get(catalog["birth"].url))
    body = text(page.find("article"))
    assert "Giấy khai sinh (bản chính)" in text(page.find(id="h-results").parent)
    assert "Trẻ em sinh ra còn sống." in body
    law = page.find(id="h-legal").parent.find("a", string="60/2014/QH13")
    assert law["href"] == "https://vbpl.vn/luat-ho-tich"
    history = text(page.find(id="h-history").parent)
    assert "Công bố lần đầu" in history
    assert "1872/QĐ-BTP" in history
    assert page.find("time", attrs={"datetime": True}) is not None
    assert "Cập nhật" in body


def test_due_date_form_counts_working_days_without_javascript(client, catalog):
    # Wed 29/4/2026 + 3 working days, skipping 30/4 and 1/5 (holidays) and the weekend
    response = client.get(
        catalog["birth"].url, {"ngay-nop": "2026-04-29", "cach": "in_person"}
    )
    result = soup(response).find(id="due-result")
    assert result.find("time")["datetime"] == "2026-05-06"
    # postal: 10 calendar days from Wed 26/8 = Sat 5/9 -> Monday 7/9
    result = soup(
        client.get(catalog["birth"].url, {"ngay-nop": "2026-08-26", "cach": "postal"})
    ).find(id="due-result")
    assert result.find("time")["datetime"] == "2026-09-07"


def test_due_date_form_explains_bad_input(client, catalog):
    for params in (
        {"ngay-nop": "29/04/2026", "cach": "in_person"},
        {"ngay-nop": "1800-01-01", "cach": "in_person"},
        {"ngay-nop": "2026-04-29", "cach": "pigeon"},
        {"ngay-nop": "x" * 5000},
    ):
        response = client.get(catalog["birth"].url, params)
        result = soup(response).find(id="due-result")
        assert result.find("time") is None
        assert len(text(result)) > 10, params


def test_json_ld_describes_a_government_service(client, catalog):
    page = soup(client.get(catalog["birth"].url))
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "GovernmentService"
    assert data["identifier"] == "1.001193"
    assert data["provider"]["name"] == "Sở Tư pháp"
    assert data["url"].endswith(catalog["birth"].url)
    channels = {channel["name"]: channel for channel in data["availableChannel"]}
    assert channels["Trực tuyến"]["serviceUrl"].startswith("https://dichvucong.gov.vn/")
    assert channels["Dịch vụ bưu chính"]["processingTime"] == "P10D"
    assert {"price": 25000, "priceCurrency": "VND"}.items() <= data["offers"][
        -1
    ].items()


def _charge_abroad(procedure):
    """The in-person fee becomes the 50 USD a mission abroad charges, beside one in đồng."""
    methods = list(procedure.execution_methods.all())
    methods[0].fees = [
        FeeItem(
            kind="charge",
            amount=50,
            currency="USD",
            description="Tại Đại sứ quán",
            sort_order=0,
        ),
        FeeItem(kind="fee", amount=3500000, sort_order=1),
    ]
    procedure.execution_methods = methods
    procedure.save_revision().publish()


def test_a_fee_in_dollars_is_shown_in_dollars(client, catalog):
    _charge_abroad(catalog["birth"])
    page = soup(client.get(catalog["birth"].url))
    rows = {
        text(row.th): text(row)
        for row in page.find("section", class_="summary-box").find("tbody")("tr")
    }
    assert "Lệ phí: 50 USD" in rows["Trực tiếp"]
    assert "Phí: 3.500.000 đồng" in rows["Trực tiếp"]
    assert "50 đồng" not in text(page)
    data = json.loads(page.find("script", type="application/ld+json").string)
    offers = [(offer["price"], offer["priceCurrency"]) for offer in data["offers"]]
    assert offers[:2] == [(50, "USD"), (3500000, "VND")]


def test_a_fee_without_a_fixed_amount_is_not_shown_as_free(client, catalog):
    birth = catalog["birth"]
    methods = list(birth.execution_methods.all())
    methods[0].fees = [
        FeeItem(
            kind="charge",
            amount=None,
            description="Mức thu do HĐND tỉnh quyết định",
            sort_order=0,
        ),
        FeeItem(kind="fee", amount=0, sort_order=1),
    ]
    birth.execution_methods = methods
    birth.save_revision().publish()
    page = soup(client.get(birth.url))
    rows = {
        text(row.th): text(row)
        for row in page.find("section", class_="summary-box").find("tbody")("tr")
    }
    assert "Lệ phí: Theo quy định Mức thu do HĐND tỉnh quyết định" in rows["Trực tiếp"]
    assert "Phí: Miễn phí" in rows["Trực tiếp"]  # a 0 with nothing said is free
    data = json.loads(page.find("script", type="application/ld+json").string)
    # no Offer at price 0 for the one whose amount is not fixed
    assert [offer["price"] for offer in data["offers"]][:1] == [0]


def test_json_ld_cannot_be_closed_by_editor_text(client, department):
    hostile = '</script><script>alert("x")</script><!--'
    procedure = make_procedure(
        department=department,
        national_code="9.000001",
        title="Thủ tục thử " + hostile,
    )
    html = client.get(procedure.url).content.decode()
    head = html.split("</head>")[0]
    ld = head.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in ld and ">" not in ld
    assert json.loads(ld)["name"] == "Thủ tục thử " + hostile
    assert "<script>alert" not in html


def _queries(client, url) -> int:
    public_cache().clear()  # count the cold path, not the cached body
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_procedure_page_costs_the_same_queries_however_many_parts(client, department):
    small = make_procedure(department=department, national_code="9.1", title="Nhỏ")
    large = make_procedure(department=department, national_code="9.2", title="Lớn")
    set_parts(small, 1)
    set_parts(large, 6)
    client.get(small.url)  # warm the site and settings caches
    assert _queries(client, small.url) == _queries(client, large.url)


def test_withdrawn_procedure_warns_the_reader(client, department):
    procedure = make_procedure(
        department=department, national_code="9.3", title="Cũ", status="rescinded"
    )
    page = BeautifulSoup(client.get(procedure.url).content, "html.parser")
    assert "Đã bãi bỏ" in text(page.find(class_="notice-warn"))


def test_a_new_publish_shows_at_once_and_a_draft_never_leaks(
    client, catalog, superuser
):
    procedure = catalog["birth"]
    assert (
        "Nộp hồ sơ tại bộ phận một cửa." in client.get(procedure.url).content.decode()
    )
    steps = list(procedure.steps.all())
    steps[0].description = "<p>Nộp hồ sơ tại Trung tâm hành chính công.</p>"
    procedure.steps = steps
    procedure.summary = "Tóm tắt mới."
    procedure.change_note = "Đổi nơi nộp"
    procedure.save_revision().publish()
    html = client.get(procedure.url).content.decode()
    assert "Nộp hồ sơ tại Trung tâm hành chính công." in html
    assert "Tóm tắt mới." in html and "Đổi nơi nộp" in html
    # a draft is only in the admin's view of that revision, never in the public page
    procedure.summary = "Bản nháp chưa duyệt."
    revision = procedure.save_revision()
    assert "Bản nháp chưa duyệt." not in client.get(procedure.url).content.decode()
    client.force_login(superuser)
    draft = client.get(f"/admin/pages/{procedure.pk}/revisions/{revision.pk}/view/")
    assert "Bản nháp chưa duyệt." in draft.content.decode()
    client.logout()
    assert "Bản nháp chưa duyệt." not in client.get(procedure.url).content.decode()


def test_a_procedure_under_an_unpublished_department_links_to_no_missing_page(
    client, department
):
    procedure = make_procedure(
        department=department, national_code="9.4", title="Đăng ký khai sinh"
    )
    assert client.get(procedure.url).status_code == 200  # cached with the link
    department.unpublish()
    page = soup(client.get(procedure.url))
    broken = [
        link["href"]
        for link in page.select("a[href^='/']")
        if client.get(link["href"]).status_code >= 400
    ]
    assert broken == []
    # the department is still named where the procedure is handled
    assert "Sở Tư pháp" in text(page.find(class_="facts"))
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert "url" not in data["provider"]


def test_another_provinces_specific_procedure_says_whose_it_is(
    client, catalog, settings
):
    settings.CATALOG_PROVINCE = "Thành phố Hồ Chí Minh"
    theirs = make_procedure(
        department=catalog["justice"],
        national_code="9.990021",
        title="Chuyển mục đích sử dụng đất",
        procedure_type="specific",
        decision_authority="UBND tỉnh Lạng Sơn",
    )
    ours = make_procedure(
        department=catalog["justice"],
        national_code="9.990022",
        title="Hỗ trợ chi phí khuyến khích hỏa táng",
        procedure_type="specific",
        decision_authority="UBND Thành phố Hồ Chí Minh",
    )
    note = soup(client.get(theirs.url)).find("p", class_="notice")
    assert "Thủ tục đặc thù do UBND tỉnh Lạng Sơn công bố." in text(note)
    assert "không phải thủ tục của thành phố" in text(note)
    # it claims no same-name procedure of the city, nor links a search of its own name, which
    # an independent check found led back to the same page in 25 of 40 cases
    assert "hỏi cơ quan giải quyết của thành phố" in text(note)
    assert note.find("a") is None
    page = soup(client.get(ours.url))
    assert page.find("p", class_="notice") is None
    assert "Cơ quan công bố: UBND Thành phố Hồ Chí Minh" in text(page)


def test_a_procedure_without_details_says_so_and_claims_no_channel(client, catalog):
    """Found by an independent check: 5,168 national procedures come without steps, documents,
    times or fees, and their pages said «Nộp trực tuyến: Không có» though nothing was known."""
    bare = make_procedure(
        department=catalog["justice"],
        national_code="9.990031",
        title="Thủ tục thử nghiệm chưa có chi tiết",
    )
    set_parts(bare, 0)
    bare.steps = []
    bare.save_revision().publish()
    page = soup(client.get(bare.url))
    notes = [text(note) for note in page.find_all("p", class_="notice")]
    assert any(note.startswith("Chưa có thông tin chi tiết.") for note in notes), notes
    facts = text(page.find(class_="facts"))
    assert "Chưa có thông tin." in facts
    assert "Không có; nộp trực tiếp" not in facts
    # a procedure with its channels known, none of them online, says there is none
    known = make_procedure(
        department=catalog["justice"],
        national_code="9.990032",
        title="Thủ tục thử nghiệm chỉ nộp trực tiếp",
        online_level="none",
    )
    set_parts(known, 1)
    page = soup(client.get(known.url))
    assert "Không có; nộp trực tiếp hoặc qua bưu chính." in text(
        page.find(class_="facts")
    )
    assert not any(
        text(note).startswith("Chưa có thông tin chi tiết.")
        for note in page.find_all("p", class_="notice")
    )


def test_dossier_sections_are_all_shown_with_no_case_picker(client, catalog):
    """Found by an independent check: the national portal splits some dossiers into
    «* Giấy tờ phải nộp:», «* Giấy tờ phải xuất trình:» and «* Lưu ý:»; a picker over them hid
    the birth certificate when one chose a section."""
    procedure = make_procedure(
        department=catalog["justice"],
        national_code="9.990033",
        title="Thủ tục thử nghiệm hồ sơ chia mục",
    )
    procedure.dossier_cases = [
        DossierCase(
            name="* Giấy tờ phải nộp:",
            documents=[RequiredDocument(name="Giấy chứng sinh", originals=1)],
        ),
        DossierCase(
            name="* Giấy tờ phải xuất trình:",
            documents=[
                RequiredDocument(name="Căn cước của người đi đăng ký", originals=1)
            ],
        ),
        DossierCase(
            name="* Lưu ý :",
            documents=[RequiredDocument(name="Văn bản ủy quyền", copies=1)],
        ),
        # the import names a case the source left unnamed by its number
        DossierCase(
            name="Trường hợp 4",
            documents=[RequiredDocument(name="Tờ khai đăng ký khai sinh", originals=1)],
        ),
    ]
    procedure.save_revision().publish()
    page = soup(client.get(procedure.url + "?truong-hop=3"))
    assert page.find("form", class_="case-picker") is None
    cases = page.find_all("div", class_="case")
    assert len(cases) == 4 and not any(case.has_attr("hidden") for case in cases)
    assert "Giấy chứng sinh" in text(page)
    # an unnamed section is not announced as a fourth situation
    assert text(cases[3].find("h3")) == "Giấy tờ khác"
    assert "Trường hợp 4" not in text(page)


@pytest.mark.parametrize("nothing", ["Không quy định.", "Không", "không có"])
def test_a_summary_that_only_says_none_is_no_lead_paragraph(client, catalog, nothing):
    """Found by an independent check: «Không quy định» stood as a page's lead paragraph."""
    procedure = make_procedure(
        department=catalog["justice"],
        national_code="9.990034",
        title="Thủ tục thử nghiệm tóm tắt trống",
    )
    procedure.summary = nothing
    procedure.save_revision().publish()
    page = soup(client.get(procedure.url))
    assert page.find("p", class_="lead") is None
    procedure.summary = "Không quy định thời hạn cho trường hợp này."
    procedure.save_revision().publish()
    lead = soup(client.get(procedure.url)).find("p", class_="lead")
    assert text(lead) == "Không quy định thời hạn cho trường hợp này."
