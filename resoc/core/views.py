from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from resoc.core.selectors import home_counts


@login_required
def home(request):
    return render(request, "core/home.html", {"counts": home_counts(user=request.user)})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
