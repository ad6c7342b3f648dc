"""Security headers on every response: a strict Content-Security-Policy and a Permissions-Policy.

The policy allows scripts and styles only from our own origin: no inline <script>, no inline event
handlers, no eval, no <style> blocks or style="" attributes. Pages keep their behaviour in static
files (tuijin/site.js, tuijin/dashboard.js) and pass data to them with `json_script` or data-*
attributes. Scripts may still set styles through the DOM (element.style.width = …), which CSP does
not restrict; that is how ECharts and our progress bars size things.
"""
from django.conf import settings

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",  # Bootstrap's form controls draw their arrows from data: SVGs
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Nothing in the product uses these browser features; a page that asks for them is not ours.
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "serial", "bluetooth", "hid", "idle-detection",
    "publickey-credentials-get", "screen-wake-lock", "xr-spatial-tracking", "browsing-topics",
))


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "TUIJIN_CSP", CSP)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        return response
