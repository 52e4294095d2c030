"""Synonyms, best bets and facet labels are kept per process between queries; every change
an administrator makes must still show in the next search, and others' within TUNING_TTL."""

import time

from django.core.cache import cache

from catalog.models import DepartmentPage
from search.engines import base as engine_base
from search.models import BestBet, Synonym
from search.queries import SearchQuery


def search(engine, text, **kwargs):
    return engine.search(SearchQuery(text=text, **kwargs))


def codes(result):
    return [hit.code for hit in result.hits]


def test_synonym_edit_and_delete_apply_at_once(engine, indexed):
    assert "1.000031" not in codes(search(engine, "mua xe"))
    rule = Synonym.objects.create(terms="mua xe => đăng ký xe lần đầu")
    assert codes(search(engine, "mua xe"))[0] == "1.000031"
    rule.active = False
    rule.save()
    assert "1.000031" not in codes(search(engine, "mua xe"))
    rule.active = True
    rule.save()
    assert codes(search(engine, "mua xe"))[0] == "1.000031"
    rule.delete()
    assert "1.000031" not in codes(search(engine, "mua xe"))


def test_best_bet_unpinned_and_procedure_unpublished_apply_at_once(engine, indexed):
    bet = BestBet.objects.create(query="lam giay to", procedure=indexed["1.000010"])
    assert search(engine, "lam giay to").hits[0].pinned
    bet.active = False
    bet.save()
    assert not any(hit.pinned for hit in search(engine, "lam giay to").hits)
    bet.active = True
    bet.save()
    assert search(engine, "lam giay to").hits[0].code == "1.000010"
    bet.delete()
    assert not any(hit.pinned for hit in search(engine, "lam giay to").hits)


def test_department_renamed_shows_in_facet_labels_at_once(engine, indexed):
    def label(result):
        return {b.value: b.label for b in result.facets["department"]}["CATP"]

    assert label(search(engine, "dang ky")) == "Công an Thành phố"
    department = DepartmentPage.objects.get(code="CATP")
    department.title = "Công an Thành phố Hồ Chí Minh"
    department.save()
    assert label(search(engine, "dang ky")) == "Công an Thành phố Hồ Chí Minh"


def test_change_without_a_signal_shows_after_the_ttl(engine, indexed, monkeypatch):
    """Another process's save reaches this one when the stamp expires (or the cache clears)."""
    monkeypatch.setattr(engine_base, "TUNING_TTL", 1)
    cache.clear()
    assert "1.000031" not in codes(search(engine, "mua xe"))
    # bulk_create sends no post_save: this process hears nothing, as if another one saved
    Synonym.objects.bulk_create([Synonym(terms="mua xe => đăng ký xe lần đầu")])
    assert "1.000031" not in codes(search(engine, "mua xe"))  # the kept copy
    time.sleep(1.2)
    assert codes(search(engine, "mua xe"))[0] == "1.000031"
    Synonym.objects.all().delete()  # a queryset delete sends post_delete: at once
    assert "1.000031" not in codes(search(engine, "mua xe"))
    Synonym.objects.bulk_create([Synonym(terms="mua xe => đăng ký xe lần đầu")])
    cache.clear()
    assert codes(search(engine, "mua xe"))[0] == "1.000031"
