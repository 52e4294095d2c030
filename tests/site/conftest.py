from django.core.cache import cache

import pytest

from tests.site.data import build_catalog, index_catalog


@pytest.fixture
def catalog(db, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    return build_catalog()


@pytest.fixture
def indexed_catalog(catalog):
    """The catalog in the real embedded search index, as `search_index rebuild` leaves it."""
    index_catalog()
    return catalog


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cache their rendered bodies; every test starts from nothing."""
    from cms.templatetags.portal import public_cache

    cache.clear()
    public_cache().clear()
    yield
    cache.clear()
    public_cache().clear()
