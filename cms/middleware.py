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
        if request.path.startswith("/admin/"):
            return self.get_response(request)
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        response = self.get_response(request)
        # LocaleMiddleware adds `Vary: Accept-Language`, but the header was dropped above: a
        # shared cache keyed on it would keep one copy per browser language for the same page.
        if response.has_header("Vary"):
            kept = [
                value.strip()
                for value in response["Vary"].split(",")
                if value.strip() and value.strip().lower() != "accept-language"
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response


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
