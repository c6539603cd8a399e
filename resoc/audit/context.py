"""Who is acting and from where, for the audit trail, set per request by the middleware."""

import contextvars
import ipaddress
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""


NO_REQUEST = RequestContext()
_current = contextvars.ContextVar("resoc_request_context", default=NO_REQUEST)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def valid_ip(value) -> str | None:
    """The address, or None if it is not one (PostgreSQL's inet would refuse it)."""
    try:
        return str(ipaddress.ip_address(str(value or "").split("%", 1)[0]))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    # Behind the reverse proxy (see README: Deployment) REMOTE_ADDR is set by the proxy.
    return valid_ip(request.META.get("REMOTE_ADDR"))


def request_id(request) -> str:
    """The proxy's X-Request-ID if it is a plain token, else a fresh one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def for_request(request) -> RequestContext:
    return RequestContext(ip=client_ip(request), request_id=request_id(request))


@contextmanager
def from_request(request):
    """The request's context where the middleware set none (e.g. the test client's login)."""
    if request is None or current() != NO_REQUEST:
        yield
        return
    token = set_current(for_request(request))
    try:
        yield
    finally:
        reset(token)
