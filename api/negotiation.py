"""Which representation of a procedure a client asked for: JSON (the default), CPSV-AP JSON-LD
or Turtle, by `?format=` or by the Accept header.

Accept is read with its q-values (DRF's own negotiation orders by specificity only, so
`application/json;q=0.5, text/turtle` would get JSON).

Errors stay JSON whatever was asked: the view negotiates here and lets DRF render with JSON.
"""

import re
from typing import NamedTuple

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable, ParseError

import orjson

from catalog.opendata import cpsv

FORMAT_NAME = re.compile(r"[A-Za-z0-9.+-]{0,40}")


class Representation(NamedTuple):
    name: str  # the `?format=` value
    media_type: str
    content_type: str


JSON = Representation("json", "application/json", "application/json")
JSONLD = Representation("jsonld", "application/ld+json", "application/ld+json")
TURTLE = Representation("ttl", "text/turtle", "text/turtle; charset=utf-8")
PROCEDURE_REPRESENTATIONS = (JSON, JSONLD, TURTLE)  # the first is the default


def accepted(header: str) -> list[tuple[float, int, int, str, str]]:
    """(q, specificity, position, type, subtype) of each range of an Accept header."""
    ranges = []
    for position, item in enumerate(header.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        kind, _slash, subtype = media.lower().partition("/")
        if not kind or not subtype:
            continue
        quality = 1.0
        for param in params:
            name, _eq, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        specific = (kind != "*") + (subtype != "*")
        ranges.append((quality, specific, position, kind, subtype))
    return ranges


def _quality(representation: Representation, ranges) -> tuple[float, int, int] | None:
    """How much the client wants `representation`: the q of the most specific range that
    matches it (RFC 9110 12.5.1, so `application/json;q=0, */*` refuses JSON), None if none."""
    offered_kind, offered_subtype = representation.media_type.split("/")
    matching = [
        (specific, -position, quality)
        for quality, specific, position, kind, subtype in ranges
        if kind in ("*", offered_kind) and subtype in ("*", offered_subtype)
    ]
    if not matching:
        return None
    specific, later, quality = max(matching)
    return (quality, specific, later) if quality > 0 else None


def negotiate(request, choices=PROCEDURE_REPRESENTATIONS) -> Representation:
    """`?format=` wins over Accept; neither matching a choice is a 406."""
    wanted = request.query_params.get("format")
    if wanted is not None and not FORMAT_NAME.fullmatch(wanted):
        # Not a format name at all (control characters, bytes that were not UTF-8, ...): a bad
        # request, like any other unreadable parameter; a name not offered is a 406 below.
        raise ParseError(
            _("format phải là tên định dạng bằng chữ ASCII: %(valid)s.")
            % {"valid": ", ".join(choice.name for choice in choices)}
        )
    if wanted is not None:
        for representation in choices:
            if representation.name == wanted:
                return representation
        raise NotAcceptable(
            _("Định dạng không được hỗ trợ: %(format)s. Định dạng hợp lệ: %(valid)s.")
            % {
                "format": wanted[:40],
                "valid": ", ".join(choice.name for choice in choices),
            }
        )
    ranges = accepted(request.META.get("HTTP_ACCEPT", "").strip() or "*/*")
    # Highest q, then the more specific range, then the one named first; ties go to the
    # server's order (JSON first).
    best = None
    for order, representation in enumerate(choices):
        quality = _quality(representation, ranges)
        if quality is not None and (best is None or quality > best[0]):
            best = (quality, order, representation)
    if best is None:
        raise NotAcceptable(
            _("Không có biểu diễn phù hợp với Accept. Hỗ trợ: %(valid)s.")
            % {"valid": ", ".join(choice.media_type for choice in choices)}
        )
    return best[2]


def procedure_body(json_body: bytes, representation: Representation) -> bytes:
    """The served JSON of a procedure turned into `representation`."""
    if representation is JSON:
        return json_body
    document = cpsv.procedure_to_cpsv(orjson.loads(json_body))
    if representation is JSONLD:
        return orjson.dumps(document)
    return cpsv.to_turtle(document).encode()
