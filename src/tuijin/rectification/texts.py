"""Problem descriptions and measures as text sources for the copied-materials check (core.texts)."""

from django.db.models import Q
from django.urls import reverse

from tuijin.core.scope import subtree_q
from tuijin.core.texts import TextSource, register


def _in(paths, field):
    q = Q(pk__in=[]) if paths is not None else Q()
    for path in paths or ():
        q |= subtree_q(field, path)
    return q


def _problems(paths):
    from .models import Problem

    return (
        Problem.objects.filter(_in(paths, "org__path"), withdrawn=False)
        .values_list("pk", "org_id", "found_on", "description")
        .iterator(chunk_size=5000)
    )


def _problem_texts(ids):
    from .models import Problem

    return {
        pk: (org, d, t)
        for pk, org, d, t in Problem.objects.filter(pk__in=ids).values_list("pk", "org_id", "found_on", "description")
    }


def _measures(paths):
    from .models import Measure

    return (
        Measure.objects.filter(_in(paths, "problem__org__path"), problem__withdrawn=False)
        .values_list("pk", "problem__org_id", "problem__found_on", "text")
        .iterator(chunk_size=5000)
    )


def _measure_texts(ids):
    from .models import Measure

    return {
        pk: (org, d, t)
        for pk, org, d, t in Measure.objects.filter(pk__in=ids).values_list(
            "pk", "problem__org_id", "problem__found_on", "text"
        )
    }


def _measure_url(pk):
    from .models import Measure

    problem_id = Measure.objects.filter(pk=pk).values_list("problem_id", flat=True).first()
    return reverse("rectification:detail", args=[problem_id]) if problem_id else None


register(
    TextSource("problem", "问题描述", _problems, _problem_texts, lambda pk: reverse("rectification:detail", args=[pk]))
)
register(TextSource("measure", "整改措施", _measures, _measure_texts, _measure_url))
