"""Uploads on S3-compatible object storage (django-storages) when it is configured, so that several
web replicas share one store instead of a local media/ directory.

    STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@bucket?endpoint_url=https://s3.example.vn&region_name=hn

or django-storages' own AWS_STORAGE_BUCKET_NAME (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME). Objects are private: downloads go through the app's
permission-checked views, which stream them (never a public or pre-signed link)."""

from urllib.parse import parse_qsl, unquote, urlsplit

BACKEND = "storages.backends.s3.S3Storage"
AWS_SETTINGS = {
    "AWS_STORAGE_BUCKET_NAME": "bucket_name",
    "AWS_ACCESS_KEY_ID": "access_key",
    "AWS_SECRET_ACCESS_KEY": "secret_key",
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
}
PRIVATE = {"default_acl": None, "file_overwrite": False, "querystring_auth": True}


def storage_from_url(url: str) -> dict:
    """The STORAGES["default"] entry a STORAGE_URL describes."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError("STORAGE_URL must look like s3://key:secret@bucket?endpoint_url=…")
    options = {"bucket_name": parts.hostname, **PRIVATE}
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    options.update(dict(parse_qsl(parts.query)))
    return {"BACKEND": BACKEND, "OPTIONS": options}


def default_storage_from_env(env) -> dict | None:
    """STORAGES["default"] from STORAGE_URL or AWS_*, or None (the local file system)."""
    url = env("STORAGE_URL", default="")
    if url:
        return storage_from_url(url)
    if env("AWS_STORAGE_BUCKET_NAME", default=""):
        options = {key: env(name) for name, key in AWS_SETTINGS.items() if env(name, default="")}
        return {"BACKEND": BACKEND, "OPTIONS": {**options, **PRIVATE}}
    return None
