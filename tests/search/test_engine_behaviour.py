"""The behaviour every engine must show; run on the embedded engine always and on a live
Elasticsearch cluster with `make test-es`."""

import dataclasses
from contextlib import contextmanager

import pytest

from search.queries import QueryError, SearchQuery

pytestmark = pytest.mark.engine


def codes(result):
    return [hit.code for hit in result.hits]


def search(engine, text="", **kwargs):
    return engine.search(SearchQuery(text=text, **kwargs))


@contextmanager
def indexed_for_the_test(engine, *documents):
    """The documents in the index while the block runs, deleted after it."""
    engine.index(list(documents))
    try:
        yield
    finally:
        engine.delete([document.page_id for document in documents])


def test_finds_procedure_typed_without_diacritics(engine, indexed):
    result = search(engine, "dang ky khai sinh")
    assert codes(result)[0] == "1.000001"
    assert result.engine == engine.name and result.fallback is False


def test_d_with_stroke_folds_to_d(engine, indexed):
    assert codes(search(engine, "dang ky tam tru"))[0] == "1.000012"
    assert codes(search(engine, "ĐĂNG KÝ TẠM TRÚ"))[0] == "1.000012"


def test_exact_name_ranks_above_longer_names_containing_it(engine, indexed):
    found = codes(search(engine, "dang ky khai sinh"))
    assert found.index("1.000001") < found.index("HCM.TP.05")


def test_name_match_beats_body_match(engine, indexed):
    # "trích lục" is in one name and in no other text except that procedure's summary;
    # "khai tử" is a name for 1.000003 and only body text for 1.000004.
    found = codes(search(engine, "khai tu"))
    assert found[0] == "1.000003"
    assert "1.000004" in found


def test_phrase_proximity_orders_words_in_sequence_first(engine, indexed):
    found = codes(search(engine, "dang ky xe"))
    assert found[0] == "1.000031"


def test_typos_are_tolerated_on_folded_words(engine, indexed):
    assert codes(search(engine, "dang ky ket hno"))[0] == "1.000002"
    assert codes(search(engine, "dnag ky thuong tru"))[0] == "1.000011"


def test_i_and_y_spellings_of_a_syllable_find_the_same_procedures(engine, indexed):
    # "kí" and "ký" are both in use; citizens type "dang ki" as often as "dang ky".
    written_with_y = search(engine, "dang ky ket hon")
    written_with_i = search(engine, "dang ki ket hon")
    assert codes(written_with_i)[0] == "1.000002"
    assert codes(written_with_i) == codes(written_with_y)
    assert written_with_i.total == written_with_y.total
    assert written_with_i.hits[0].highlight == written_with_y.hits[0].highlight
    assert codes(search(engine, "dang ki khai sinh"))[0] == "1.000001"


def test_synonyms_and_acronyms(engine, indexed):
    assert codes(search(engine, "CCCD"))[0] == "1.000010"
    assert codes(search(engine, "so do"))[0] == "1.000020"
    assert codes(search(engine, "bang lai xe"))[0] == "1.000030"
    assert codes(search(engine, "ho khau"))[0] == "1.000011"


def test_a_synonym_only_in_the_body_still_finds_when_nothing_else_does(engine, indexed):
    # "mua bán đất" => "chuyển nhượng quyền sử dụng đất", which only 1.000021's summary has
    assert codes(search(engine, "mua ban dat")) == ["1.000021"]


def test_code_as_query_finds_that_procedure_first(engine, indexed):
    assert codes(search(engine, "1.000021"))[0] == "1.000021"
    assert codes(search(engine, "hcm.tp.05"))[0] == "HCM.TP.05"
    # the national code of a procedure that has a city code also finds it
    assert codes(search(engine, "2.000005"))[0] == "HCM.TP.05"


def test_filters_and_facets_ignore_their_own_filter(engine, indexed):
    everything = search(engine, "dang ky")
    departments = {b.value: b.count for b in everything.facets["department"]}
    assert departments["STP"] >= 3 and departments["CATP"] == 2

    narrowed = search(engine, "dang ky", filters={"department": ["CATP"]})
    assert set(codes(narrowed)) == {"1.000011", "1.000012"}
    assert narrowed.total == 2
    # the department facet still shows the other departments, with unchanged counts
    assert {b.value: b.count for b in narrowed.facets["department"]} == departments
    selected = [b for b in narrowed.facets["department"] if b.selected]
    assert [b.value for b in selected] == ["CATP"]
    assert selected[0].label == "Công an Thành phố"
    # other facets count only what the department filter leaves
    online = {b.value: b.count for b in narrowed.facets["online"]}
    assert online == {"full": 2}


def test_filters_or_within_a_facet_and_across_facets(engine, indexed):
    result = search(
        engine,
        "",
        filters={"online": ["full", "partial"], "level": ["commune"]},
        page_size=50,
    )
    assert set(codes(result)) == {"1.000011", "1.000012"}
    either = search(engine, "", filters={"online": ["full", "partial"]}, page_size=50)
    assert set(codes(either)) == {
        "1.000001",
        "1.000002",
        "1.000010",
        "1.000011",
        "1.000012",
        "1.000030",
    }


def test_empty_query_browses_everything_by_name(engine, indexed):
    result = search(engine, "", page_size=100)
    assert result.total == 12
    names = [hit.name for hit in result.hits]
    from search.analysis import fold

    assert names == sorted(names, key=fold)


def test_paging(engine, indexed):
    first = search(engine, "", page=1, page_size=5)
    second = search(engine, "", page=2, page_size=5)
    assert len(first.hits) == 5 and len(second.hits) == 5
    assert not set(codes(first)) & set(codes(second))
    assert search(engine, "", page=4, page_size=5).hits == []


def test_highlights_are_escaped_with_only_mark_added(engine, indexed):
    result = search(engine, "dang ky khai sinh")
    top = result.hits[0]
    assert top.highlight == (
        "<mark>Đăng</mark> <mark>ký</mark> <mark>khai</mark> <mark>sinh</mark>"
    )
    hostile = search(engine, "<script>alert(1)</script> khai sinh")
    for hit in hostile.hits:
        assert "<script" not in hit.highlight
        assert hit.highlight.replace("<mark>", "").replace("</mark>", "").count(
            "<"
        ) == hit.name.count("<")


def test_did_you_mean_when_results_are_few(engine, indexed):
    result = search(engine, "khaii sinhh xyzq")
    assert result.suggestion is not None
    assert "khai" in result.suggestion and "sinh" in result.suggestion
    assert search(engine, "dang ky khai sinh").suggestion is None


def test_autocomplete_on_names(engine, indexed):
    suggestions = engine.suggest("dang ky kh", limit=5)
    names = [s["name"] for s in suggestions]
    assert "Đăng ký khai sinh" in names and "Đăng ký khai tử" in names
    assert all(s["url"].startswith("/") for s in suggestions)
    # names repeat across wards: each item says whose it is
    assert all(s["department"] for s in suggestions), suggestions
    assert engine.suggest("", limit=5) == []
    assert engine.suggest("zzzzqqq", limit=5) == []


def test_autocomplete_understands_abbreviations_no_name_holds(engine, indexed):
    # "cccd" is in no name: the vocabulary says it is the citizen ID card (căn cước)
    names = [s["name"] for s in engine.suggest("cccd", limit=5)]
    assert names and all("căn cước" in name for name in names[:2]), names


def test_autocomplete_answers_words_no_name_holds_in_that_order(engine, indexed):
    # "cho ba" (for dad) and "cho be" (for the baby) are in no name: the search's answer
    names = [s["name"] for s in engine.suggest("khai tu cho ba", limit=5)]
    assert names[:1] == ["Đăng ký khai tử"], names
    names = [s["name"] for s in engine.suggest("dang ky khai sinh cho be", limit=5)]
    assert names[:1] == ["Đăng ký khai sinh"], names


def test_autocomplete_lists_a_name_and_department_once():
    from search.engines.base import SearchEngine

    class Copies(SearchEngine):
        def _suggest(self, tokens, limit):
            return [
                {
                    "code": f"1.11{i}",
                    "name": "Tách thửa đất",
                    "url": f"/{i}/",
                    "department": "Sở",
                }
                for i in range(6)
            ] + [
                {"code": "9", "name": "Tách thửa đất", "url": "/9/", "department": "Xã"}
            ]

    items = Copies().suggest("tach thua", limit=2)
    assert [(i["name"], i["department"]) for i in items] == [
        ("Tách thửa đất", "Sở"),
        ("Tách thửa đất", "Xã"),
    ]


def test_autocomplete_puts_names_beginning_with_the_typed_words_first():
    from search.engines.base import SearchEngine

    class InEngineOrder(SearchEngine):
        def _suggest(self, tokens, limit):
            names = [
                "Ghi vào sổ việc đăng ký kết hôn ở nước ngoài",
                "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
                "Đăng ký kết hôn lưu động",
            ]
            return [
                {"code": str(i), "name": n, "url": f"/{i}/", "department": "X"}
                for i, n in enumerate(names)
            ]

    names = [item["name"] for item in InEngineOrder().suggest("dang ky ket", limit=3)]
    assert names == [
        "Đăng ký kết hôn lưu động",  # begins with the words, shortest
        "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",  # "Thủ tục" aside
        "Ghi vào sổ việc đăng ký kết hôn ở nước ngoài",  # the words come later
    ]


def test_best_bets_pin_a_procedure_for_a_query(engine, indexed):
    from search.models import BestBet

    assert codes(search(engine, "lam giay to"))[:1] != ["1.000010"]
    BestBet.objects.create(query="Làm giấy tờ", procedure=indexed["1.000010"])
    result = search(engine, "lam giay to")
    assert codes(result)[0] == "1.000010"
    assert result.hits[0].pinned
    assert codes(result).count("1.000010") == 1


def test_admin_synonym_applies_without_deploy(engine, indexed):
    from search.models import Synonym

    assert "1.000031" not in codes(search(engine, "mua xe"))
    Synonym.objects.create(terms="mua xe => đăng ký xe lần đầu")
    assert codes(search(engine, "mua xe"))[0] == "1.000031"


HOSTILE = [
    "*",
    "(",
    ")",
    '"',
    '"dang ky',
    "field:x",
    "name:(a OR b)",
    "\\",
    "AND OR NOT",
    "~1",
    "%_",
    "'; DROP TABLE x; --",
    "khai sinh" + "(" * 150,
]


def test_hostile_text_gives_an_ordinary_result(engine, indexed):
    for text in HOSTILE:
        result = search(engine, text)
        assert result.total >= 0, text
        assert isinstance(result.hits, list)
    # query syntax is never interpreted: "field:x" searches for the words
    assert search(engine, "name:(khai sinh)").hits[0].code == "1.000001"


def test_hostile_paging_and_sizes_are_refused(engine, indexed):
    with pytest.raises(QueryError):
        SearchQuery(text="x", page=10_000)
    with pytest.raises(QueryError):
        SearchQuery(text="x", page_size=101)
    with pytest.raises(QueryError):
        SearchQuery(text="x" * 10_240)
    with pytest.raises(QueryError):
        SearchQuery(text="x", filters={"owner": ["a"]})
    assert len(search(engine, "", page_size=100).hits) == 12


def test_health(engine, indexed):
    health = engine.health()
    assert health["status"] == "ok"
    assert health["documents"] == 12


def test_index_and_delete_one_document(engine, indexed):
    from search.documents import iter_documents

    page = indexed["1.000002"]
    engine.delete([page.pk])
    assert "1.000002" not in codes(search(engine, "ket hon"))
    engine.index(iter_documents([page.pk]))
    assert codes(search(engine, "ket hon"))[0] == "1.000002"
    assert len(engine.fingerprints()) == 12


def test_questions_find_what_they_ask_about(engine, indexed):
    # the frame ("cần những gì", "ở đâu", "phải làm sao") and filler are not searched for
    assert codes(search(engine, "làm giấy khai sinh cho con cần những gì"))[0] == (
        "1.000001"
    )
    assert codes(search(engine, "dang ky tam tru o dau"))[0] == "1.000012"
    assert codes(search(engine, "tôi muốn đăng ký kết hôn thì phải làm sao"))[0] == (
        "1.000002"
    )


def test_a_long_question_finds_the_name_holding_its_object_side_by_side(
    engine, indexed
):
    from search.documents import ProcedureDocument

    def procedure(number, name):
        code = f"9.00000{number}"
        return ProcedureDocument(
            page_id=900000 + number, code=code, codes=[code], name=name
        )

    # nine content words, five must match; this name holds four of them, in a row
    asked = procedure(3, "Thủ tục yêu cầu trợ giúp pháp lý")
    scattered = procedure(4, "Giúp đỡ pháp lý về trợ cấp")  # four, not in a row
    counted = procedure(5, "Thuê luật sư có thu tiền")  # five: a match by the count
    engine.index([asked, scattered, counted])
    try:
        found = codes(
            search(
                engine, "không có tiền thuê luật sư thì xin trợ giúp pháp lý thế nào"
            )
        )
        assert "9.000005" in found  # positive control: the count still matches
        assert "9.000003" in found
        assert "9.000004" not in found
    finally:
        engine.delete([900003, 900004, 900005])


def test_a_name_the_query_reads_as_whole_comes_before_longer_ones(engine, indexed):
    from search.documents import ProcedureDocument

    def procedure(number, name):
        code = f"9.00000{number}"
        return ProcedureDocument(
            page_id=900000 + number, code=code, codes=[code], name=name
        )

    # "bằng lái" reads as "giấy phép lái xe": that reading holds the first name whole;
    # the second holds more of the typed words ("ô tô") and a word not asked for
    engine.index(
        [
            procedure(6, "Đổi giấy phép lái xe"),
            procedure(7, "Đổi giấy phép lái xe ô tô quân sự"),
        ]
    )
    try:
        found = codes(search(engine, "đổi bằng lái ô tô hết hạn"))
        assert found.index("9.000006") < found.index("9.000007")
    finally:
        engine.delete([900006, 900007])


def test_telex_leftovers_are_read(engine, indexed):
    # typed on a keyboard without a Vietnamese input method: "dangw kys" is "đăng ký"
    assert codes(search(engine, "dangw kys tamj truf"))[0] == "1.000012"


def test_one_word_the_procedure_does_not_use_may_miss(engine, indexed):
    # "gấp" is in no procedure: three of the four other words are enough, and the
    # procedure with every word still comes first
    result = search(engine, "dang ky tam tru gap")
    assert codes(result)[0] == "1.000012"


def test_another_provinces_specific_procedure_comes_after_this_citys(engine, indexed):
    from search.documents import ProcedureDocument

    # Lạng Sơn's specific procedure has the short name, which alone would put it first
    theirs = ProcedureDocument(
        page_id=900011,
        code="9.000011",
        codes=["9.000011"],
        name="Chuyển mục đích sử dụng đất",
        another_provinces=True,
    )
    ours = ProcedureDocument(
        page_id=900012,
        code="9.000012",
        codes=["9.000012"],
        name="Giao đất, cho thuê đất, chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
    )
    engine.index([theirs, ours])
    try:
        found = codes(search(engine, "muc dich su dung dat"))
        assert found.index("9.000012") < found.index("9.000011")
        # control: unmarked, the short name is first
        engine.index([dataclasses.replace(theirs, another_provinces=False)])
        found = codes(search(engine, "muc dich su dung dat"))
        assert found.index("9.000011") < found.index("9.000012")
    finally:
        engine.delete([900011, 900012])


def test_a_procedure_done_by_a_mission_abroad_comes_after_the_one_at_home(
    engine, indexed
):
    from search.documents import ProcedureDocument

    # the embassy's version has the shorter name, which alone would put it first
    abroad = ProcedureDocument(
        page_id=900001,
        code="9.000001",
        codes=["9.000001"],
        name="Thủ tục chứng thực chữ ký trên giấy tờ",
        served_abroad=True,
    )
    home = ProcedureDocument(
        page_id=900002,
        code="9.000002",
        codes=["9.000002"],
        name="Chứng thực chữ ký trên các giấy tờ, văn bản, hợp đồng",
    )
    engine.index([abroad, home])
    try:
        assert codes(search(engine, "chứng thực chữ ký"))[:2] == [
            "9.000002",
            "9.000001",
        ]
        # positive control: asked for abroad, the shorter name wins again
        assert codes(search(engine, "chứng thực chữ ký lãnh sự"))[0] == "9.000001"
    finally:
        engine.delete([900001, 900002])


class _Spelling:
    """An engine whose vocabulary has "thu" far more often than "tu", as the national one does."""

    @staticmethod
    def make():
        from search.engines.base import SearchEngine

        class Spelling(SearchEngine):
            def vocabulary(self):
                return {
                    "dang": 90,
                    "ky": 90,
                    "khai": 40,
                    "thu": 500,
                    "tu": 30,
                    "sinh": 40,
                }

            def in_some_name(self, first, second):
                return (first, second) in {
                    ("khai", "tu"),
                    ("khai", "sinh"),
                    ("dang", "ky"),
                }

            def written_forms(self):
                return {"tu": ["tư", "tử", "từ"], "thu": ["thu", "thủ"]}

        return Spelling()


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("dang ky khai tuu", "dang ky khai tu"),  # not the more frequent "thu"
        (
            "đăng ký khai tửu",
            "đăng ký khai tử",
        ),  # and written as the citizen nearly wrote it
        ("đăng ký khai tửa", "đăng ký khai tử"),
    ],
)
def test_did_you_mean_prefers_the_word_a_name_holds_beside_its_neighbour(
    typed, offered
):
    from search.analysis import analyze_query

    assert _Spelling.make().did_you_mean(analyze_query(typed)) == offered


def test_suggestions_put_another_provinces_procedure_last_and_say_whose(
    engine, indexed
):
    """Found by an independent check: the suggestion list offered Hải Phòng's and Đắk Lắk's
    Tách thửa first, each under one of this city's departments."""
    from search.documents import ProcedureDocument

    department = "Sở Nông nghiệp và Môi trường"
    theirs = ProcedureDocument(
        page_id=900041,
        code="9.990041",
        codes=["9.990041"],
        name="Tách thửa đất",
        department=department,
        url="/co-quan/so-nong-nghiep-va-moi-truong/tach-thua-dat-9990041/",
        another_provinces=True,
        decision_authority="UBND Thành phố Hải Phòng",
    )
    ours = ProcedureDocument(
        page_id=900042,
        code="9.990042",
        codes=["9.990042"],
        name="Tách thửa hoặc hợp thửa đất",
        department=department,
        url="/co-quan/so-nong-nghiep-va-moi-truong/tach-thua-hoac-hop-thua-dat/",
    )
    engine.index([theirs, ours])
    try:
        items = {item["code"]: item for item in engine.suggest("tach thua")}
        assert list(items).index("9.990042") < list(items).index("9.990041")
        assert items["9.990042"]["elsewhere"] == ""
        assert (
            items["9.990041"]["elsewhere"]
            == "Thủ tục đặc thù của UBND Thành phố Hải Phòng"
        )
    finally:
        engine.delete([900041, 900042])


def test_another_provinces_keyword_earns_no_whole_keyword_points(engine, indexed):
    """Found by an independent check: Lạng Sơn's procedure, whose detail record has its own
    name as a keyword, came first for `cap doi so do` above the general one of that name."""
    from search.documents import ProcedureDocument

    name = "Cấp đổi giấy chứng nhận thử nghiệm thửa đất"
    theirs = ProcedureDocument(
        page_id=900051,
        code="9.990051",
        codes=["9.990051"],
        name=name,
        keywords="cấp đổi giấy chứng nhận thử nghiệm thửa đất",
        keyword_phrases=["cap doi giay chung nhan thu nghiem thua dat"],
        another_provinces=True,
    )
    ours = ProcedureDocument(
        page_id=900052, code="9.990052", codes=["9.990052"], name=name
    )
    engine.index([theirs, ours])
    try:
        found = codes(search(engine, "cap doi giay chung nhan thu nghiem thua dat"))
        assert found.index("9.990052") < found.index("9.990051")
    finally:
        engine.delete([900051, 900052])


def test_a_name_beginning_with_the_query_comes_before_one_that_mentions_it(
    engine, indexed, monkeypatch
):
    """*Hưởng lương hưu đối với người tham gia …* is the pension; *Chế độ … không đủ điều kiện
    hưởng lương hưu* only mentions it, and its shorter name alone would put it first."""
    from search.documents import ProcedureDocument
    from search.engines.embedded import WEIGHTS

    begins = ProcedureDocument(
        page_id=900061,
        code="9.990061",
        codes=["9.990061"],
        name="Hưởng trợ cấp thử nghiệm định kỳ đối với người tham gia quỹ bảo hiểm tự nguyện",
    )
    mentions = ProcedureDocument(
        page_id=900062,
        code="9.990062",
        codes=["9.990062"],
        name="Chế độ khi chưa đủ điều kiện hưởng trợ cấp thử nghiệm định kỳ",
    )
    with indexed_for_the_test(engine, begins, mentions):
        for query in (
            "huong tro cap thu nghiem dinh ky",
            "hưởng trợ cấp thử nghiệm định kỳ",
        ):
            found = codes(search(engine, query))
            assert found.index("9.990061") < found.index("9.990062"), query
        # control: without the points for the name's beginning, the shorter name is first
        monkeypatch.setitem(WEIGHTS, "name_start", 0.0)
        found = codes(search(engine, "huong tro cap thu nghiem dinh ky"))
        assert found.index("9.990062") < found.index("9.990061")


def test_full_width_letters_read_as_plain_ones(engine, indexed):
    """Found by an independent check: `ｄａｎｇ ｋｙ ｋｈａｉ ｓｉｎｈ` found nothing."""
    assert codes(search(engine, "ｄａｎｇ ｋｙ ｋｈａｉ ｓｉｎｈ"))[0] == "1.000001"
    assert codes(search(engine, "ĐĂNG ＫÝ KHAI SINH"))[0] == "1.000001"


def test_suggestions_put_this_citys_first_even_when_only_theirs_begin_with_the_words(
    engine, indexed
):
    """Found by an independent check of the API: `ho tro doanh nghiep` offered seven other
    provinces' procedures, whose names begin with the words, before this city's."""
    from search.documents import ProcedureDocument

    theirs = [
        ProcedureDocument(
            page_id=900071 + n,
            code=f"9.99007{n}",
            codes=[f"9.99007{n}"],
            name=f"Hỗ trợ thử nghiệm doanh nghiệp nhỏ loại {n}",
            url=f"/co-quan/so-thu/ho-tro-{n}/",
            another_provinces=True,
            decision_authority="UBND tỉnh Lạng Sơn",
        )
        for n in range(3)
    ]
    ours = ProcedureDocument(
        page_id=900079,
        code="9.990079",
        codes=["9.990079"],
        name="Thủ tục cấp kinh phí hỗ trợ thử nghiệm doanh nghiệp nhỏ",
        url="/co-quan/so-thu/cap-kinh-phi/",
    )
    with indexed_for_the_test(engine, *theirs, ours):
        items = engine.suggest("ho tro thu nghiem doanh", limit=4)
        assert [item["code"] for item in items][0] == "9.990079"
        assert all(item["elsewhere"] for item in items[1:])
        assert len(items) == 4
