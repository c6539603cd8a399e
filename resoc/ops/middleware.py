import ipaddress
import logging
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from resoc.audit import context

logger = logging.getLogger("resoc.access")

# Load balancers ask these every few seconds: their lines only at debug level.
PROBES = ("/healthz", "/readyz")


class AccessLogMiddleware:
    """One line per request: method, path (never the query string), status, duration, user id.

    Sits inside RequestContextMiddleware, so the line carries the request id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        level = logging.DEBUG if request.path in PROBES else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "request_id": context.current().request_id,
            },
        )
        return response


class TrustedProxyMiddleware:
    """Behind the reverse proxy, the client's address is the one the proxy puts in
    X-Forwarded-For; REMOTE_ADDR is the proxy's. Only a proxy listed in RESOC_TRUSTED_PROXIES
    (addresses or networks) is believed, and only for the address it added last.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        try:
            self.proxies = [
                ipaddress.ip_network(p, strict=False) for p in settings.RESOC_TRUSTED_PROXIES
            ]
        except ValueError as exc:
            raise ImproperlyConfigured(f"RESOC_TRUSTED_PROXIES: {exc}") from None

    def __call__(self, request):
        if self.proxies and self._from_proxy(request.META.get("REMOTE_ADDR", "")):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
            client = context.valid_ip(forwarded)
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

    def _from_proxy(self, address: str) -> bool:
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.proxies)
