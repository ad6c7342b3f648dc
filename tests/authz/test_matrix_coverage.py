"""Every URL of the project has rows in the authorization matrix, so a new page cannot skip it.

Every URL pattern (src/tuijin/urls.py and each app's urls.py) must be reached by a row of some
tests/authz/test_matrix*.py table; for the REST API, every operation — path and method — must; and a
page whose view takes a POST must have a Change row (a POST tried in and out of scope). A pattern
that rightly has no row is named in EXEMPT with the reason. The check needs no database: it only
resolves each row's URL.
"""

import importlib
import inspect
import pathlib
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from .matrix import every_row

EXEMPT = {
    # The login form and logout carry no business data; throttling and the TOTP step are tested in
    # tests/core/test_login.py (the TOTP pages themselves have rows in test_matrix.py).
    "login/": "the login page",
    "logout/": "logging out",
    # The API's description, not its data: the schema and its browsable page, and django-ninja's root.
    "api/v1/openapi.json": "OpenAPI schema",
    "api/v1/docs": "OpenAPI docs page",
    "api/v1/": "django-ninja's API root",
}
# Static files are served by whitenoise outside the URLconf; /media/ is never served (evidence goes
# through the scope-checked download views, which have rows).

HERE = pathlib.Path(__file__).parent
MODULES = sorted(p.stem for p in HERE.glob("test_matrix*.py") if p.stem != pathlib.Path(__file__).stem)


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _api_operations(route, pattern: URLPattern):
    """(route, METHOD) of every operation a django-ninja path serves (its PathView is in the view's closure)."""
    cells = getattr(pattern.callback, "__closure__", None) or ()
    views = [c.cell_contents for c in cells if hasattr(c.cell_contents, "operations")]
    return {(route, method) for view in views for op in view.operations for method in op.methods}


def project_urls():
    pages, api = set(), set()
    for route, pattern in _patterns():
        if route in EXEMPT:
            continue
        if route.startswith("api/"):
            api |= _api_operations(route, pattern)
        else:
            pages.add(route)
    return pages, api


def matrix_rows():
    rows = []
    for name in MODULES:
        module = importlib.import_module(f"tests.authz.{name}")
        rows += [(name, *row) for row in every_row(module)]
    return rows


def covered():
    pages, api = set(), set()
    for _module, _name, method, url in matrix_rows():
        route = resolve(urlsplit(url).path).route
        if route.startswith("api/"):
            api.add((route, method.upper()))
        else:
            pages.add(route)
    return pages, api


def accepts_post(callback) -> bool:
    """Whether a page's view handles a POST, as far as its own code shows (a class-based view with a
    post(), or a function that reads request.POST, request.method or is require_POST)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return False
    return any(word in source for word in ("request.POST", "request.method", "require_POST"))


def post_routes():
    return {
        route
        for route, pattern in _patterns()
        if route not in EXEMPT and not route.startswith("api/") and accepts_post(pattern.callback)
    }


def posted():
    return {resolve(urlsplit(url).path).route for _module, _name, method, url in matrix_rows() if method == "post"}


def test_the_matrix_modules_are_found():
    assert {
        "test_matrix",
        "test_matrix_rectification",
        "test_matrix_study",
        "test_matrix_research",
        "test_matrix_evaluation",
        "test_matrix_public",
        "test_matrix_admin",
        "test_matrix_imports",
    } <= set(MODULES)


@pytest.mark.parametrize(
    "module, name, method, url", [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in matrix_rows()]
)
def test_every_row_names_a_url_of_the_project(module, name, method, url):
    assert resolve(urlsplit(url).path).route not in EXEMPT


def test_every_page_of_the_project_has_rows_in_the_matrix():
    pages, _api = project_urls()
    rows, _ = covered()
    assert sorted(pages - rows) == [], "pages without a row in tests/authz/test_matrix*.py"


def test_every_page_that_takes_a_post_has_a_change_row():
    """A form or a button that writes is tried in and out of scope, not only looked at."""
    found = post_routes()
    assert "problems/item/<int:pk>/<slug:name>/" in found, "the detection of views that take a POST is broken"
    assert sorted(found - posted()) == [], "pages that take a POST without a Change row"


def test_every_api_operation_has_rows_in_the_matrix():
    _pages, api = project_urls()
    _, rows = covered()
    assert api, "django-ninja's operations were not found: has its PathView moved?"
    assert sorted(api - rows) == [], "API operations without a row in tests/authz/test_matrix*.py"


def test_the_exemptions_are_still_urls_of_the_project():
    routes = {route for route, _pattern in _patterns()}
    assert set(EXEMPT) <= routes
