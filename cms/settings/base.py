"""Settings shared by every environment; each value an operator may change comes from the environment."""

import zoneinfo
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

from cms.config import (
    database_from_url,
    env,
    env_int,
    env_list,
    redis_url,
    search_engine,
    search_host_id,
)
from cms.storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "cms",
    "catalog",
    "search",
    "api",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "catalog.users_app.CatalogUsersAppConfig",  # wagtail.users, role groups left to the roles screen
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.contrib.sitemaps",
    "wagtail.locales",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "guardian",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "api.fast.ProcedureDetailFastPath",  # first: a stored detail or its 304, nothing else run
    "cms.http_cache.PageConditionalMiddleware",  # public pages: ETag, and a 304 from the cache
    "cms.http_cache.CacheHeadersMiddleware",  # public for anonymous reads, private otherwise
    "api.middleware.ApiErrorMiddleware",  # outermost: every error under /api/ as JSON
    "cms.outage.DatabaseOutageMiddleware",  # database unavailable: 503 + Retry-After, logged once
    "cms.middleware.ControlCharacterPathMiddleware",  # a NUL in the path: 404 before any lookup
    "django.middleware.security.SecurityMiddleware",
    "cms.security_headers.PermissionsPolicyMiddleware",
    "cms.security_headers.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "catalog.middleware.DeniedWriteAuditMiddleware",
    "catalog.admin_guard.AdminGuardMiddleware",  # after the audit: its refusals are kept
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lockout into a 429
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": database_from_url(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    )
}
# A page change and the catalog event it records commit together, or not at all.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# DATABASE_REPLICA_URL (optional): a PostgreSQL streaming replica that serves anonymous public
# reads (API, pages, search); writes, the admin and editors stay on the primary (cms/replica.py).
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(
        env("DATABASE_REPLICA_URL"), name="DATABASE_REPLICA_URL"
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cms.replica.ReplicaRouter"]
    MIDDLEWARE.insert(  # inside the outage handler: its 503 is how a failing replica shows
        MIDDLEWARE.index("cms.outage.DatabaseOutageMiddleware") + 1,
        "cms.replica.ReplicaReadMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before any check
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous users hold no object permissions

# Login throttling (django-axes, cms/login_lockout.py): AXES_FAILURE_LIMIT wrong passwords for one
# username from one client address lock that pair for AXES_COOLOFF_MINUTES; attempts while locked
# are refused unchecked and do not extend it; a successful login clears the count.
# Unlock early: manage.py axes_reset_username <username> (docs/operations.md).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = (
    "cms.login_lockout.lockout_client_ip"  # API_TRUSTED_PROXIES applies
)
AXES_LOCKOUT_CALLABLE = "cms.login_lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # Django's admin site is not routed here

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
# dd/mm/yyyy in and out in every language; must accept WAGTAIL_DATE_FORMAT below (cms/formats)
FORMAT_MODULE_PATH = ["cms.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# The time zones an admin user may choose (Tài khoản): the system's region/city names, without
# the file aliases a browser cannot read ("localtime" broke the account page's script: an
# independent check), the legacy "posix/", "right/" copies and "Etc/" offsets.
WAGTAIL_USER_TIME_ZONES = sorted(
    zone
    for zone in zoneinfo.available_timezones()
    if "/" in zone and not zone.startswith(("posix/", "right/", "Etc/", "SystemV/"))
) + ["UTC"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "templates" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files on this host's disk, or in a shared bucket with MEDIA_STORAGE=s3 (cms/storage.py)
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every uploaded file's name is shortened to fit the file system (catalog/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "catalog.uploads.ShortNameMemoryFileUploadHandler",
    "catalog.uploads.ShortNameTemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# Security headers (cms/security_headers.py). Public pages: nothing inline runs or styles unless it
# carries the request's nonce (no 'unsafe-inline'). The Wagtail admin needs inline scripts and styles,
# so it gets its own policy, chosen by path.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
ADMIN_CSP_PATH_PREFIXES = ["/admin/"]
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, "'unsafe-inline'"],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],  # the editor's live preview frames admin pages
    }
}
# Features the catalog never uses are off for every page and any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The province or city whose catalog this is. A SPECIFIC procedure that another province's
# people's committee announced (its decision_authority) is not this city's: search puts it after
# the others and its page says whose it is (catalog.text.another_provinces).
CATALOG_PROVINCE = env("CATALOG_PROVINCE", "Thành phố Hồ Chí Minh")

# Wagtail
WAGTAIL_SITE_NAME = env("PORTAL_NAME", "Cổng dịch vụ công TP. Hồ Chí Minh")
WAGTAILADMIN_BASE_URL = env("BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# ASCII URLs: /co-quan/so-tu-phap/dang-ky-khai-sinh/
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# No autosave: in a moderated catalog a silent revision restarts a review the moderator only
# opened and leaves abandoned edits as drafts (docs/adr/005-no-autosave.md). Wagtail still warns
# before leaving a page with unsaved changes.
WAGTAIL_AUTOSAVE_INTERVAL = 0
# The admin calls no outside host (its Content-Security-Policy would block it anyway): no upgrade
# check against Wagtail's release server, no Gravatar avatars.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Avatars are not fetched from an outside service: a government network may be offline, and a
# user's e-mail hash should not leave it. Wagtail shows its own default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_USER_LOGIN_FORM = "catalog.user_forms.LoginForm"
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "odt",
    "xls",
    "xlsx",
    "ods",
    "rtf",
    "txt",
    "zip",
]
# Admin search folds Vietnamese like the public search (docs/adr/003-admin-search.md).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.admin_backend"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
# Untouched rich text is saved back exactly as stored (catalog.rich_text.SourceKeepingRichTextArea).
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "catalog.rich_text.SourceKeepingRichTextArea"}
}

# Background tasks: run at once in process unless a worker backend is configured.
TASKS = {
    "default": {
        "BACKEND": env(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Search
SEARCH_ENGINE, ELASTICSEARCH_URL = search_engine()
SEARCH_INDEX_NAME = env("SEARCH_INDEX_NAME", "procedures")
SEARCH_INDEX_DIR = Path(env("SEARCH_INDEX_DIR", str(VAR_DIR / "search")))
# Each host's embedded index reads the event log with its own cursor (search/indexing.py); set a
# different SEARCH_HOST_ID on every host that serves search from its own index.
SEARCH_HOST_ID = search_host_id()
ELASTICSEARCH_TIMEOUT = float(env("ELASTICSEARCH_TIMEOUT", "2"))

# Open data: the bulk download files (api/opendata.py), rebuilt when the catalog changed.
OPEN_DATA_DIR = Path(env("OPEN_DATA_DIR", str(VAR_DIR / "opendata")))
OPEN_DATA_LICENSE = env(
    "OPEN_DATA_LICENSE", "https://creativecommons.org/licenses/by/4.0/"
)

# API
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HCMC procedure catalog API",
    "DESCRIPTION": "Read the administrative procedure catalog of Ho Chi Minh City and keep a copy in sync.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cms.schema.nullable_references",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
API_ANON_RATE = env("API_ANON_RATE", "120/min")
# /api/v1/search/suggest/ counts apart: the search box asks once per pause in typing.
API_SUGGEST_RATE = env("API_SUGGEST_RATE", "600/min")
API_DEFAULT_KEY_RATE = env("API_DEFAULT_KEY_RATE", "6000/min")
API_TRUSTED_PROXIES = env_int("API_TRUSTED_PROXIES", 0)
# A sequence number missing from the change feed this long is taken as rolled back.
API_CHANGES_GAP_SECONDS = env_int("API_CHANGES_GAP_SECONDS", 3600)

# REDIS_URL (optional): one Redis shared by every worker and host backs both caches, so the API
# throttle quota (api/throttling.py), page-view counts and rendered pages are shared. Unset, each
# process keeps its own local-memory caches and quotas are per process (docs/operations.md).
REDIS_URL = redis_url(env("REDIS_URL"))
# Rendered procedure pages (cms/templatetags/portal.py), ~4 KB each compressed. Keys carry the live
# revision and the shared-data version read per request, so a per-process cache is correct; a
# shared one lets every worker reuse a page rendered once.
if REDIS_URL:
    _REDIS = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that stops answering costs a request one second, not a hung worker.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {
        "default": {**_REDIS, "KEY_PREFIX": "catalog"},
        "pages": {**_REDIS, "KEY_PREFIX": "pages"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

# Procedure page views are counted in the cache and added to the database once per this many
# seconds for all pages together (catalog/services/page_views.py).
PAGE_VIEW_FLUSH_SECONDS = env_int("PAGE_VIEW_FLUSH_SECONDS", 60)

# HTTP caching (cms/http_cache.py): anonymous GETs are `public, max-age, stale-while-revalidate`
# for a CDN or nginx; FRONTEND_CACHE_PURGE_URL (optional) is where publishing sends PURGE requests.
PUBLIC_CACHE_MAX_AGE = env_int("PUBLIC_CACHE_MAX_AGE", 60)
PUBLIC_CACHE_STALE_SECONDS = env_int("PUBLIC_CACHE_STALE_SECONDS", 300)
PUBLIC_CACHE_EXCLUDED_PREFIXES = [
    "/admin/",
    "/api/v1/changes/",
    "/api/v2/",
    "/documents/",
    "/i18n/",
    "/healthz",
]

FRONTEND_CACHE_PURGE_URL = env("FRONTEND_CACHE_PURGE_URL")  # e.g. http://127.0.0.1:6081
WAGTAILFRONTENDCACHE = (
    {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
        }
    }
    if FRONTEND_CACHE_PURGE_URL
    else {}
)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)

SHARED_DATA_DIR = Path(env("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
