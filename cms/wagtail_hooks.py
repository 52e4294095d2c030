"""Site-wide Wagtail hooks for the public site."""

from django.core.cache import cache
from django.db.models import F

from wagtail import hooks

from catalog.models import ProcedurePage

# Views are counted in the cache and written to the database once per this many, so a busy
# procedure page costs one UPDATE per 20 views instead of one per view.
VIEW_FLUSH_EVERY = 20


@hooks.register("before_serve_page")
def count_procedure_view(page, request, serve_args, serve_kwargs):
    """Feed ProcedurePage.view_count, which orders the home page's most-used list."""
    if request.method != "GET" or not isinstance(page, ProcedurePage):
        return None
    key = f"procedure-views:{page.pk}"
    cache.add(key, 0, timeout=None)
    try:
        views = cache.incr(key)
    except ValueError:  # evicted between add and incr: this view is lost, no harm done
        return None
    if views % VIEW_FLUSH_EVERY == 0:
        ProcedurePage.objects.filter(pk=page.pk).update(
            view_count=F("view_count") + VIEW_FLUSH_EVERY
        )
    return None
