from resoc.audit import context


class RequestContextMiddleware:
    """Sets the client's address and a request id for the audit entries written by the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = context.for_request(request)
        token = context.set_current(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response
