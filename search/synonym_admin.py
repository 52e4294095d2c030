"""The admin's synonym list also shows the versioned file's rules, read-only, and how to override one."""

from wagtail.snippets.views.snippets import IndexView

from search.analysis import (
    RESOURCES,
    file_synonyms,
    folded_tokens,
    parse_synonym_line,
)


def file_rule_lines() -> list[str]:
    """The rules of search/resources/synonyms.txt as written (comments dropped)."""
    text = (RESOURCES / "synonyms.txt").read_text(encoding="utf-8")
    return [
        line.split("#", 1)[0].strip()
        for line in text.splitlines()
        if line.split("#", 1)[0].strip()
    ]


def file_rule_starting(text: str) -> str | None:
    """The file's rule whose first phrase is `text` (folded): the one a rule starting with
    `text` would replace when saved (search.engines.base._load_synonyms)."""
    phrase = tuple(folded_tokens(text))
    if not phrase:
        return None
    for line in file_rule_lines():
        rule = parse_synonym_line(line)
        if rule and rule.sources[0] == phrase:
            return line
    return None


class SynonymIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["file_rules"] = file_rule_lines()
        context["file_version"] = file_synonyms().version
        return context
