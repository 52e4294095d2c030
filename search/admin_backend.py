"""Wagtail's admin search, folded the project's way (WAGTAILSEARCH_BACKENDS["default"]).

Every admin search box (page search, explorer and procedure listing, page and snippet
choosers, snippet listings, documents) goes through the configured Wagtail backend. This one
is Wagtail's own database backend (FTS5 on SQLite, tsvector on PostgreSQL) with one change on
each side, so that `dang ky khai sinh` finds *Đăng ký khai sinh* on both databases:

- indexing: every text value is stored as its folded tokens (`search.analysis.folded_tokens`:
  NFC, lowercase, marks stripped, đ -> d), and every searchable field is also written to the
  autocomplete column, so the admin's prefix search sees codes and summaries, not only titles;
- querying: the query is folded the same way before the database sees it.

Filtering is left to the database: the admin's querysets (permission scopes, choosers) are
applied as SQL, never translated into FilterFields, so no scope can be refused or dropped.
See docs/adr/003-admin-search.md.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.utils.encoding import force_str

from wagtail.search import index
from wagtail.search.query import (
    MATCH_ALL,
    And,
    Boost,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    PlainText,
    SearchQuery,
)

from search.analysis import folded_tokens

# A query longer than this many words is cut: nobody types more, and FTS5 and tsquery
# expressions grow with every word.
MAX_QUERY_WORDS = 24


def fold_text(value) -> str:
    """Indexed and queried text alike: folded tokens joined by spaces (`1.000080` -> `1 000080`)."""
    return " ".join(folded_tokens(force_str(value)))


def fold_value(value):
    """A field's value, folded; lists and dicts keep their shape (the backend joins them)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [fold_value(item) for item in value]
    if isinstance(value, dict):
        return {key: fold_value(item) for key, item in value.items()}
    return fold_text(value)


# ---------------------------------------------------------------- indexing side


class _FoldedValue:
    def get_value(self, obj):
        return fold_value(super().get_value(obj))


class FoldedSearchField(_FoldedValue, index.SearchField):
    pass


class FoldedAutocompleteField(_FoldedValue, index.AutocompleteField):
    pass


def admin_search_fields(fields) -> list:
    """The model's search fields, folded, each text field also feeding autocomplete."""
    result = []
    autocomplete_names = set()
    for field in fields:
        if isinstance(field, index.RelatedFields):
            result.append(
                index.RelatedFields(field.field_name, admin_search_fields(field.fields))
            )
        elif isinstance(field, index.SearchField):
            result.append(
                FoldedSearchField(field.field_name, boost=field.boost, **field.kwargs)
            )
            if field.field_name not in autocomplete_names:
                autocomplete_names.add(field.field_name)
                result.append(FoldedAutocompleteField(field.field_name))
        elif isinstance(field, index.AutocompleteField):
            if field.field_name not in autocomplete_names:
                autocomplete_names.add(field.field_name)
                result.append(FoldedAutocompleteField(field.field_name, **field.kwargs))
        else:
            result.append(field)
    return result


class FoldingIndexMixin:
    """The vendor index, fed folded values: each object answers with the folded field list.

    The vendor's indexer reads `obj.get_search_fields()`; shadowing it on the instance for
    the duration of one call is the only seam the database backends offer.
    """

    def add_items(self, model, objs):
        objs = list(objs)
        fields = admin_search_fields(model.get_search_fields())
        for obj in objs:
            obj.get_search_fields = lambda fields=fields: fields
        try:
            return super().add_items(model, objs)
        finally:
            for obj in objs:
                obj.__dict__.pop("get_search_fields", None)


# ---------------------------------------------------------------- query side


def _words(text: str) -> str:
    return " ".join(folded_tokens(text)[:MAX_QUERY_WORDS])


def fold_query(query):
    """The query with every text folded; None when no word is left to search for."""
    if isinstance(query, str):
        return _words(query) or None
    if isinstance(query, MatchAll) or query is None:
        return query
    if isinstance(query, PlainText):
        words = _words(query.query_string)
        if not words:
            return None
        return PlainText(words, operator=query.operator, boost=query.boost)
    if isinstance(query, Phrase):
        words = _words(query.query_string)
        return Phrase(words) if words else None
    if isinstance(query, Fuzzy):
        words = _words(query.query_string)
        if not words:
            return None
        return Fuzzy(words, operator=query.operator, unaccent=query.unaccent)
    if isinstance(query, (And, Or)):
        parts = [part for part in map(fold_query, query.subqueries) if part is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else type(query)(parts)
    if isinstance(query, Not):
        inner = fold_query(query.subquery)
        return Not(inner) if inner is not None else None
    if isinstance(query, Boost):
        inner = fold_query(query.subquery)
        return Boost(inner, query.boost) if inner is not None else None
    if isinstance(query, SearchQuery):
        raise NotImplementedError(f"{type(query).__name__} is not folded")
    return query


class ScopeInSqlCompilerMixin:
    """The database backends filter with the queryset's own SQL; there is nothing to check.

    Wagtail's check() insists that every filter be a declared FilterField (for
    Elasticsearch's sake): `pk__in=<allowed>` or a Cast in a permission scope would be a 500.
    `fields` is dropped by the backend (below), so only the query itself is left to check.
    """

    def check(self):
        return None


def _queryset(model_or_queryset):
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


class FoldingBackendMixin:
    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        query = fold_query(query)
        if query is None:
            # No word to search for ("!!!"): no match, as a result set the views can still
            # ask for its model (EmptySearchResults has none, and ListView needs one).
            query = MATCH_ALL
            model_or_queryset = _queryset(model_or_queryset).none()
        # Restricting to named fields would compare the folded query with the raw model
        # columns on PostgreSQL; the index holds exactly the model's search fields anyway.
        kwargs["fields"] = None
        return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)


def _sqlite_backend():
    from modelsearch.backends.database.sqlite import sqlite

    class FoldingSQLiteIndex(FoldingIndexMixin, sqlite.SQLiteIndex):
        pass

    class SearchCompiler(ScopeInSqlCompilerMixin, sqlite.SQLiteSearchQueryCompiler):
        pass

    class AutocompleteCompiler(
        ScopeInSqlCompilerMixin, sqlite.SQLiteAutocompleteQueryCompiler
    ):
        pass

    class FoldingSQLiteSearchBackend(FoldingBackendMixin, sqlite.SQLiteSearchBackend):
        index_class = FoldingSQLiteIndex
        query_compiler_class = SearchCompiler
        autocomplete_query_compiler_class = AutocompleteCompiler

    return FoldingSQLiteSearchBackend


def _postgres_backend():
    from modelsearch.backends.database.postgres import postgres

    class FoldingPostgresIndex(FoldingIndexMixin, postgres.PostgresIndex):
        pass

    class SearchCompiler(ScopeInSqlCompilerMixin, postgres.PostgresSearchQueryCompiler):
        pass

    class AutocompleteCompiler(
        ScopeInSqlCompilerMixin, postgres.PostgresAutocompleteQueryCompiler
    ):
        pass

    class FoldingPostgresSearchBackend(
        FoldingBackendMixin, postgres.PostgresSearchBackend
    ):
        index_class = FoldingPostgresIndex
        query_compiler_class = SearchCompiler
        autocomplete_query_compiler_class = AutocompleteCompiler

        def __init__(self, params):
            # 'simple': the text is already folded; 'english' would stem it and drop
            # folded syllables that are English stop words ("to", "so", "do", "an").
            params = {"SEARCH_CONFIG": "simple", **params}
            super().__init__(params)

    return FoldingPostgresSearchBackend


_BACKEND_CLASSES: dict[str, type] = {}


def _fts_ready() -> bool:
    from modelsearch.backends.database.sqlite.utils import (
        fts5_available,
        fts_table_exists,
    )

    return fts5_available() and fts_table_exists()


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks up in a backend module)
    """The folding backend for the default database's vendor."""
    vendor = connection.vendor
    if vendor not in _BACKEND_CLASSES:
        if vendor == "postgresql":
            _BACKEND_CLASSES[vendor] = _postgres_backend()
        elif vendor == "sqlite":
            if not _fts_ready():
                # Before the first migration (the index tables do not exist yet) Wagtail's
                # plain fallback serves; it is not remembered, so the next call retries.
                from modelsearch.backends.database.fallback import (
                    DatabaseSearchBackend,
                )

                return DatabaseSearchBackend(params)
            _BACKEND_CLASSES[vendor] = _sqlite_backend()
        else:
            raise ImproperlyConfigured(
                f"search.admin_backend supports PostgreSQL and SQLite, not {vendor}."
            )
    return _BACKEND_CLASSES[vendor](params)
