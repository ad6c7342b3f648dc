"""The authorization matrix for the public rating pages (群众评, SPEC §1 and §2.5).

No login: anyone with the link — every persona, and an anonymous visitor — sees a published item
that is still open for rating, and rates it once per device. An item whose rating was stopped, or a
token that names nothing, is 404 for everyone, and a rating posted to it writes nothing. The page
shows what the item is about and what was done, never a person's name or phone number (the nav
of a logged-in visitor shows only their own name).
"""

import html

import pytest

from tuijin.orgs.models import Person
from tuijin.public.views import DEVICE_COOKIE
from tuijin.rectification.models import Rating

from .matrix import OBJECTS, PERSONAS, Change, Endpoint, run_change, send, url_for

VISITORS = PERSONAS + ["anonymous"]
OPEN = {"tok-problem", "tok-project"}  # published and open for rating; tok-inactive was stopped

OBJECT_ENDPOINTS = [
    Endpoint("public_item", "/p/{}/", "token"),
    Endpoint("public_qr_png", "/p/{}/qr.png", "token"),
    Endpoint("public_qr_svg", "/p/{}/qr.svg", "token"),
]

CHANGES = [
    Change(
        "public_rate",
        "post",
        "/p/{}/",
        "token",
        lambda label: {"choice": "满意", "comment": "整改效果很好"},
        lambda label: Rating.objects.filter(item__token=label, comment="整改效果很好").exists(),
        labels=("tok-problem", "tok-inactive", "tok-unknown"),
    ),
]


def visitor(users, name):
    return None if name == "anonymous" else users[name]


@pytest.mark.parametrize(
    "name, endpoint, token",
    [
        pytest.param(name, e, token, id=f"{name}-{e.name}-{token}")
        for name in VISITORS
        for e in OBJECT_ENDPOINTS
        for token in OBJECTS["token"]
    ],
)
def test_a_published_item_is_open_to_everyone_and_anything_else_is_404(client, users, name, endpoint, token):
    response = send(client, visitor(users, name), url_for(endpoint, token))
    assert response.status_code == (200 if token in OPEN else 404)


@pytest.mark.parametrize(
    "name, token", [pytest.param(name, token, id=f"{name}-{token}") for name in VISITORS for token in sorted(OPEN)]
)
def test_the_public_page_names_nobody(client, users, name, token):
    user = visitor(users, name)
    text = html.unescape(send(client, user, f"/p/{token}/").content.decode())
    own = user.person.name if user is not None and user.person_id else None
    people = [p for p in Person.objects.all() if p.name != own]
    assert [p.name for p in people if p.name in text] == []
    assert [p.phone for p in people if p.phone and p.phone in text] == []


@pytest.mark.parametrize(
    "name, change, token",
    [
        pytest.param(name, c, token, id=f"{name}-{c.name}-{token}")
        for name in VISITORS
        for c in CHANGES
        for token in c.objects()
    ],
)
def test_a_rating_counts_on_an_open_item_and_writes_nothing_elsewhere(client, users, name, change, token):
    client.cookies[DEVICE_COOKIE] = f"device-of-{name}"
    response, before, after = run_change(client, visitor(users, name), name, change, token)
    if token in OPEN:
        assert response.status_code == 200
        assert change.applied(token)
    else:
        assert response.status_code == 404
        assert after == before
