"""Search tuning in the admin: the query report, synonyms and best bets, for catalog
administrators only.

Wagtail's default model permission policy applies: the menu and views appear only for
superusers and for users whose groups hold the search.*_synonym / *_bestbet permissions
(catalog administrators); department roles hold neither.
"""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from search.forms import BestBetForm
from search.models import BestBet, Synonym
from search.synonym_admin import SynonymIndexView
from search.tuning_views import SearchTuningViewSet


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    index_view_class = SynonymIndexView  # also lists the file's rules, read-only
    index_template_name = "search/admin/synonym_index.html"
    icon = "list-ul"
    menu_label = _("Từ đồng nghĩa")
    list_display = [
        "terms",
        BooleanColumn("active", label=_("Đang dùng")),
        "note",
        "updated_at",
    ]
    list_filter = ["active"]
    search_fields = ["terms", "note"]
    copy_view_enabled = False


class BestBetViewSet(SnippetViewSet):
    model = BestBet
    # the model's panels, with a form that refuses a draft procedure as the tuning screen does
    edit_handler = ObjectList(BestBet.panels, base_form_class=BestBetForm)
    icon = "pick"
    menu_label = _("Kết quả ghim")
    list_display = [
        "query",
        "procedure",
        "sort_order",
        BooleanColumn("active", label=_("Đang dùng")),
    ]
    list_filter = ["active"]
    search_fields = ["query"]
    copy_view_enabled = False


class SearchTuningGroup(SnippetViewSetGroup):
    # the query report first: it is where tuning starts, and it links to the other two
    items = (SearchTuningViewSet, SynonymViewSet, BestBetViewSet)
    menu_icon = "search"
    menu_label = _("Tìm kiếm")
    menu_name = "search-tuning"


register_snippet(SearchTuningGroup)
