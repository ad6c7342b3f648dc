"""Self-study reflections (学习心得) as a text source for the copied-materials check (core.texts)."""

from django.db.models import Q

from tuijin.core.scope import subtree_q
from tuijin.core.texts import TextSource, register


def _rows(paths):
    from .models import SelfStudy

    qs = SelfStudy.objects.filter(withdrawn=False).exclude(reflection="")
    if paths is not None:
        q = Q(pk__in=[])
        for path in paths:
            q |= subtree_q("person__org__path", path)
        qs = qs.filter(q)
    return qs.values_list("pk", "person__org_id", "date", "reflection").iterator(chunk_size=5000)


def _texts(ids):
    from .models import SelfStudy

    return {
        pk: (org, date, text)
        for pk, org, date, text in SelfStudy.objects.filter(pk__in=ids).values_list(
            "pk", "person__org_id", "date", "reflection"
        )
    }


register(TextSource("self_study", "学习心得", _rows, _texts))
