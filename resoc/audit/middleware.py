import uuid

from resoc.audit import context


def client_ip(request) -> str | None:
    # Behind the reverse proxy (see README: Deployment) REMOTE_ADDR is set by the proxy.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:32] or uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(ip=client_ip(request), request_id=request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
