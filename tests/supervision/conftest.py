import datetime as dt

import pytest

from tuijin.campaigns.models import Campaign
from tuijin.rectification import actions as rect

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def add_problems(org, n, closed=0):
    made = [
        rect.create_problem(
            actor=None,
            org=org,
            description=f"{org.name}的问题{i}",
            source="集体查",
            found_on=dt.date(2026, 10, 1),
            deadline=dt.date(2026, 12, 31),
        )
        for i in range(n)
    ]
    for p in made[:closed]:
        rect.attach_evidence(p, actor=None, name="a.pdf", data=b"%PDF-1.4\n" + str(p.pk).encode())
        rect.submit_for_acceptance(p, actor=None)
        rect.close_problem(p, actor=None, as_of=AS_OF, change="整改后群众办事不再多跑腿")
    return made


def study_this_month(org):
    from tuijin.study.actions import record_session

    return record_session(
        actor=None, org=org, date=dt.date(2026, 11, 20), form="支部学习", topic="学习党的二十大报告", headcount=5
    )
