"""Request handling the whole site shares."""

from django.http import Http404


class VietnameseFirstMiddleware:
    """Public pages speak Vietnamese unless the visitor picks English with the language switch.

    Browsers in Vietnam often send an English Accept-Language; following it would show most
    citizens an English portal. The admin keeps each user's own preference.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def has_control_character(text: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


class ControlCharacterPathMiddleware:
    """No page, procedure or API resource has a control character in its address.

    A NUL reaching a lookup is an error on PostgreSQL ("string literal cannot contain NUL"), so
    such a path is answered 404 here, before any view queries with it; the API's JSON shape and
    the site's 404 page come from the handlers around it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_character(request.path_info):
            raise Http404("control character in the path")
        return self.get_response(request)
