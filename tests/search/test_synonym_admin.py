"""Administrators' synonym rules next to the file's: applied at once on both engines, able to
replace or switch off a file rule, and the admin list shows the file's rules read-only."""

from django.conf import settings

from search.analysis import file_synonyms
from search.engines.elasticsearch import ElasticsearchEngine
from search.models import Synonym
from search.queries import SearchQuery
from tests.search.es_recorder import Cluster, recording_client

LIST = "/admin/snippets/search/synonym/"


def codes(engine, text):
    return [hit.code for hit in engine.search(SearchQuery(text=text)).hits]


def test_an_admin_rule_replaces_or_switches_off_the_file_rule_it_starts_like(
    engine, indexed
):
    # the file's rule "sổ đỏ, sổ hồng, giấy chứng nhận quyền sử dụng đất, ..."
    assert codes(engine, "so do")[0] == "1.000020"
    rule = Synonym.objects.create(terms="sổ đỏ, sổ hồng", active=False)
    assert "1.000020" not in codes(engine, "so do")  # its name never says "sổ đỏ"
    rule.terms = "sổ đỏ => đăng ký biến động"
    rule.active = True
    rule.save()
    assert codes(engine, "so do")[0] == "1.000021"
    assert "1.000020" not in codes(engine, "so do")
    rule.delete()
    assert codes(engine, "so do")[0] == "1.000020"
    # the other file rules keep applying while one is replaced
    Synonym.objects.create(terms="sổ đỏ, sổ hồng", active=False)
    assert codes(engine, "cccd")[0] == "1.000010"


def _search_text(cluster) -> str:
    request = [r for r in cluster.requests if r.path.endswith("/_search")][-1]
    cluster.requests.clear()
    return str(request.body)


def test_admin_rules_reach_the_elasticsearch_engine_at_once(db):
    cluster = Cluster()
    es = ElasticsearchEngine(
        url="http://es.invalid:9200",
        index_name=settings.SEARCH_INDEX_NAME,
        timeout=settings.ELASTICSEARCH_TIMEOUT,
        client=recording_client(cluster),
    )
    es.search(SearchQuery(text="mua xe"))
    assert "lan dau" not in _search_text(cluster)
    rule = Synonym.objects.create(terms="mua xe => đăng ký xe lần đầu")
    es.search(SearchQuery(text="mua xe"))
    assert "lan dau" in _search_text(cluster)
    rule.active = False
    rule.save()
    es.search(SearchQuery(text="mua xe"))
    assert "lan dau" not in _search_text(cluster)
    # and a switched-off file rule is gone from its requests too
    es.search(SearchQuery(text="so do"))
    assert "quyen su dung dat" in _search_text(cluster)
    Synonym.objects.create(terms="sổ đỏ, sổ hồng", active=False)
    es.search(SearchQuery(text="so do"))
    assert "quyen su dung dat" not in _search_text(cluster)


def test_the_admin_list_shows_the_file_rules_read_only(admin_client):
    Synonym.objects.create(terms="mua xe => đăng ký xe lần đầu")
    response = admin_client.get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    count = len(file_synonyms().rules)
    assert f"{count} quy tắc trong tệp search/resources/synonyms.txt" in text
    assert "<code>cccd, căn cước công dân, thẻ căn cước, căn cước</code>" in text
    assert "mua xe =&gt; đăng ký xe lần đầu" in text  # the admin's own rule, editable
    assert "cùng cụm từ đầu tiên" in text
