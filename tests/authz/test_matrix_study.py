"""The authorization matrix for study (SPEC §2.3): sessions, their evidence, self-study logs, the
org pages and the reading list, pages and API.

A party member sees and records only their own self-study (RECORDS); an org's study pages need a
business scope, so a member gets 404 there even for their own branch (BUSINESS_SEES), while the API
tells them the org exists (they see their own org) and refuses the change (403). Sessions are
recorded by the unit and the offices above it (MANAGES); the reading list only by the office of the
campaign's root org.
"""

from tuijin.campaigns.models import ReadingItem
from tuijin.study.models import SelfStudy, StudySession

from .matrix import (
    BUSINESS,
    BUSINESS_SEES,
    MANAGES,
    MEMBERS,
    ORG_SAMPLE,
    PNG,
    RECORDS,
    Change,
    Endpoint,
    Listing,
    Page,
    anonymous_test,
    api_items,
    change_test,
    children_of,
    column,
    context_orgs,
    context_rows,
    listing_test,
    object_test,
    only,
    orgs_under,
    page_test,
    upload,
)

# ------------------------------------------------------------------ what the truth is, scope ignored


def sessions_under(code):
    return set(
        StudySession.objects.filter(withdrawn=False, org__code__in=orgs_under(code)).values_list("topic", flat=True)
    )


def logs_under(code):
    return set(
        SelfStudy.objects.filter(withdrawn=False, person__org__code__in=orgs_under(code)).values_list(
            "reflection", flat=True
        )
    )


def all_sessions(form):
    return set(StudySession.objects.filter(withdrawn=False).values_list("topic", flat=True))


def logs_of(number):
    logs = SelfStudy.objects.filter(withdrawn=False)
    return set((logs.filter(person__number=number) if number else logs).values_list("reflection", flat=True))


# ------------------------------------------------------------------ the rows


OBJECT_ENDPOINTS = [
    Endpoint("session_detail", "/study/session/{}/", "session"),
    Endpoint("session_edit_form", "/study/session/{}/edit/", "session", may=MANAGES),
    Endpoint("session_evidence", "/study/evidence/{}/", "session_evidence"),
    Endpoint("session_evidence_inline", "/study/evidence/{}/?inline=1", "session_evidence"),
    Endpoint(
        "study_list",
        "/study/{}/",
        "org",
        context_rows("page", "topic"),
        sessions_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
        also=((context_orgs("children"), children_of),),
    ),
    Endpoint("session_new_form", "/study/{}/new/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, may=MANAGES),
    Endpoint("study_analysis", "/study/{}/analysis/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES),
    Endpoint("study_followup", "/study/{}/followup/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES),
    Endpoint("api_followup", "/api/v1/study/followup?org={}", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES),
    Endpoint(
        "export_sessions",
        "/study/{}/export/study-sessions/",
        "org",
        column("主题"),
        sessions_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    Endpoint(
        "export_self_study",
        "/study/{}/export/self-study/",
        "org",
        column("学习心得"),
        logs_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    Endpoint("api_session", "/api/v1/study/sessions/{}", "session"),
    Endpoint(
        "api_sessions_of_org",
        "/api/v1/study/sessions?org={}",
        "org",
        api_items("topic"),
        sessions_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint("api_self_study", "/api/v1/study/self-study/{}", "self_study"),
    Endpoint(
        "api_self_study_of_org",
        "/api/v1/study/self-study?org={}",
        "org",
        api_items("reflection"),
        logs_under,
        labels=ORG_SAMPLE,
    ),
]

PAGES = [
    Page("study_root", "/study/", dict.fromkeys(BUSINESS + MEMBERS, 302)),  # an org's sessions, or a member's page
    Page("study_root_all", "/study/?scope=all", dict.fromkeys(BUSINESS + MEMBERS, 302)),  # one root each: its list
    Page("study_me", "/study/me/", dict.fromkeys(MEMBERS, 200)),  # only an account with a person
    Page("reading", "/study/reading/", dict.fromkeys(BUSINESS, 200)),
]

LISTINGS = [
    Listing("api_sessions", "/api/v1/study/sessions?form={}", {"all": ""}, api_items("topic"), all_sessions),
    Listing(
        "api_self_study",
        "/api/v1/study/self-study?person={}",
        {"all": "", "A1A1": "A1A1", "B1P1": "B1P1"},
        api_items("reflection"),
        logs_of,
    ),
]

# ------------------------------------------------------------------ the changes


def session(label):
    return StudySession.objects.get(topic=label)


def session_form(label):
    s = session(label)
    return {
        "date": "2026-10-10",
        "form": s.form,
        "topic": label,
        "speaker": "矩阵主讲人",
        "chapters": ["R1-01"],
        "attendees": sorted(s.attendees.values_list("number", flat=True)),
        "hours": "2",
        "version": s.version,
    }


def new_session_form(label):
    return {"date": "2026-11-20", "form": "专题研讨", "topic": "SS-NEW", "chapters": ["R1-01"], "headcount": "5"}


def log_withdrawn(label):
    return SelfStudy.objects.get(reflection=label).withdrawn


CHANGES = [
    Change(
        "self_study_me",
        "post",
        "/study/me/",
        "site",
        lambda label: {"chapter": "R1-03", "date": "2026-11-20", "reflection": "SL-NEW"},
        lambda label: SelfStudy.objects.filter(reflection="SL-NEW").exists(),
        sees=only(*MEMBERS),
        ok=302,
    ),
    Change(
        "withdraw_log",
        "post",
        "/study/me/log/{}/withdraw/",
        "self_study",
        applied=log_withdrawn,
        may=RECORDS,
        ok=302,
        denied=302,
    ),
    Change(
        "reading_add_item",
        "post",
        "/study/reading/",
        "site",
        lambda label: {"op": "add_item", "item-code": "R9", "item-title": "矩阵书目"},
        lambda label: ReadingItem.objects.filter(code="R9").exists(),
        sees=only(*BUSINESS),
        may=only("city_office"),
        ok=302,
    ),
    # 跟进学习 (第一议题): only the office of the campaign's root adds an item (campaign.manage over XS)
    Change(
        "followup_add",
        "post",
        "/study/{}/followup/",
        "org",
        lambda label: {"code": "G9", "title": "矩阵跟进学习", "opens_on": "2026-11-27", "due_on": "2026-12-10"},
        lambda label: ReadingItem.objects.filter(code="G9").exists(),
        labels=("XS", "XS-A-1", "XS-B"),
        sees=BUSINESS_SEES,
        may={"city_office": {"XS", "XS-A-1", "XS-B"}},
        ok=302,
    ),
    Change(
        "api_followup_add",
        "post",
        "/api/v1/study/followup",
        "org",
        lambda label: {
            "org_code": label,
            "code": "G9",
            "title": "矩阵跟进学习",
            "opens_on": "2026-11-27",
            "due_on": "2026-12-10",
        },
        lambda label: ReadingItem.objects.filter(code="G9").exists(),
        labels=("XS", "XS-A-1", "XS-B"),
        may={"city_office": {"XS", "XS-A-1", "XS-B"}},
        ok=201,
    ),
    Change(
        "session_edit",
        "post",
        "/study/session/{}/edit/",
        "session",
        session_form,
        lambda label: session(label).speaker == "矩阵主讲人",
        may=MANAGES,
        ok=302,
    ),
    Change(
        "session_withdraw",
        "post",
        "/study/session/{}/withdraw/",
        "session",
        lambda label: {"reason": "重复录入", "version": session(label).version},
        lambda label: session(label).withdrawn,
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "session_upload",
        "post",
        "/study/session/{}/evidence/",
        "session",
        files=upload("矩阵照片.png", PNG),
        applied=lambda label: session(label).evidence.filter(name="矩阵照片.png").exists(),
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "session_new",
        "post",
        "/study/{}/new/",
        "org",
        new_session_form,
        lambda label: StudySession.objects.filter(topic="SS-NEW", org__code=label).exists(),
        labels=("XS-A-1-1", "XS-A-1", "XS-B-1"),
        sees=BUSINESS_SEES,
        may=MANAGES,
        ok=302,
    ),
    Change(
        "api_create_session",
        "post",
        "/api/v1/study/sessions",
        "org",
        lambda label: {"org_code": label, "date": "2026-11-20", "form": "专题研讨", "topic": "SS-API", "headcount": 5},
        lambda label: StudySession.objects.filter(topic="SS-API", org__code=label).exists(),
        labels=("XS-A-1-1", "XS-A-1", "XS-B-1"),
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_patch_session",
        "patch",
        "/api/v1/study/sessions/{}",
        "session",
        lambda label: {"version": session(label).version, "speaker": "矩阵接口主讲人"},
        lambda label: session(label).speaker == "矩阵接口主讲人",
        may=MANAGES,
    ),
    Change(
        "api_withdraw_session",
        "post",
        "/api/v1/study/sessions/{}/withdraw",
        "session",
        lambda label: {"reason": "重复录入"},
        lambda label: session(label).withdrawn,
        may=MANAGES,
    ),
    Change(
        "api_create_self_study",
        "post",
        "/api/v1/study/self-study",
        "person",
        lambda label: {"person_number": label, "date": "2026-11-20", "chapter_code": "R1-03"},
        lambda label: SelfStudy.objects.filter(person__number=label, chapter__code="R1-03").exists(),
        labels=("A1A1", "A1C1", "A1B1", "B1P1"),
        may=RECORDS,
        ok=201,
    ),
    Change(
        "api_withdraw_self_study",
        "post",
        "/api/v1/study/self-study/{}/withdraw",
        "self_study",
        applied=log_withdrawn,
        may=RECORDS,
    ),
]

# ------------------------------------------------------------------ the tests

test_an_object_is_shown_in_scope_and_is_404_outside = object_test(OBJECT_ENDPOINTS)
test_a_page_answers_each_persona_as_the_table_says = page_test(PAGES)
test_a_list_shows_exactly_the_rows_in_scope = listing_test(LISTINGS)
test_a_change_is_404_outside_scope_and_refused_without_the_permission = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login_and_the_api_answers_401 = anonymous_test(
    objects=OBJECT_ENDPOINTS, pages=PAGES, listings=LISTINGS, changes=CHANGES
)
