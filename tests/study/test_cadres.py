"""以上率下 (issue 16): leading cadres' own study against the other members', per unit and in the briefing.

Hand-built under B县委 (campaign of tests/study/conftest.py: 5 chapters, time progress 70%):
- XS-B-2 某局党组: 2 cadres who each self-studied 1 chapter (2/10 = 20%), its branch's 3 members all 5
  (15/15 = 100%): cadres weaker by 80 points — named.
- XS-B-3 另一局党组 (look-alike): 2 cadres who read every chapter (100%), its branch's 3 members 3 each
  (9/15 = 60%): the members are behind, not the cadres — never named.
"""

import datetime as dt

import pytest

from tests.conftest import make_org, make_person
from tests.study.conftest import AS_OF
from tuijin.core import detectors
from tuijin.core.detectors import Probe
from tuijin.core.indicators import Pair, get
from tuijin.evaluation.findings import findings
from tuijin.study import actions

CODES = ("R1-01", "R1-02", "R1-03", "R2-01", "R2-02")


@pytest.fixture
def cadres(world, ch):
    w = world
    day = dt.date(2026, 10, 15)
    for code, name, cadre_reads, member_reads in (("XS-B-2", "B县某局党组", 1, 5), ("XS-B-3", "B县另一局党组", 5, 3)):
        unit = make_org(w.county_b, code, name, kind="党组")
        branch = make_org(unit, f"{code}-1", f"{name[:-2]}机关党支部")
        people = [(make_person(unit, f"{code}C{i}", f"领导{i}", is_leading_cadre=True), cadre_reads) for i in (1, 2)]
        people += [(make_person(branch, f"{code}M{i}", f"党员{i}"), member_reads) for i in (1, 2, 3)]
        for person, reads in people:
            for c in CODES[:reads]:
                actions.log_self_study(actor=None, person=person, date=day, chapter=ch[c])
        setattr(w, code.replace("-", "_"), unit)
    return w


def test_cadres_and_other_members_are_measured_apart(cadres, campaign):
    from tuijin.orgs.models import Org

    orgs = list(Org.objects.filter(code__in=["XS-B-2", "XS-B-2-1", "XS-B-3", "XS-B-3-1"]))
    by_code = {o.pk: o.code for o in orgs}

    def pairs(code):
        return {by_code[k]: (p.num, p.den) for k, p in get(code).compute(orgs, AS_OF, campaign).items()}

    assert pairs("study.cadre_self_study_coverage") == {"XS-B-2": (2, 10), "XS-B-3": (10, 10)}
    assert pairs("study.member_self_study_coverage") == {"XS-B-2-1": (15, 15), "XS-B-3-1": (9, 15)}
    assert pairs("study.chapters_per_cadre") == {"XS-B-2": (2, 2), "XS-B-3": (10, 2)}


def test_the_unit_whose_cadres_lag_is_named_and_the_look_alike_never(cadres):
    found = [f for f in findings(cadres.city, AS_OF) if f.detector == "cadres_weaker"]
    assert [f.subject.code for f in found] == ["XS-B-2"]
    assert (
        found[0].clause
        == "领导干部2名个人自学覆盖率20.0%，低于其他党员（3名）的100.0%（人均已学篇目：领导干部1篇，其他党员5篇）"
    )


def test_the_briefing_reports_cadres_separately(cadres):
    from tuijin.evaluation import briefing

    b = briefing.build(cadres.XS_B_2, AS_OF)
    text = "".join(c.text for s in b.sections for c in s.paragraphs)
    # no visits recorded: 人均调研0次 (the research figure of the same cadres)
    assert (
        "领导干部2名，个人自学覆盖率20.0%，人均已学1篇，人均调研0次；其他党员3名，个人自学覆盖率100.0%，人均已学5篇。"
        in text
    )
    b3 = briefing.build(cadres.XS_B_3, AS_OF)
    text3 = "".join(c.text for s in b3.sections for c in s.paragraphs)
    assert (
        "领导干部2名，个人自学覆盖率100.0%，人均已学5篇，人均调研0次；其他党员3名，个人自学覆盖率60.0%，人均已学3篇。"
        in text3
    )


def _run(totals, progress=0.7, **kw):
    d = detectors.get("cadres_weaker")
    org = type("O", (), {"kind": "党组", "name": "某局党组"})()
    return d.test(Probe(org, {k: Pair(*v) for k, v in totals.items()}, progress, AS_OF, {**d.defaults, **kw}))


PEOPLE = {"study.chapters_per_cadre": (4, 2), "study.chapters_per_other_member": (30, 6)}


@pytest.mark.parametrize(
    "totals,named",
    [
        ({"study.cadre_self_study_coverage": (1, 10), "study.member_self_study_coverage": (24, 30), **PEOPLE}, True),
        # look-alikes: cadres ahead; a small gap; one cadre only (too few to judge); no other members
        ({"study.cadre_self_study_coverage": (9, 10), "study.member_self_study_coverage": (12, 30), **PEOPLE}, False),
        ({"study.cadre_self_study_coverage": (7, 10), "study.member_self_study_coverage": (24, 30), **PEOPLE}, False),
        (
            {
                "study.cadre_self_study_coverage": (0, 5),
                "study.member_self_study_coverage": (24, 30),
                "study.chapters_per_cadre": (0, 1),
                "study.chapters_per_other_member": (30, 6),
            },
            False,
        ),
        ({"study.cadre_self_study_coverage": (1, 10), "study.chapters_per_cadre": (4, 2)}, False),
    ],
)
def test_cadres_weaker_pinned_positive_and_look_alikes(totals, named):
    assert (_run(totals) is not None) is named
