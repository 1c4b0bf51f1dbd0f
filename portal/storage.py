"""The ``STORAGES["platform"]`` entry, from the environment: an S3 bucket (django-storages) when
``PORTAL_S3_BUCKET`` is set, else a folder under ``PORTAL_VAR_DIR`` (the quick start). Tests build the
same entry for their S3 server with :func:`s3_entry`."""

FILESYSTEM = {"BACKEND": "apps.core.storage.PlatformFileSystemStorage"}


def s3_entry(
    *,
    bucket: str,
    endpoint_url: str = "",
    access_key_id: str = "",
    secret_access_key: str = "",
    region: str = "",
    prefix: str = "",
) -> dict:
    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        # Keys are unique by construction: a save under a key already there is refused
        # (apps.core.storage), never an overwrite.
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": False,
        "signature_version": "s3v4",
    }
    if endpoint_url:  # an S3-compatible server (SeaweedFS, MinIO, Ceph): bucket in the path
        options |= {"endpoint_url": endpoint_url, "addressing_style": "path"}
    if access_key_id:  # else boto3's usual chain: environment, instance profile, web identity
        options |= {"access_key": access_key_id, "secret_key": secret_access_key}
    if region:
        options["region_name"] = region
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def platform_entry(env) -> dict:
    bucket = env.str("PORTAL_S3_BUCKET", default="")
    if not bucket:
        return FILESYSTEM
    return s3_entry(
        bucket=bucket,
        endpoint_url=env.str("PORTAL_S3_ENDPOINT_URL", default=""),
        access_key_id=env.str("PORTAL_S3_ACCESS_KEY_ID", default=""),
        secret_access_key=env.str("PORTAL_S3_SECRET_ACCESS_KEY", default=""),
        region=env.str("PORTAL_S3_REGION", default=""),
        prefix=env.str("PORTAL_S3_PREFIX", default=""),
    )
