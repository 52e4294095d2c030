"""The moderator's revision comparison: every changed field, nested parts included, nothing else.

Wagtail's own comparison lists every child of a changed inline relation, renders a nested relation
(the fees of an execution method, the documents of a dossier case) as an empty cell, matches an
added child to a removed one by resemblance, and sees a step as changed when only the editor's
markup around the same text changed. Here children are matched by id, compared field by field
(recursing into their own children), and only what changed is shown, "old → new", with additions
and removals marked in words as well as in colour.

`ComparingTabbedInterface` hooks this into a page's edit handler: the compare view
(/admin/pages/<id>/revisions/compare/…, reached from the history, the edit page and the
moderator's "Compare with live version") asks the edit handler for its comparisons.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import Decimal

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from wagtail.admin import compare
from wagtail.admin.panels import TabbedInterface
from wagtail.fields import RichTextField

from bs4 import BeautifulSoup, NavigableString

# Longer texts are shown as one text with the changed words marked, not twice in full.
LONG_TEXT = 160
# Rich text markup that means the same thing whichever editor wrote it.
_SAME_TAG = {"strong": "b", "em": "i"}
# Attributes that carry meaning in stored rich text (links); the rest is editor bookkeeping
# such as Draftail's data-block-key, which changes on every save.
_MEANINGFUL_ATTRIBUTES = ("href", "linktype", "id")
_SPACES = re.compile(r"\s+")
_BLOCK_TAGS = ["p", "li", "ul", "ol", "h2", "h3", "h4", "h5", "h6", "div", "blockquote"]
# Fields that belong to one revision, not to the procedure: each edit starts them empty, so a
# draft without one changed nothing, and a draft with one shows it as what it brings.
REVISION_NOTE_FIELDS = {"catalog.ProcedurePage.change_note"}


def canonical_rich_text(html: str | None) -> str:
    """Rich text reduced to what a reader sees: tags and links, words, no editor bookkeeping."""
    soup = BeautifulSoup(unicodedata.normalize("NFC", html or ""), "html.parser")
    return _canonical_nodes(soup.contents).strip()


def _canonical_nodes(nodes) -> str:
    parts = []
    for node in nodes:
        if isinstance(node, NavigableString):
            parts.append(_SPACES.sub(" ", str(node)))
            continue
        name = _SAME_TAG.get(node.name, node.name)
        attributes = "".join(
            f' {key}="{node.attrs[key]}"'
            for key in _MEANINGFUL_ATTRIBUTES
            if key in node.attrs
        )
        inner = _canonical_nodes(node.contents).strip()
        if name == "p" and not inner:
            continue
        parts.append(f"<{name}{attributes}>{inner}</{name}>")
    return "".join(parts)


def rich_text_words(html: str | None) -> str:
    """The text of rich text, one space between paragraphs and list items (not around bold)."""
    soup = BeautifulSoup(html or "", "html.parser")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_after(" ")
    for line_break in soup.find_all("br"):
        line_break.replace_with(" ")
    return _SPACES.sub(" ", soup.get_text()).strip()


def plain_text(value) -> str:
    """Text as a reader compares it: NFC, one kind of line ending, no surrounding blanks."""
    text = unicodedata.normalize("NFC", str(value or ""))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _many_to_many(field) -> bool:
    return bool(field.is_relation and field.many_to_many)


def _foreign_key(field) -> bool:
    return bool(field.is_relation and (field.many_to_one or field.one_to_one))


class FieldDiff(compare.FieldComparison):
    """One field compared by meaning, shown "old → new" with Vietnamese values."""

    def __init__(self, field, obj_a, obj_b):
        self.field = field
        self.obj_a = obj_a
        self.obj_b = obj_b
        self.val_a = self._value(obj_a)
        self.val_b = self._value(obj_b)

    def _value(self, obj):
        if obj is None:
            return [] if _many_to_many(self.field) else None
        if self.field.name == "title" and hasattr(obj, "official_name"):
            # a procedure's title box edits the whole name: a change past the 255th
            # character is a change the moderator must see
            return obj.official_name
        value = self.field.value_from_object(obj)
        if _many_to_many(self.field):
            return list(value)
        return value

    @property
    def qualified_name(self) -> str:
        return f"{self.field.model._meta.label}.{self.field.name}"

    # equality

    def key(self, value):
        field = self.field
        if _many_to_many(field):
            return frozenset(item.pk for item in value)
        if isinstance(field, RichTextField):
            return canonical_rich_text(value)
        if isinstance(field, (models.CharField, models.TextField)):
            return plain_text(value)
        if value == "":
            return None
        return value

    def has_changed(self):
        new = self.key(self.val_b)
        if self.qualified_name in REVISION_NOTE_FIELDS and not new:
            return False
        return self.key(self.val_a) != new

    # display

    def field_label(self):
        label = getattr(self.field, "verbose_name", None) or self.field.name.replace(
            "_", " "
        )
        return capfirst(label)

    def display(self, value) -> str:
        """The value as the editor typed or picked it; "" when there is none."""
        field = self.field
        if _many_to_many(field):
            return ", ".join(self.item_display(item) for item in value)
        if value is None or value == "":
            return ""
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if _foreign_key(field):
            return self.related_display(value)
        if isinstance(field, RichTextField):
            return rich_text_words(value)
        if isinstance(value, bool):
            return _("Có") if value else _("Không")
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%d/%m/%Y %H:%M")
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, Decimal):
            return f"{value.normalize():f}".replace(".", ",")
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return plain_text(value)

    def item_display(self, item) -> str:
        return str(item)

    def related_display(self, pk) -> str:
        related = self.field.related_model._base_manager.filter(pk=pk).first()
        if related is None:
            return _("#%(id)s (không còn tồn tại)") % {"id": pk}
        return str(related)

    def _shown(self, obj, value) -> str:
        # A field that reads with a sibling (an amount with its fee's currency) says how.
        shown_with = getattr(self.field, "compare_display", None)
        if shown_with is not None and obj is not None:
            return shown_with(obj, value)
        return self.display(value)

    @cached_property
    def display_a(self) -> str:
        return self._shown(self.obj_a, self.val_a)

    @cached_property
    def display_b(self) -> str:
        return self._shown(self.obj_b, self.val_b)

    def value_html(self, side: str = "b"):
        """One side's value, for an added or removed part."""
        return escape(self.display_b if side == "b" else self.display_a)

    def htmldiff(self):
        if not self.has_changed():
            return escape(self.display_a)
        if _many_to_many(self.field):
            return self._items_html()
        old, new = self.display_a, self.display_b
        if old == new:
            # the same words: the markup (bold, a link) or the record behind the name changed
            note = (
                _("chỉ đổi định dạng")
                if isinstance(self.field, RichTextField)
                else _("đổi sang mục khác cùng tên")
            )
            return format_html("{} <em>({})</em>", old, note)
        if len(old) > LONG_TEXT or len(new) > LONG_TEXT:
            return compare.diff_text(old, new).to_html()
        return format_html(
            '<span class="deletion"><del>{}</del></span> → '
            '<span class="addition"><ins>{}</ins></span>',
            old or _("(trống)"),
            new or _("(trống)"),
        )

    def _items_html(self):
        keys_a = {item.pk for item in self.val_a}
        keys_b = {item.pk for item in self.val_b}
        added = [item for item in self.val_b if item.pk not in keys_a]
        removed = [item for item in self.val_a if item.pk not in keys_b]
        kept = [item for item in self.val_b if item.pk in keys_a]
        rows = []
        if added:
            rows.append(
                format_html(
                    "{}: {}",
                    _("Thêm"),
                    format_html_join(
                        ", ",
                        '<span class="addition"><ins>{}</ins></span>',
                        ((self.item_display(item),) for item in added),
                    ),
                )
            )
        if removed:
            rows.append(
                format_html(
                    "{}: {}",
                    _("Bỏ"),
                    format_html_join(
                        ", ",
                        '<span class="deletion"><del>{}</del></span>',
                        ((self.item_display(item),) for item in removed),
                    ),
                )
            )
        if kept:
            rows.append(
                format_html(
                    "{}: {}",
                    _("Giữ nguyên"),
                    ", ".join(self.item_display(item) for item in kept),
                )
            )
        return format_html_join("", "<div>{}</div>", ((row,) for row in rows))


def _children(obj, relation) -> list:
    if obj is None:
        return []
    return list(getattr(obj, relation.get_accessor_name()).all())


class PartsComparison:
    """The children of one inline relation (steps, methods, fees, cases, documents)."""

    # Rendered by Wagtail's compare template as one cell (htmldiff), so nesting stays ours.
    is_field = True
    is_child_relation = False

    def __init__(self, relation, field_comparisons, obj_a, obj_b, label=""):
        self.field = relation
        self.field_comparisons = field_comparisons
        self.label = label
        self.children_a = _children(obj_a, relation)
        self.children_b = _children(obj_b, relation)

    def field_label(self):
        return capfirst(self.label or self.field.get_accessor_name().replace("_", " "))

    def _part(self, obj_a, obj_b, position_a=None, position_b=None):
        return PartDiff(
            self.field.related_model,
            self.field_comparisons,
            obj_a,
            obj_b,
            position_a=position_a,
            position_b=position_b,
        )

    @cached_property
    def parts(self) -> list[PartDiff]:
        """Every child of either version, in the new order, removed ones where they were."""
        pairs, removed, added = self._match()
        moved = self._moved(pairs)
        parts = []
        for a_index, b_index in pairs:
            part = self._part(
                self.children_a[a_index],
                self.children_b[b_index],
                a_index + 1,
                b_index + 1,
            )
            part.moved = (a_index, b_index) in moved
            parts.append(((b_index, 0, 0), part))
        for b_index in added:
            parts.append(
                (
                    (b_index, 0, 0),
                    self._part(None, self.children_b[b_index], None, b_index + 1),
                )
            )
        b_of_a = dict(pairs)
        for a_index in removed:
            # after whatever used to come before it
            before = [b_of_a[i] for i in range(a_index) if i in b_of_a]
            anchor = max(before) if before else -1
            parts.append(
                (
                    (anchor, 1, a_index),
                    self._part(self.children_a[a_index], None, a_index + 1),
                )
            )
        parts.sort(key=lambda entry: entry[0])
        return [part for _, part in parts]

    def _match(self):
        """Pairs (a, b) of the same child, then the indexes removed from a and added in b.

        The same id is the same child. A child the editor added has no id yet: it pairs only
        with an unsaved child of the other version (two drafts) or, when it is the older side,
        with a child that got its id when that draft was published. A saved child never pairs
        with an unsaved one of the newer version: that is a removal and an addition, shown so.
        """
        a, b = self.children_a, self.children_b
        pairs = []
        free_a, free_b = set(range(len(a))), set(range(len(b)))
        b_by_pk = {child.pk: index for index, child in enumerate(b) if child.pk}
        for a_index, child in enumerate(a):
            if child.pk and child.pk in b_by_pk:
                pairs.append((a_index, b_by_pk[child.pk]))
                free_a.discard(a_index)
                free_b.discard(b_by_pk[child.pk])
        pks_a = {child.pk for child in a if child.pk}
        unsaved_a = [i for i in sorted(free_a) if not a[i].pk]
        candidates_b = [
            i for i in sorted(free_b) if not b[i].pk or b[i].pk not in pks_a
        ]
        scored = []
        for a_index in unsaved_a:
            for b_index in candidates_b:
                part = self._part(a[a_index], b[b_index])
                differences = part.number_of_differences()
                if differences < part.number_of_fields():
                    scored.append(
                        (differences, abs(a_index - b_index), a_index, b_index)
                    )
        for _differences, _distance, a_index, b_index in sorted(scored):
            if a_index in free_a and b_index in free_b:
                pairs.append((a_index, b_index))
                free_a.discard(a_index)
                free_b.discard(b_index)
        pairs.sort(key=lambda pair: pair[1])
        return pairs, sorted(free_a), sorted(free_b)

    @staticmethod
    def _order_key(child, index: int):
        """Where a child stands in its version; children of equal sort order have no order.

        Parts imported or created without a sort order (NULL) come back from the database in
        any order, so two of them changing places is not something the editor did.
        """
        if hasattr(child, "sort_order"):
            return -1 if child.sort_order is None else child.sort_order
        return index

    def _moved(self, pairs) -> set:
        """The pairs outside the longest run kept in the same relative order.

        Removing or adding a child shifts the others' positions; that alone is no move.
        """
        keyed = sorted(
            (
                self._order_key(self.children_b[b_index], b_index),
                self._order_key(self.children_a[a_index], a_index),
                (a_index, b_index),
            )
            for a_index, b_index in pairs
        )
        if not keyed:
            return set()
        # longest run whose old order never goes back, taken in the new order
        order = [key_a for _key_b, key_a, _pair in keyed]
        best = [1] * len(order)
        previous = [-1] * len(order)
        for i in range(len(order)):
            for j in range(i):
                if order[j] <= order[i] and best[j] + 1 > best[i]:
                    best[i], previous[i] = best[j] + 1, j
        i = max(range(len(order)), key=best.__getitem__)
        kept = set()
        while i != -1:
            kept.add(keyed[i][2])
            i = previous[i]
        return {pair for _key_b, _key_a, pair in keyed if pair not in kept}

    def changed_parts(self) -> list[PartDiff]:
        return [part for part in self.parts if part.has_changed()]

    def has_changed(self):
        return bool(self.changed_parts())

    def get_num_differences(self):
        return len(self.changed_parts())

    def htmldiff(self):
        return render_to_string(
            "catalog/admin/compare/parts.html",
            {"parts": self.changed_parts()},
        )

    def value_html(self, side: str = "b"):
        """All children of one side, for a part that was added or removed as a whole."""
        parts = [
            self._part(None, child, None, index + 1)
            if side == "b"
            else self._part(child, None, index + 1)
            for index, child in enumerate(
                self.children_b if side == "b" else self.children_a
            )
        ]
        return render_to_string("catalog/admin/compare/parts.html", {"parts": parts})


class PartDiff:
    """One child in both versions, or only in one (added, removed)."""

    def __init__(
        self, model, field_comparisons, obj_a, obj_b, position_a=None, position_b=None
    ):
        self.model = model
        self.field_comparisons = field_comparisons
        self.obj_a = obj_a
        self.obj_b = obj_b
        self.position_a = position_a
        self.position_b = position_b
        self.moved = False

    @cached_property
    def fields(self) -> list:
        return [
            comparison(self.obj_a, self.obj_b) for comparison in self.field_comparisons
        ]

    def is_addition(self) -> bool:
        return self.obj_a is None

    def is_deletion(self) -> bool:
        return self.obj_b is None

    @property
    def status(self) -> str:
        if self.is_addition():
            return "added"
        if self.is_deletion():
            return "removed"
        if any(field.has_changed() for field in self.fields):
            return "changed"
        return "moved" if self.moved else "unchanged"

    def has_changed(self) -> bool:
        return self.status != "unchanged"

    def number_of_fields(self) -> int:
        return len(self.fields)

    def number_of_differences(self) -> int:
        return sum(1 for field in self.fields if field.has_changed())

    # display

    @property
    def status_label(self) -> str:
        return {
            "added": _("Thêm mới"),
            "removed": _("Đã xóa"),
            "changed": _("Đã sửa"),
            "moved": _("Đổi thứ tự"),
            "unchanged": _("Không đổi"),
        }[self.status]

    @property
    def name(self) -> str:
        """e.g. "Phí, lệ phí 2"; its position in the version it belongs to."""
        position = self.position_a if self.is_deletion() else self.position_b
        name = capfirst(self.model._meta.verbose_name)
        return f"{name} {position}" if position else name

    @property
    def title(self) -> str:
        """What the child is called, so the moderator knows which one it is."""
        obj = self.obj_a if self.is_deletion() else self.obj_b
        if type(obj).__str__ is not models.Model.__str__:
            text = str(obj)
        else:
            side = "a" if self.is_deletion() else "b"
            values = [
                getattr(field, f"display_{side}")
                for field in self.fields
                if isinstance(field, FieldDiff)
            ]
            text = " · ".join(value for value in values[:2] if value)
        return Truncator(text).chars(100)

    @property
    def move(self) -> str:
        if not self.moved:
            return ""
        return _("Chuyển từ vị trí %(old)s sang vị trí %(new)s.") % {
            "old": self.position_a,
            "new": self.position_b,
        }

    def shown_fields(self) -> list[tuple[str, str]]:
        """(label, html) of what to show: the changes, or every value of an added/removed part."""
        if self.is_addition() or self.is_deletion():
            side = "b" if self.is_addition() else "a"
            shown = []
            for field in self.fields:
                html = field.value_html(side)
                if html and str(html).strip():
                    shown.append((field.field_label(), html))
            return shown
        return [
            (field.field_label(), field.htmldiff())
            for field in self.fields
            if field.has_changed()
        ]


def catalog_comparison(comparison):
    """Wagtail's comparison for a panel, swapped for ours; anything unknown is kept as it is."""
    if not isinstance(comparison, functools.partial):
        return comparison
    kind = comparison.func
    if kind is compare.ChildRelationComparison:
        relation, nested = comparison.args[:2]
        return functools.partial(
            PartsComparison,
            relation,
            [catalog_comparison(item) for item in nested],
            label=comparison.keywords.get("label", ""),
        )
    if isinstance(kind, type) and issubclass(kind, compare.FieldComparison):
        if not issubclass(kind, FieldDiff):
            return functools.partial(FieldDiff, *comparison.args)
    return comparison


class ComparingTabbedInterface(TabbedInterface):
    """A page's tabs whose revision comparison shows only real changes, nested parts included."""

    class BoundPanel(TabbedInterface.BoundPanel):
        def get_comparison(self):
            return [catalog_comparison(item) for item in super().get_comparison()]
