"""Static files compressed on the way out (issue 11: ECharts is 1 MB uncompressed).

In production WhiteNoise serves the pre-compressed, hashed files that collectstatic wrote
(CompressedManifestStaticFilesStorage) and caches them for ever. Without collectstatic (the demo,
development, tests) WhiteNoise serves straight from the finders: this middleware, placed above it,
gzips those responses — and only those: pages with CSRF tokens are never compressed (BREACH)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class StaticGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not request.path.startswith(settings.STATIC_URL):
            return response
        return super().process_response(request, response)
