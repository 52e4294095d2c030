"""The WSGI app the throughput benchmark serves: the project's, with the Wagtail API peer's fields declared."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

application = get_wsgi_application()

from bench.wagtail_peer import declare_api_fields  # noqa: E402

declare_api_fields()
