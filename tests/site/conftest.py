import pytest

from tests.site.data import build_catalog


@pytest.fixture
def catalog(db):
    return build_catalog()
