"""Admin listings of small tables outside Wagtail's index, searched with the project's folding.

Public holidays are a few dozen rows a year and are not `index.Indexed`; Wagtail would match
them with `icontains`, which misses `quoc khanh` for *Quốc khánh*. Here every query word must
start a word of one of the view's `search_fields`, both folded (catalog.text.fold, the fold
search.analysis and the admin search backend build on).
"""

import re

from wagtail.snippets.views import snippets as snippet_views

from catalog.text import fold

_WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 24


def folded_words(text: str) -> list[str]:
    return _WORD.findall(fold(text or ""))


def matches_folded(words: list[str], text: str) -> bool:
    """Every query word is the start of some word of `text` (the admin's prefix search)."""
    tokens = folded_words(text)
    return all(any(token.startswith(word) for token in tokens) for word in words)


class FoldedSearchIndexView(snippet_views.IndexView):
    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        words = folded_words(self.search_query)[:MAX_QUERY_WORDS]
        if not words:
            return queryset.none()
        fields = list(self.search_fields or [])
        matching = [
            row[0]
            for row in queryset.values_list("pk", *fields)
            if matches_folded(words, " ".join(str(value or "") for value in row[1:]))
        ]
        return queryset.filter(pk__in=matching)
