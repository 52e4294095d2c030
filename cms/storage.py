"""Where uploaded files (form templates, Wagtail documents) live: the host's disk or object storage.

One host keeps them under MEDIA_ROOT. Several hosts share one bucket through django-storages'
S3 backend (any S3-API server: AWS S3, MinIO, Ceph RGW, a cloud's object store), chosen with
MEDIA_STORAGE=s3. Credentials stay in boto3's own environment variables (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY) or the host's instance role; they are never copied into settings.
"""

from cms.config import ConfigError, env, env_bool

MEDIA_STORAGES = ("local", "s3")
LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def media_storage() -> dict:
    """STORAGES["default"] from MEDIA_STORAGE (local by default) and the AWS_* variables."""
    kind = env("MEDIA_STORAGE", "local")
    if kind not in MEDIA_STORAGES:
        raise ConfigError(
            f"MEDIA_STORAGE={kind!r}: choose one of {', '.join(MEDIA_STORAGES)}."
        )
    if kind == "local":
        return dict(LOCAL)
    bucket = env("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ConfigError(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the bucket for form files)."
        )
    endpoint = env("AWS_S3_ENDPOINT_URL")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"AWS_S3_ENDPOINT_URL={endpoint!r} is not an http(s) URL.")
    custom_domain = env("AWS_S3_CUSTOM_DOMAIN")
    if custom_domain and "/" in custom_domain.removesuffix("/"):
        raise ConfigError(
            f"AWS_S3_CUSTOM_DOMAIN={custom_domain!r}: give a host name (cdn.example.vn), "
            "not a URL."
        )
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": env("AWS_S3_REGION_NAME"),
        "custom_domain": custom_domain.removesuffix("/") if custom_domain else None,
        # a prefix inside the bucket, so one bucket can hold several installations
        "location": env("AWS_LOCATION", ""),
        # Published forms are public, but the bucket need not be: without a CDN domain in front,
        # links are signed for an hour (the file is served through the documents view anyway).
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", not custom_domain),
        "querystring_expire": 3600,
        # like the disk: a second upload of "to-khai.pdf" gets a new name, never replaces the first
        "file_overwrite": False,
        "addressing_style": env("AWS_S3_ADDRESSING_STYLE"),
    }
    # No default_acl: the bucket's policy decides who reads (many S3 servers refuse object ACLs).
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in options.items() if value is not None},
    }
