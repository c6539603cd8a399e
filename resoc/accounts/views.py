from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from resoc.accounts.forms import UserCreateForm
from resoc.accounts.models import User
from resoc.accounts.services import UserError, user_add


def _require_user_admin(user):
    if not user.has_perm("accounts.manage_users"):
        raise PermissionDenied


@login_required
def user_list(request):
    _require_user_admin(request.user)
    users = User.objects.prefetch_related("countries", "institutions").order_by("username")
    return render(request, "accounts/user_list.html", {"users": users})


@login_required
def user_create(request):
    _require_user_admin(request.user)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_add(
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                password=form.cleaned_data["password"],
                actor=request.user,
                **form.scope(),
            )
        except UserError as exc:
            form.add_error("username", str(exc))
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})
