from allauth.mfa.models import Authenticator
from django.http import JsonResponse
from django.shortcuts import redirect

# Pages a user who must set up a second factor may still reach.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/readyz", "/verify/")


class RequireSecondFactorMiddleware:
    """Roles that see personal data must have TOTP active before they see anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.sees_personal_data
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not self._has_totp(request, user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "A second factor is required for this account."}, status=403
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _has_totp(request, user) -> bool:
        cached = getattr(request, "_resoc_has_totp", None)
        if cached is None:
            cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            request._resoc_has_totp = cached
        return cached
