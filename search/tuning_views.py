"""The tuning screens (Tìm kiếm → Phân tích tìm kiếm): what citizens searched, one click to a
synonym or a best bet, its new top 5 shown before it is saved.

Catalog administrators only: the same permissions as the Synonym and BestBet screens
(search.add_synonym / search.add_bestbet); department roles hold neither and get 403.
"""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import AdminPageChooser

from catalog.models import ProcedurePage
from catalog.request_values import has_unreadable_characters
from search.analysis import parse_synonym_line
from search.forms import limit_to_pinnable
from search.models import BestBet, Synonym
from search.query_log import MAX_QUERY_LENGTH
from search.synonym_admin import file_rule_starting
from search.tuning import PERIODS, REPORTS, ROWS, ReportPlace, query_report, top_hits

SYNONYM_PERMISSION = "search.add_synonym"
BEST_BET_PERMISSION = "search.add_bestbet"
# the report's query string a proposal screen returns to (ReportPlace: never a URL)
BACK_PARAM = "back"


def may_tune(user) -> bool:
    return user.has_perm(SYNONYM_PERMISSION) or user.has_perm(BEST_BET_PERMISSION)


def _forbidden(request):
    """A plain 403 (Wagtail would turn PermissionDenied into a redirect to the dashboard)."""
    return render(request, "403.html", status=403)


def _query_param(request) -> str:
    text = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    return "" if has_unreadable_characters(text) else text


def _breadcrumbs(*items: tuple[str, str]) -> list[dict]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Trang chủ")},
        *({"url": url, "label": label} for url, label in items),
    ]


class TuningMenuItem(MenuItem):
    def is_shown(self, request):
        return may_tune(request.user)


class QueryReportView(WagtailAdminTemplateMixin, View):
    template_name = "search/admin/query_report.html"
    page_title = gettext_lazy("Phân tích tìm kiếm")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not may_tune(request.user):
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return _breadcrumbs(("", str(self.page_title)))

    def get(self, request):
        place = ReportPlace.from_params(request.GET)
        rows = query_report(
            report=place.report,
            days=place.days,
            limit=None,
            containing=place.containing,
        )
        page = Paginator(rows, ROWS).get_page(place.page)
        place = replace(place, page=page.number)  # a page past the last shows the last
        for row in page:
            row["now"] = top_hits(row["query"], limit=1).total
        return self.render_to_response(
            self.get_context_data(
                report=place.report,
                days=place.days,
                rows=page.object_list,
                page=page,
                containing=place.containing,
                # the row buttons carry it, so saving returns to this tab, period, filter, page
                back=place.query_string(),
                back_param=BACK_PARAM,
                reports=[
                    {"key": key, "label": label, "selected": key == place.report}
                    for key, label in REPORTS.items()
                ],
                periods=[{"days": n, "selected": n == place.days} for n in PERIODS],
                may_add_synonym=request.user.has_perm(SYNONYM_PERMISSION),
                may_add_best_bet=request.user.has_perm(BEST_BET_PERMISSION),
            )
        )


class SynonymProposalForm(forms.ModelForm):
    query = forms.CharField(
        label=gettext_lazy("Câu tìm kiếm để xem trước"), max_length=MAX_QUERY_LENGTH
    )

    field_order = ["query", "terms", "note"]

    class Meta:
        model = Synonym
        fields = ["terms", "note"]


class BestBetProposalForm(forms.ModelForm):
    class Meta:
        model = BestBet
        fields = ["query", "procedure"]
        widgets = {"procedure": AdminPageChooser(target_models=[ProcedurePage])}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to_pinnable(self.fields["procedure"])


class ProposalView(WagtailAdminTemplateMixin, View):
    """GET: the form pre-filled from ?q=. POST action=preview: today's and the proposed top 5
    side by side, nothing saved. POST action=save: the rule is saved and applies at once."""

    template_name = "search/admin/proposal.html"
    header_icon = "search"
    permission = ""
    form_class: type[forms.ModelForm]
    kind = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def report_url(self) -> str:
        """The report page the administrator came from (the form posts to its own URL, so a
        preview keeps `back` too); rebuilt from the validated place, never taken as given."""
        back = ReportPlace.from_query_string(self.request.GET.get(BACK_PARAM, ""))
        query = back.query_string()
        return reverse("search_tuning:index") + (f"?{query}" if query else "")

    def get_breadcrumbs_items(self):
        return _breadcrumbs(
            (self.report_url(), str(QueryReportView.page_title)),
            ("", str(self.page_title)),
        )

    def initial(self, text: str) -> dict:
        raise NotImplementedError

    def preview_text(self, form) -> str:
        raise NotImplementedError

    def proposed(self, form) -> dict:
        raise NotImplementedError

    def get(self, request):
        form = self.form_class(initial=self.initial(_query_param(request)))
        return self._render(form)

    def post(self, request):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self._render(form)
        if request.POST.get("action") == "save":
            saved = form.save()
            messages.success(request, self.saved_message(saved))
            return redirect(self.report_url())
        text = self.preview_text(form)
        return self._render(
            form,
            preview_query=text,
            before=top_hits(text),
            after=top_hits(text, **self.proposed(form)),
        )

    def notes(self, form) -> dict:
        return {}

    def _render(self, form, **context):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                kind=self.kind,
                back_url=self.report_url(),
                **self.notes(form),
                **context,
            )
        )


class SynonymProposalView(ProposalView):
    page_title = gettext_lazy("Thêm từ đồng nghĩa")
    permission = SYNONYM_PERMISSION
    form_class = SynonymProposalForm
    kind = "synonym"

    def initial(self, text):
        # the citizen's words first; the administrator adds the official term after the comma.
        # Words that already start a rule of the file start from that rule: a new rule with the
        # same first phrase replaces it, and would drop its terms.
        start = file_rule_starting(text) or text
        return {"query": text, "terms": f"{start}, " if start else ""}

    def notes(self, form):
        terms = form.data.get("terms") if form.is_bound else form.initial.get("terms")
        rule = parse_synonym_line(terms or "")
        line = rule and file_rule_starting(" ".join(rule.sources[0]))
        if not line:
            return {}
        return {"replaces": line}

    def preview_text(self, form):
        return form.cleaned_data["query"]

    def proposed(self, form):
        return {"synonym": form.cleaned_data["terms"]}

    def saved_message(self, saved):
        return _("Đã lưu từ đồng nghĩa “%(terms)s”; áp dụng ngay.") % {
            "terms": saved.terms
        }


class BestBetProposalView(ProposalView):
    page_title = gettext_lazy("Ghim kết quả")
    permission = BEST_BET_PERMISSION
    form_class = BestBetProposalForm
    kind = "best_bet"

    def initial(self, text):
        return {"query": text}

    def preview_text(self, form):
        return form.cleaned_data["query"]

    def proposed(self, form):
        return {"best_bet_page_id": form.cleaned_data["procedure"].pk}

    def saved_message(self, saved):
        return _("Đã ghim “%(procedure)s” cho “%(query)s”; áp dụng ngay.") % {
            "procedure": saved.procedure.title,
            "query": saved.query,
        }


class SearchTuningViewSet(ViewSet):
    """The tuning screens as one item of the "Tìm kiếm" menu group."""

    name = "search_tuning"
    url_prefix = "search-tuning"
    icon = "search"
    menu_label = gettext_lazy("Phân tích tìm kiếm")
    menu_name = "search-query-report"
    menu_item_class = TuningMenuItem

    def get_urlpatterns(self):
        return [
            path("", QueryReportView.as_view(), name="index"),
            path("synonym/", SynonymProposalView.as_view(), name="synonym"),
            path("best-bet/", BestBetProposalView.as_view(), name="best_bet"),
        ]
