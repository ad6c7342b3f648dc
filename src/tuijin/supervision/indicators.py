"""组织领导 indicators of supervision (SPEC §2.8): letters received, answered and overdue, interviews,
accountability records, sampling checks and those found 不属实 — each counted where the org is."""

from django.db.models import Count, Q

from tuijin.core.indicators import NEUTRAL, ZERO, Indicator, Pair, register

from .models import Accountability, Interview, LetterState, ReminderLetter, SampleCheck

SENT_STATES = [LetterState.SENT, LetterState.ANSWERED, LetterState.ACCEPTED]


def _count(qs, field="org_id"):
    return {row[field]: Pair(row["n"]) for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def _letters(orgs, as_of):
    return ReminderLetter.objects.filter(org__in=[o.pk for o in orgs], sent_on__lte=as_of).exclude(
        state=LetterState.WITHDRAWN
    )


def letters_received(orgs, as_of, campaign):
    return _count(_letters(orgs, as_of))


def letters_answered(orgs, as_of, campaign):
    return _count(_letters(orgs, as_of).filter(answered_on__lte=as_of))


def letters_overdue(orgs, as_of, campaign):
    return _count(
        _letters(orgs, as_of)
        .filter(feedback_due__lt=as_of)
        .filter(Q(answered_on__isnull=True) | Q(answered_on__gt=as_of))
    )


def interviews(orgs, as_of, campaign):
    return _count(Interview.objects.filter(org__in=[o.pk for o in orgs], on__lte=as_of))


def accountability(orgs, as_of, campaign):
    return _count(Accountability.objects.filter(org__in=[o.pk for o in orgs], on__lte=as_of))


def checks(orgs, as_of, campaign):
    return _count(
        SampleCheck.objects.filter(sample__org__in=[o.pk for o in orgs], checked_on__lte=as_of), "sample__org_id"
    )


def checks_false(orgs, as_of, campaign):
    return _count(
        SampleCheck.objects.filter(sample__org__in=[o.pk for o in orgs], checked_on__lte=as_of, result="不属实"),
        "sample__org_id",
    )


for code, name, unit, fn, higher, description in [
    (
        "supervision.letters_received",
        "收到提示函数",
        "份",
        letters_received,
        True,
        "指导组、上级办公室发出的提示函（不含撤回）",
    ),
    ("supervision.letters_answered", "提示函已反馈数", "份", letters_answered, True, "已书面反馈的提示函"),
    ("supervision.letters_overdue", "提示函逾期未反馈数", "份", letters_overdue, False, "超过反馈时限仍未反馈的提示函"),
    ("supervision.interviews", "被约谈次数", "次", interviews, False, "因推进滞后、整改不到位被约谈"),
    ("supervision.accountability", "问责数", "起", accountability, False, "问责记录"),
    ("supervision.checks", "随机抽查核查记录数", "条", checks, True, "指导组随机抽查并核查的记录"),
    ("supervision.checks_false", "抽查不属实记录数", "条", checks_false, False, "核查结果为“不属实”的记录"),
]:
    # Meanings (issue 9): overdue answers and 不属实 checks should be zero; the rest are records
    # reported without judgement (a letter or an interview is not a target, nor its absence praise).
    register(
        Indicator(
            code=code,
            name=name,
            dimension="组织领导",
            unit=unit,
            compute=fn,
            higher_is_better=higher,
            description=description,
            follows_time=False,
            meaning=ZERO if code in ("supervision.letters_overdue", "supervision.checks_false") else NEUTRAL,
        )
    )
