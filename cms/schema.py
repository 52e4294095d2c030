"""drf-spectacular hooks."""


def only_public_api(endpoints):
    """Describe only the catalog API; Wagtail's internal admin API is not a public contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
