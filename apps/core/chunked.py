"""Chunked request bodies (``Transfer-Encoding: chunked``) for Django, which reads a request body only
up to its ``Content-Length``: without this, a chunked upload reached the views empty ("No file was
submitted"). The body is spooled (to disk past ``FILE_UPLOAD_MAX_MEMORY_SIZE``) and handed on with
its length; past the upload limit the answer is a 413 at once, before Django sees the request."""

import json
import tempfile

from django.conf import settings

READ_BYTES = 1024 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # the form fields and boundaries around the file


def body_limit() -> int:
    return settings.PORTAL_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES


def too_large_body() -> bytes:
    limit = settings.PORTAL_MAX_UPLOAD_BYTES / 1024 / 1024
    return json.dumps({"detail": f"The upload is larger than the limit of {limit:g} MB."}).encode()


class _Closing:
    """The application's response, closing the spooled body once the server is done with it."""

    def __init__(self, response, spool):
        self.response, self.spool = response, spool

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.spool.close()


class ChunkedBodyMiddleware:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked or environ.get("CONTENT_LENGTH"):
            return self.app(environ, start_response)
        limit = body_limit()
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115 - closed with the response
        size = 0
        stream = environ["wsgi.input"]
        while chunk := stream.read(READ_BYTES):
            size += len(chunk)
            if size > limit:
                spool.close()
                body = too_large_body()
                start_response(
                    "413 Request Entity Too Large",
                    [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
                )
                return [body]
            spool.write(chunk)
        spool.seek(0)
        environ = environ | {"wsgi.input": spool, "CONTENT_LENGTH": str(size)}
        return _Closing(self.app(environ, start_response), spool)
