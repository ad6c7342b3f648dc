"""The no-login mass-evaluation pages (群众评, SPEC §2.5): one published item, its rating form, its QR code.

An item is found only by its random token (never by id) and only while active. The page shows what
the item is about and what was done — never a person's name, phone or an internal id.
"""

import io
import secrets

import segno
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from tuijin.core.errors import ActionError
from tuijin.core.net import client_ip
from tuijin.rectification import actions
from tuijin.rectification.forms import RatingForm
from tuijin.rectification.models import PublicItem

DEVICE_COOKIE = "tj_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _item(token) -> PublicItem:
    return get_object_or_404(
        PublicItem.objects.select_related("problem", "problem__org", "subject_org", "project"), token=token, active=True
    )


@never_cache
def item_page(request, token):
    item = _item(token)
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    form, thanks, error = RatingForm(), False, ""
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                # No cookie means the browser did not keep the one set with the page: rate() refuses it,
                # so a client that drops cookies cannot vote again and again as a "new device".
                actions.rate(
                    item,
                    choice=form.cleaned_data["choice"],
                    comment=form.cleaned_data["comment"],
                    device=device,
                    ip=client_ip(request),
                )
                thanks, form = True, RatingForm()
                item.refresh_from_db(fields=["votes", "satisfied"])  # rate() counts with F() in the database
            except ActionError as exc:  # includes RateLimited
                error = exc.message
    problem = item.problem
    already = not thanks and not error and actions.has_rated(item, device)
    response = render(
        request,
        "public/item.html",
        {
            "item": item,
            "problem": problem,
            "measures": problem.measures.all() if problem else [],
            "project": getattr(item, "project", None),  # research.Project.publication, when a project is rated
            "form": form,
            "thanks": thanks,
            "error": error,
            "already": already,
        },
    )
    if not device:
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _qr(request, token):
    item = _item(token)
    return segno.make(request.build_absolute_uri(reverse("public:item", args=[item.token])), error="m")


def qr_png(request, token):
    buffer = io.BytesIO()
    _qr(request, token).save(buffer, kind="png", scale=10, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/png")


def qr_svg(request, token):
    buffer = io.BytesIO()
    _qr(request, token).save(buffer, kind="svg", scale=10, border=2, xmldecl=False)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
