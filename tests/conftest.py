"""Shared fixtures: a small hand-built city with known numbers, and named personas.

XS  中共X市委                       city_office
├── XS-A  A县委 (党委)              county_office
│   ├── XS-A-1  A县教育局党委 (党委)
│   │   ├── XS-A-1-1  第一党支部     branch_reporter; member (a person here)
│   │   └── XS-A-1-2  第二党支部
│   └── XS-A-2  A县城关镇党支部
└── XS-B  B县委 (党委)              guide (guidance group G1 is assigned XS-B)
    └── XS-B-1  B县第一党支部
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import settings as hypothesis_settings

from tuijin.orgs import actions
from tuijin.orgs.models import Org, Person

PASSWORD = "Test-passw0rd-2026"

# Property tests assert what is true, never how fast: Hypothesis's default 200-ms deadline per example
# failed a pure-arithmetic test on a loaded CI machine. Speed is measured by `tuijin bench`.
hypothesis_settings.register_profile("tuijin", deadline=None)
hypothesis_settings.load_profile("tuijin")


@pytest.fixture(autouse=True)
def _fast_hashing(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # audit checkpoints written by tests (the worker's daily job included) stay out of ./var
    settings.TUIJIN_AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit")
    # Web imports run inline in tests; tests/imports/test_import_jobs.py runs the real worker path.
    settings.TASKS = {**settings.TASKS, "inline": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TUIJIN_IMPORT_TASK_BACKEND = "inline"
    # Kept reads (core/readcache.py) live in the process's memory: no test sees another test's.
    from django.core.cache import cache

    cache.clear()


def make_org(parent, code, name, kind="党支部", sector="机关", batch="第二批"):
    return actions.create_org(actor=None, parent=parent, code=code, name=name, kind=kind, sector=sector, batch=batch)


def make_person(org, number, name, **fields):
    return actions.create_person(actor=None, org=org, number=number, name=name, **fields)


def make_user(username, role=None, person=None, **grant):
    user = actions.create_account(
        actor=None, username=username, password=PASSWORD, person=person, validate_password=False
    )
    if role:
        actions.grant_role(actor=None, user=user, role=role, **grant)
    return user


def verify_session(client, user):
    """Mark the client's session as past the second login step (TOTP) for an account that needs it,
    with a confirmed authenticator made for it if it has none: what a real login with a code does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tuijin.orgs.mfa import needs_mfa

    if needs_mfa(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="测试", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def login_as(client, user):
    """force_login, plus the TOTP step for the accounts that must pass it (the three admin roles)."""
    client.force_login(user)
    verify_session(client, user)


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.city = make_org(None, "XS", "中共X市委", kind="党委")
    w.county_a = make_org(w.city, "XS-A", "中共A县委", kind="党委")
    w.unit_a1 = make_org(w.county_a, "XS-A-1", "A县教育局党委", kind="党委", sector="学校")
    w.branch_a1a = make_org(w.unit_a1, "XS-A-1-1", "A县教育局第一党支部", sector="学校")
    w.branch_a1b = make_org(w.unit_a1, "XS-A-1-2", "A县教育局第二党支部", sector="学校")
    w.branch_a2 = make_org(w.county_a, "XS-A-2", "A县城关镇党支部", sector="农村")
    w.county_b = make_org(w.city, "XS-B", "中共B县委", kind="党委")
    w.branch_b1 = make_org(w.county_b, "XS-B-1", "B县第一党支部")

    w.p_a1a = [
        make_person(w.branch_a1a, f"A1A{i}", f"甲{i}", phone="13800001234" if i == 1 else "") for i in range(1, 4)
    ]
    w.p_a1b = [make_person(w.branch_a1b, "A1B1", "乙一"), make_person(w.branch_a1b, "A1B2", "乙二", status="预备党员")]
    w.cadre = make_person(w.unit_a1, "A1C1", "丙书记", is_leading_cadre=True, cadre_level="乡科级", post="书记")
    w.p_b1 = [make_person(w.branch_b1, "B1P1", "丁一")]

    w.group = actions.create_guidance_group(actor=None, code="G1", name="第一巡回指导组", orgs=[w.county_b])
    w.city_office = make_user("city_office", "office", org=w.city)
    w.county_office = make_user("county_office", "office", org=w.county_a)
    w.branch_reporter = make_user("branch_reporter", "unit", org=w.branch_a1a)
    w.guide = make_user("guide", "guidance", group=w.group)
    w.member = make_user("member", "member", person=w.p_a1a[0])
    w.outsider = make_user("outsider")
    w.sysadmin = make_user("sysadmin", "sysadmin")
    w.secadmin = make_user("secadmin", "secadmin")
    w.auditadmin = make_user("auditadmin", "auditadmin")
    w.personas = [
        "city_office",
        "county_office",
        "branch_reporter",
        "guide",
        "member",
        "outsider",
        "sysadmin",
        "secadmin",
        "auditadmin",
    ]
    return w


@pytest.fixture
def as_of():
    return dt.date(2026, 11, 27)


def refresh(obj):
    return type(obj).objects.get(pk=obj.pk)


__all__ = ["make_org", "make_person", "make_user", "login_as", "verify_session", "PASSWORD", "Org", "Person", "refresh"]
