"""Org tree, people and search pages. Every read goes through visible_to(); out of scope is 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from tuijin.core import readcache
from tuijin.core.pages import page_query
from tuijin.core.scope import in_business_scope, scope_paths, subtree_q

from . import queries
from .models import Org, Person


def _visible_org(user, code) -> Org:
    return get_object_or_404(Org.objects.visible_to(user), code=code)


@login_required
def tree_root(request):
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    if len(roots) == 1:
        return redirect("orgs:detail", code=roots[0].code)
    if not roots:
        raise Http404("没有可查看的组织")
    rows = [(o, queries.subtree_counts(o)) for o in roots]
    return render(request, "orgs/roots.html", {"rows": rows})


@login_required
def org_detail(request, code):
    org = _visible_org(request.user, code)
    # The body is kept until the next recorded change (core/readcache.py); the scope check above is not.
    body = readcache.page_body(request, "org")
    if body.hit:
        return render(request, "orgs/detail.html", {"org": org, "readcache": body})
    # A member sees its own org but not the orgs below it.
    visible_children = Org.objects.visible_to(request.user).filter(parent=org, active=True)
    children = queries.children_with_counts(org, visible_children)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "readcache": body,
            "counts": queries.subtree_counts(org),
            "children": children,
            "breadcrumb": queries.visible_ancestors(request.user, org),
            "direct_people": org.people.filter(active=True).count(),
            # The unit's records (problems, study, research, projects, dashboard, scorecard) are one click away
            # for whoever sees its work; a member sees its own org but not those pages.
            "records": in_business_scope(request.user, org),
        },
    )


@login_required
def org_people(request, code):
    org = _visible_org(request.user, code)
    subtree = request.GET.get("subtree") == "1"
    people = Person.objects.visible_to(request.user).filter(active=True).select_related("org")
    people = people.filter(subtree_q("org__path", org.path)) if subtree else people.filter(org=org)
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(name__contains=q) | people.filter(number__iexact=q)
    page = Paginator(people.order_by("org__path", "number"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/people.html",
        {
            "org": org,
            "page": page,
            "q": q,
            "subtree": subtree,
            "query": page_query(request),
            "breadcrumb": queries.visible_ancestors(request.user, org),
        },
    )


@login_required
def person_detail(request, number):
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("org"), number=number)
    return render(request, "orgs/person.html", {"person": person})


@login_required
def search(request):
    q = request.GET.get("q", "").strip()
    orgs = people = None
    if q:
        orgs = queries.search_orgs(request.user, q)[:50]
        people = queries.search_people(request.user, q)[:50]
    return render(request, "orgs/search.html", {"q": q, "orgs": orgs, "people": people})
