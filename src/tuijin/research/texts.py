"""Research reports (调研成果) as a text source for the copied-materials check (core.texts)."""

from django.db.models import Q
from django.urls import reverse

from tuijin.core.scope import subtree_q
from tuijin.core.texts import TextSource, register


def _rows(paths):
    from .models import ResearchVisit

    qs = ResearchVisit.objects.exclude(outcome="")
    if paths is not None:
        q = Q(pk__in=[])
        for path in paths:
            q |= subtree_q("org__path", path)
        qs = qs.filter(q)
    return qs.values_list("pk", "org_id", "date", "outcome").iterator(chunk_size=5000)


def _texts(ids):
    from .models import ResearchVisit

    return {
        pk: (org, d, t)
        for pk, org, d, t in ResearchVisit.objects.filter(pk__in=ids).values_list("pk", "org_id", "date", "outcome")
    }


register(TextSource("research", "调研成果", _rows, _texts, lambda pk: reverse("research:visit", args=[pk])))
