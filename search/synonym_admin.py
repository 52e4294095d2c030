"""The admin's synonym list also shows the versioned file's rules, read-only, and how to override one."""

from wagtail.snippets.views.snippets import IndexView

from search.analysis import RESOURCES, file_synonyms


def file_rule_lines() -> list[str]:
    """The rules of search/resources/synonyms.txt as written (comments dropped)."""
    text = (RESOURCES / "synonyms.txt").read_text(encoding="utf-8")
    return [
        line.split("#", 1)[0].strip()
        for line in text.splitlines()
        if line.split("#", 1)[0].strip()
    ]


class SynonymIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["file_rules"] = file_rule_lines()
        context["file_version"] = file_synonyms().version
        return context
