"""Request handling the whole site shares."""


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
