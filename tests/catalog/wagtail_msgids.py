"""Wagtail's English interface strings, read from its own source catalogs (locale/en/*.po)."""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import wagtail

WAGTAIL_DIR = Path(wagtail.__file__).parent
# The Wagtail apps this project installs (cms/settings/base.py); the others never render.
INSTALLED = (
    "admin",
    "",  # wagtail core
    "users",
    "documents",
    "snippets",
    "images",
    "sites",
    "embeds",
    "search",
    "locales",
    "contrib/settings",
    "contrib/redirects",
    "contrib/forms",
)
_ENTRY_KEY = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")


@dataclass(frozen=True)
class Msg:
    context: str
    msgid: str
    plural: str
    domain: str
    source: str


def catalog_paths(domain: str = "django") -> list[Path]:
    paths = []
    for app in INSTALLED:
        path = WAGTAIL_DIR / app / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            paths.append(path)
    return paths


def parse_po(path: Path, domain: str = "django") -> list[Msg]:
    """A small .po reader: enough for Wagtail's generated catalogs (no obsolete entries)."""
    messages, entry, key = [], {}, None

    def flush():
        if entry.get("msgid"):
            messages.append(
                Msg(
                    entry.get("msgctxt", ""),
                    entry["msgid"],
                    entry.get("msgid_plural", ""),
                    domain,
                    str(path.relative_to(WAGTAIL_DIR)),
                )
            )
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            if not line and entry:
                flush()
            continue
        match = _ENTRY_KEY.match(line)
        if match:
            key = match.group(1)
            if key == "msgctxt" and "msgid" in entry:
                flush()
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
    flush()
    return messages


def wagtail_messages(domain: str = "django") -> list[Msg]:
    seen, result = set(), []
    for path in catalog_paths(domain):
        for msg in parse_po(path, domain):
            if (msg.context, msg.msgid) not in seen:
                seen.add((msg.context, msg.msgid))
                result.append(msg)
    return result
