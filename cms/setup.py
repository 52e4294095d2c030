"""The base every site needs (locale, root page and collection, home page, default site), idempotently.

Migrations create it once; a database flush (tests that commit, `manage.py flush`) removes it and
emits post_migrate, which calls `ensure_base_tree` so the site never runs without a home page.
"""

from django.conf import settings
from django.db import transaction

HOME_TITLE = "Cổng dịch vụ công TP. Hồ Chí Minh"


@transaction.atomic
def ensure_base_tree() -> None:
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Collection, Locale, Page, Site

    from cms.models import HomePage

    ContentType.objects.clear_cache()  # a flush re-numbers content types

    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=HOME_TITLE, slug="trang-chu")
        root.add_child(instance=home)
        home.save_revision().publish()
    if not Site.objects.exists():
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=HOME_TITLE,
        )


def ensure_base_tree_after_migrate(sender, **kwargs) -> None:
    ensure_base_tree()
