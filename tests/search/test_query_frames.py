"""Question frames and filler (search/resources/query_frames.txt): one test per entry that it is
dropped from a query and leaves the words that say which procedure is wanted, and that words
folding onto a frame but meaning something stay (căn cước, thẻ, đầu tư, cửa, bảo vệ). English
function words go only from an English query."""

import pytest

from search.analysis import (
    SynonymTable,
    analyze_query,
    bigrams,
    fold,
    minimum_should_match,
    old_agency_names,
    parse_query_frames,
    parse_synonym_line,
    query_frames,
    telex_reading,
)

FRAMES = [(s, e) for s, e in query_frames().entries if s != "english"]
ENGLISH = [e for s, e in query_frames().entries if s == "english"]
CONTENT = "cấp lại thẻ căn cước"
CONTENT_WORDS = ["cap", "lai", "the", "can", "cuoc"]
ENGLISH_CONTENT = "work permit renewal"


def words(text):
    return analyze_query(text).folded


def test_the_list_is_versioned_and_has_both_sections():
    assert query_frames().version
    sections = {section for section, _entry in query_frames().entries}
    assert sections == {"any spelling", "as typed", "english"}
    assert len(FRAMES) >= 60


@pytest.mark.parametrize("section, entry", FRAMES, ids=[e for _s, e in FRAMES])
def test_each_frame_is_dropped_and_the_content_words_stay(section, entry):
    assert words(f"{entry} {CONTENT}") == CONTENT_WORDS
    assert words(f"{CONTENT} {entry}") == CONTENT_WORDS
    unaccented = fold(entry)
    if section == "any spelling":
        assert words(f"{unaccented} {fold(CONTENT)}") == CONTENT_WORDS
    else:
        # typed without its diacritics it may be a content word: it stays
        assert unaccented != entry, "an [as typed] entry needs diacritics"
        assert (
            words(f"{unaccented} {fold(CONTENT)}")
            == fold(f"{unaccented} {CONTENT}").split()
        )


@pytest.mark.parametrize("entry", ENGLISH)
def test_each_english_function_word_is_dropped_from_an_english_query(entry):
    assert words(f"{entry} {ENGLISH_CONTENT}") == ENGLISH_CONTENT.split()
    assert words(f"{ENGLISH_CONTENT} {entry}") == ENGLISH_CONTENT.split()


@pytest.mark.parametrize(
    "query, kept",
    [
        ("how to close my company", ["close", "company"]),
        ("cấp giấy phép in", ["cap", "giay", "phep", "in"]),
        (
            "cap giay phep in xuat ban pham",
            ["cap", "giay", "phep", "in", "xuat", "ban", "pham"],
        ),
        ("to khai thue", ["to", "khai", "thue"]),
        ("the can cuoc", ["the", "can", "cuoc"]),
    ],
)
def test_english_function_words_stay_in_a_vietnamese_query(query, kept):
    assert words(query) == kept


@pytest.mark.parametrize(
    "query, kept",
    [
        ("làm căn cước như thế nào", ["lam", "can", "cuoc"]),
        ("thẻ bảo hiểm y tế ở đâu", ["the", "bao", "hiem", "y", "te"]),
        ("đăng ký đầu tư cần những gì", ["dang", "ky", "dau", "tu"]),
        ("mã số thuế cá nhân", ["ma", "so", "thue", "ca", "nhan"]),
        ("đóng cửa công ty", ["dong", "cua", "cong", "ty"]),
        ("bảo vệ môi trường thì làm sao", ["bao", "ve", "moi", "truong"]),
        ("thuốc lá", ["thuoc", "la"]),
        ("thi tuyển công chức", ["thi", "tuyen", "cong", "chuc"]),
        ("cấp thị thực", ["cap", "thi", "thuc"]),
        ("thành lập hội", ["thanh", "lap", "hoi"]),
        ("chứng minh thư", ["chung", "minh", "thu"]),
        ("đăng ký nhà ở xã hội", ["dang", "ky", "nha", "o", "xa", "hoi"]),
        ("có căn cứ", ["co", "can", "cu"]),
        ("chứng thực bản sao", ["chung", "thuc", "ban", "sao"]),
        ("trẻ em dưới 6 tuổi", ["tre", "em", "duoi", "6", "tuoi"]),
    ],
)
def test_words_that_fold_onto_a_frame_but_mean_something_stay(query, kept):
    assert words(query) == kept


@pytest.mark.parametrize(
    "query, kept",
    [
        ("làm giấy khai sinh cho con cần những gì", ["lam", "giay", "khai", "sinh"]),
        ("lam giay khai sinh cho con can nhung gi", ["lam", "giay", "khai", "sinh"]),
        ("đăng ký kết hôn cần giấy tờ gì", ["dang", "ky", "ket", "hon"]),
        ("mất căn cước công dân phải làm sao", ["mat", "can", "cuoc", "cong", "dan"]),
        ("làm hộ chiếu lần đầu mất bao lâu", ["lam", "ho", "chieu", "lan", "dau"]),
        (
            "bằng lái xe hết hạn thì đổi ở đâu",
            ["bang", "lai", "xe", "het", "han", "doi"],
        ),
        ("tôi muốn xin giấy phép xây dựng", ["giay", "phep", "xay", "dung"]),
        ("cho em hỏi đăng ký tạm trú được không", ["dang", "ky", "tam", "tru"]),
        ("làm thế nào để đăng ký kinh doanh", ["dang", "ky", "kinh", "doanh"]),
        ("đăng ký khai sinh mất bao nhiêu tiền", ["dang", "ky", "khai", "sinh"]),
    ],
)
def test_questions_keep_what_they_ask_about(query, kept):
    assert words(query) == kept


def test_a_query_of_frames_only_is_kept_whole():
    assert words("như thế nào") == ["nhu", "the", "nao"]


def test_longest_frame_wins_and_sections_are_checked():
    frames = parse_query_frames(
        "[any spelling]\nthế nào\nnhư thế nào\n[as typed]\nthì\n"
    )
    assert frames.any_spelling["nhu"] == (("nhu", "the", "nao"),)
    assert frames.as_typed == {"thì": (("thì",),)}
    with pytest.raises(ValueError):
        parse_query_frames("thì\n")
    with pytest.raises(ValueError):
        parse_query_frames("[somewhere]\nthì\n")
    assert parse_query_frames("[english]\nhow to\n").english == {
        "how": (("how", "to"),)
    }


@pytest.mark.parametrize(
    "n, minimum", [(1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (6, 3), (7, 4), (11, 6)]
)
def test_minimum_should_match_tolerates_a_missing_word(n, minimum):
    assert minimum_should_match(n) == minimum


def test_adjacent_words_are_paired_once():
    assert bigrams(["can", "cuoc", "can", "cuoc"]) == [
        ("can", "cuoc"),
        ("cuoc", "can"),
    ]
    assert analyze_query("cấp lại thẻ căn cước").bigram_phrasings()[0] == [
        ("cap", "lai"),
        ("lai", "the"),
        ("the", "can"),
        ("can", "cuoc"),
    ]


def test_a_run_of_three_query_words_is_enough_in_the_name_from_five_words():
    question = analyze_query(
        "không có tiền thuê luật sư thì xin trợ giúp pháp lý thế nào"
    )
    assert question.folded == "co tien thue luat su tro giup phap ly".split()
    runs = question.name_runs()
    assert ("tro", "giup", "phap") in runs and ("giup", "phap", "ly") in runs
    assert len(runs) == 7
    # up to four words the minimum is three or fewer: a run adds nothing
    assert analyze_query("đăng ký tạm trú").name_runs() == []
    # five words: four must match, so three in a row are fewer
    assert analyze_query("cấp lại thẻ căn cước").name_runs()


def test_the_runs_a_whole_name_may_equal_come_from_the_query_and_its_readings():
    table = SynonymTable(rules=[parse_synonym_line("bằng lái => giấy phép lái xe")])
    parts = analyze_query("đổi bằng lái hết hạn", table).name_parts()
    assert "doi giay phep lai xe" in parts  # the reading holds Đổi giấy phép lái xe
    assert "bang lai" in parts  # the typed words' runs too
    assert "doi bang lai het han" not in parts  # the whole query is name_full's


@pytest.mark.parametrize(
    "typed, read",
    [
        ("dangw", "dang"),
        ("kys", "ky"),
        ("luowng", "luong"),
        ("huwu", "huu"),
        ("thuongf", "thuong"),
        ("dduowng", "duong"),
        ("permits", "permit"),
    ],
)
def test_telex_leftovers_are_read_as_the_syllable(typed, read):
    assert telex_reading(typed) == read


@pytest.mark.parametrize("word", ["dang", "can", "the", "khoong", "business", "w", "s"])
def test_words_without_telex_leftovers_are_left_alone(word):
    assert telex_reading(word) is None


def test_a_telex_query_is_also_searched_as_read():
    analyzed = analyze_query("dangw kys tam tru")
    assert ("dang", "ky", "tam", "tru") in analyzed.variants


@pytest.mark.parametrize(
    "query, kept",
    [
        ("ubnd quận chứng thực bản sao", ["chung", "thuc", "ban", "sao"]),
        ("sở lđtbxh trợ cấp thất nghiệp", ["tro", "cap", "that", "nghiep"]),
        ("bhxh huyen rut bhxh 1 lan", ["rut", "bhxh", "1", "lan"]),
        ("sở kế hoạch và đầu tư", ["so", "ke", "hoach", "dau", "tu"]),  # nothing else
        (
            "sở tư pháp cấp lý lịch tư pháp",
            ["so", "tu", "phap", "cap", "ly", "lich", "tu", "phap"],
        ),
    ],
)
def test_an_old_agency_name_says_where_not_what(query, kept):
    assert words(query) == kept


def test_an_old_agency_name_still_reads_its_synonyms():
    assert ("so", "noi", "vu") in analyze_query(
        "sở lđtbxh trợ cấp thất nghiệp"
    ).expansions


def test_every_old_agency_name_comes_from_the_vocabulary_section():
    names = old_agency_names()
    assert ("ubnd", "quan") in names and ("so", "ldtbxh") in names
    assert ("so", "tu", "phap") not in names  # a department still called so
