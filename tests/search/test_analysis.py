"""Tokenization per analyzer: the Python definition, tantivy's analyzers and the
Elasticsearch analyzer definition must all agree."""

import unicodedata

import pytest

from search.analysis import (
    SynonymTable,
    analyze_query,
    exact_tokens,
    file_synonyms,
    fold,
    folded_tokens,
    looks_like_code,
    parse_synonym_line,
    remove_stop_words,
)

NAMES = [
    "Đăng ký khai sinh",
    "Cấp đổi, cấp lại thẻ Căn cước",
    "Thủ tục cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở (lần đầu)",
    "Đăng ký hộ kinh doanh – HKD",
    "Cấp Phiếu lý lịch tư pháp số 1/2",
    "Xác nhận thông tin hộ tịch 1.000080 HCM.HT.01",
    "Ưu đãi người có công; ĐĂNG KÝ",
]


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Đăng ký khai sinh", ["dang", "ky", "khai", "sinh"]),
        ("ĐƯỜNG BỘ", ["duong", "bo"]),
        ("Giấy phép lái xe (GPLX)", ["giay", "phep", "lai", "xe", "gplx"]),
        ("1.000080", ["1", "000080"]),
        ("quyền sở hữu", ["quyen", "so", "huu"]),
        ("thuế_TNCN", ["thue", "tncn"]),
    ],
)
def test_folded_analyzer(text, folded):
    assert folded_tokens(text) == folded


def test_exact_analyzer_keeps_diacritics():
    assert exact_tokens("Đăng Ký KẾT HÔN") == ["đăng", "ký", "kết", "hôn"]


def test_decomposed_input_equals_composed():
    decomposed = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    assert decomposed != "Đăng ký kết hôn"
    assert exact_tokens(decomposed) == exact_tokens("Đăng ký kết hôn")
    assert folded_tokens(decomposed) == ["dang", "ky", "ket", "hon"]


def test_d_with_stroke_is_folded():
    assert fold("đ Đ") == "d d"


def test_stop_words_and_phrases_leave_meaningful_words():
    assert remove_stop_words(folded_tokens("thủ tục làm căn cước như thế nào")) == [
        "lam",
        "can",
        "cuoc",
    ]
    # words that fold onto stop words but mean something stay: thẻ, đầu tư, mã số
    assert remove_stop_words(folded_tokens("thẻ bảo hiểm")) == ["the", "bao", "hiem"]
    assert remove_stop_words(folded_tokens("đầu tư")) == ["dau", "tu"]
    assert remove_stop_words(folded_tokens("mã số thuế")) == ["ma", "so", "thue"]
    # only stop words: keep them rather than search for nothing
    assert remove_stop_words(["gi", "khong"]) == ["gi", "khong"]
    # "la" may be "lá" (thuốc lá): without diacritics it is not dropped
    assert remove_stop_words(["la", "gi"]) == ["la"]


def test_codes_are_recognised():
    assert looks_like_code("1.000080") and looks_like_code("HCM.HT.01")
    assert not looks_like_code("khai sinh") and not looks_like_code("2025")


def test_synonym_file_is_versioned_and_large_enough():
    table = file_synonyms()
    assert table.version
    assert len(table.rules) >= 60
    expansions = analyze_query("so do").expansions
    assert ("giay", "chung", "nhan", "quyen", "su", "dung", "dat") in expansions
    assert ("can", "cuoc", "cong", "dan") in analyze_query("CCCD").expansions
    # one-way rules do not expand backwards
    assert ("cmnd",) not in analyze_query("can cuoc cong dan").expansions


def test_synonym_lines_parse():
    rule = parse_synonym_line("Sổ đỏ, giấy chứng nhận => GCN  # comment")
    assert rule.sources == (("so", "do"), ("giay", "chung", "nhan"))
    assert rule.targets == (("gcn",),)
    assert parse_synonym_line("# only a comment") is None
    assert parse_synonym_line("lonely") is None


@pytest.mark.parametrize("name", NAMES)
def test_tantivy_analyzers_match_the_python_definition(name):
    import tantivy

    from search.engines.embedded import _analyzer

    assert _analyzer(exact=False).analyze(
        unicodedata.normalize("NFC", name)
    ) == folded_tokens(name)
    assert _analyzer(exact=True).analyze(
        unicodedata.normalize("NFC", name)
    ) == exact_tokens(name)
    assert isinstance(tantivy.Tokenizer.simple(), object)


def test_elasticsearch_analyzers_are_the_same_pipeline():
    from search.engines.elasticsearch import build_mapping, index_definition

    body = index_definition("test_x").to_dict()
    analysis = body["settings"]["analysis"]
    # the pattern splits on anything but letters and digits, as the Python regex does
    assert analysis["tokenizer"]["vi_words"]["pattern"] == r"[^\p{L}\p{N}]+"
    assert analysis["analyzer"]["vi_folded"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["vi_exact"]["filter"] == ["lowercase"]
    assert build_mapping().to_dict()["properties"]["name"]["analyzer"] == "vi_folded"


def test_i_and_y_spellings_are_alternatives_only_for_a_consonant_then_i_or_y():
    from search.analysis import spellings

    assert spellings("ki") == ("ki", "ky")
    assert spellings("ly") == ("ly", "li")
    assert spellings("quy") == ("quy", "qui")
    assert spellings("thuy") == ("thuy",)  # thủy is not thủi
    assert spellings("tin") == ("tin",)
    assert spellings("y") == ("y",)
    analyzed = analyze_query("dang ki khai sinh")
    assert ("dang", "ky", "khai", "sinh") in analyzed.variants


def test_a_query_with_several_vocabulary_phrases_also_reads_with_all_of_them_swapped():
    table = SynonymTable(
        rules=[
            parse_synonym_line("làm lại cccd => cấp lại thẻ căn cước"),
            parse_synonym_line("bị mất, mất giấy"),
        ]
    )
    analyzed = analyze_query("làm lại cccd bị mất", table)
    assert analyzed.variants[0] == ("cap", "lai", "the", "can", "cuoc", "mat", "giay")
    # one phrase alone: no combined reading beyond the ordinary variants
    single = analyze_query("làm lại cccd", table)
    assert single.variants == [("cap", "lai", "the", "can", "cuoc")]


def test_a_vocabulary_phrase_holding_a_frame_word_still_makes_a_variant():
    table = SynonymTable(
        rules=[parse_synonym_line("đổi tên cho con => cải chính hộ tịch")]
    )
    analyzed = analyze_query("muốn đổi tên cho con thì làm thế nào", table)
    assert analyzed.folded == ["doi", "ten"]  # "cho con" is a frame ...
    assert ("cai", "chinh", "ho", "tich") in analyzed.variants  # ... but in the phrase


def test_a_vocabulary_phrase_split_by_a_question_still_expands():
    table = SynonymTable(
        rules=[
            parse_synonym_line("sang tên xe => thay đổi chủ xe"),
            parse_synonym_line("làm căn cước => cấp thẻ căn cước"),
            parse_synonym_line("cho vay => tín dụng"),
        ]
    )
    # the phrase's words apart and out of order, among the question's own words
    split = analyze_query("mua xe máy cũ thì sang tên thế nào", table)
    assert ("thay", "doi", "chu", "xe") in split.expansions
    # a frame word does not complete a phrase: "làm" of "phải làm sao" is dropped
    framed = analyze_query("mất căn cước phải làm sao", table)
    assert ("cap", "the", "can", "cuoc") not in framed.expansions
    # one word beside glue ("cho") is not a phrase of the vocabulary
    assert table.scattered(["vay", "tien", "cho", "hoc"]) == []
    # the words whole and in order: the ordinary expansion, listed once
    whole = analyze_query("sang tên xe", table)
    assert whole.expansions == [("thay", "doi", "chu", "xe")]


def test_name_words_of_a_variant_share_the_points_of_the_words_it_stands_for():
    from search.engines.embedded import WEIGHTS, name_term_phrasings

    tokens = ["lam", "lai", "cccd", "bi", "mat"]
    variant = ("cap", "lai", "the", "can", "cuoc", "bi", "mat")
    typed, swapped = name_term_phrasings(tokens, [variant])
    assert typed == [(t, 1.0) for t in tokens]
    share = 3 / 5 * WEIGHTS["variant_term_share"]  # three typed words, five official
    assert swapped == [(w, share) for w in variant[:5]] + [("bi", 1.0), ("mat", 1.0)]


def test_follow_ups_count_against_a_name_only_when_the_query_does_not_ask_for_them():
    from search.engines.embedded import unasked_follow_ups

    assert ["lại"] in unasked_follow_ups(analyze_query("khai tử"))
    assert ["lại"] not in unasked_follow_ups(analyze_query("dang ky lai khai tu"))
    assert ["gia", "hạn"] not in unasked_follow_ups(analyze_query("gia hạn tạm trú"))


def test_moving_where_a_benefit_is_paid_is_a_follow_up():
    from search.analysis import follow_ups_in

    # "trợ cấp thất nghiệp" is Hưởng trợ cấp thất nghiệp, not moving it to another province
    assert follow_ups_in("Chuyển nơi hưởng trợ cấp thất nghiệp (Cấp tỉnh)") == [
        "chuyển nơi"
    ]
    assert follow_ups_in("Hưởng trợ cấp thất nghiệp (Cấp tỉnh)") == []


def test_a_name_is_a_follow_up_by_what_it_leads_with_not_by_what_it_lists_after():
    from search.analysis import follow_ups_in

    assert follow_ups_in("Cấp lại Giấy phép lái xe") == ["lại"]
    assert follow_ups_in("Thủ tục đăng ký lại khai sinh") == ["lại"]
    assert follow_ups_in("Thủ tục cấp lại, cấp đổi giấy phép hành nghề") == ["lại"]
    # a first procedure with its follow-ups beside it, or a word that only looks like one
    assert (
        follow_ups_in(
            "Thủ tục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc"
        )
        == []
    )
    assert follow_ups_in("Cấp, cấp lại Giấy phép vận tải đường bộ quốc tế GMS") == []
    assert follow_ups_in("Cấp giấy phép khai thác nước mặt (cấp lại, gia hạn)") == []


def test_a_mission_abroad_counts_against_a_procedure_unless_the_query_asks_for_abroad():
    from search.engines.embedded import asks_abroad

    assert not asks_abroad(analyze_query("chứng thực chữ ký"))
    assert not asks_abroad(analyze_query("nhap quoc tich viet nam"))
    assert asks_abroad(analyze_query("chứng thực chữ ký ở nước ngoài"))
    assert asks_abroad(analyze_query("cap ho chieu tai dai su quan"))
    assert asks_abroad(analyze_query("hợp pháp hóa lãnh sự"))
    # through the vocabulary: "việt kiều" is a người Việt Nam định cư ở nước ngoài
    assert asks_abroad(analyze_query("việt kiều mua nhà"))


def test_a_names_first_words_are_indexed_and_the_querys_runs_looked_up():
    from search.analysis import analyze_query, name_starts

    assert name_starts("Thủ tục hưởng lương hưu đối với người tham gia bảo hiểm") == [
        "huong luong"
    ]
    assert name_starts("Giải thể") == ["giai the"]
    assert name_starts("Hộ") == []
    runs = analyze_query(
        "đủ tuổi nghỉ hưu thì làm hồ sơ hưởng lương hưu"
    ).name_start_runs()
    assert "huong luong" in runs and "luong huu" in runs
    assert all(len(run.split()) == 2 for run in runs)
