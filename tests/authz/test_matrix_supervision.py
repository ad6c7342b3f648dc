"""The authorization matrix for supervision (SPEC §2.7): the group's home, an org's supervision page,
letters, samples, inspections, interviews, accountability, escalation decisions and the inbox.

Supervision pages need a business scope (a member gets 404). Letters are seen by whoever sees the
receiving org; a sample only by those who supervise the org (the unit does not learn beforehand which
of its records were drawn). Changes are made by the org's supervisors — the guidance group assigned to
it or an office strictly above it (SUPERVISES) — and the receiving unit only answers; a group member
gets 404 for an org not assigned to the group.
"""

from tuijin.supervision.models import LetterState, ReminderLetter

from .matrix import (
    BUSINESS,
    BUSINESS_SEES,
    ORG_SAMPLE,
    Change,
    Endpoint,
    Page,
    anonymous_test,
    change_test,
    everyone,
    object_test,
    page_test,
)

LETTERS_SEEN = {
    "city_office": {"LT-A11", "LT-B1"},
    "county_office": {"LT-A11"},
    "branch_reporter": {"LT-A11"},
    "guide": {"LT-B1"},
}
SUPERVISES = {  # orgs of ORG_SAMPLE each persona supervises, and the letters, samples, findings it handles
    "city_office": {"XS-A-1", "XS-A-1-1", "XS-B", "LT-A11", "LT-B1", "SM-B1", "IF-B1"},
    "county_office": {"XS-A-1", "XS-A-1-1", "LT-A11"},
    "guide": {"XS-B", "LT-B1", "SM-B1", "IF-B1"},
}
SUPERVISORS_SEE = {p: {x for x in SUPERVISES.get(p, ()) if x in ("SM-B1", "IF-B1")} for p in BUSINESS}
LETTER_SEES = {p: BUSINESS_SEES[p] | LETTERS_SEEN.get(p, set()) for p in BUSINESS_SEES}


def org_page(name, url, **kw):
    return Endpoint(name, url, "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, **kw)


OBJECT_ENDPOINTS = [
    org_page("supervision_org", "/supervision/{}/"),
    Endpoint("letter_detail", "/supervision/letters/{}/", "letter", sees=LETTER_SEES),
    Endpoint("letter_docx", "/supervision/letters/{}/?format=docx", "letter", sees=LETTER_SEES),
    Endpoint("sample_detail", "/supervision/samples/{}/", "sample", sees=SUPERVISORS_SEE),
]

PAGES = [
    Page("supervision_index", "/supervision/", dict.fromkeys(BUSINESS, 200)),
    Page("inbox", "/supervision/inbox/", everyone(200)),
    Page("groups", "/supervision/groups/", {"city_office": 200, "county_office": 200, "guide": 200}),
    Page("inbox_read", "/supervision/inbox/read/", everyone(302), method="post"),
]


def _first_drawn(label):
    from tuijin.supervision.models import Sample

    return Sample.objects.get(seed=label).drawn[0]


def org_change(name, url, body):
    return Change(
        name, "post", url, "org", body=lambda label: body, labels=ORG_SAMPLE, sees=BUSINESS_SEES, may=SUPERVISES, ok=302
    )


CHANGES = [
    org_change("letter_new", "/supervision/{}/letters/new/", {}),
    org_change(
        "inspection_new",
        "/supervision/{}/inspections/new/",
        {"kind": "个别谈话", "on": "2026-11-20", "inspectors": "组员", "findings": "台账不全"},
    ),
    org_change("sample_new", "/supervision/{}/samples/new/", {"kind": "study_session", "size": "1"}),
    org_change(
        "interview_new",
        "/supervision/{}/interviews/new/",
        {"on": "2026-11-26", "by": "组长", "whom": "书记", "reason": "推进滞后"},
    ),
    org_change(
        "accountability_new",
        "/supervision/{}/accountability/new/",
        {"on": "2026-11-26", "whom": "书记", "measure": "诫勉谈话", "reason": "整改不到位", "decided_by": "纪委"},
    ),
    org_change("escalation_decide", "/supervision/{}/decide/", {"decided": "提醒", "note": ""}),
    Change(
        "group_assign",
        "post",
        "/supervision/groups/{}/assign/",
        "group",
        body=lambda label: {"orgs": "XS-B\nXS-A"},
        sees={"city_office": {"G1"}, "guide": {"G1"}},
        may={"city_office": {"G1"}},
        ok=302,
    ),
    Change(
        "group_leader",
        "post",
        "/supervision/groups/{}/leader/",
        "group",
        body=lambda label: {"username": "guide"},
        sees={"city_office": {"G1"}, "guide": {"G1"}},
        may={"city_office": {"G1"}},
        ok=302,
    ),
    Change(
        "letter_withdraw",
        "post",
        "/supervision/letters/{}/withdraw/",
        "letter",
        body=lambda label: {"reason": "发错单位"},
        sees=LETTER_SEES,
        may=SUPERVISES,
        ok=302,
        applied=lambda label: ReminderLetter.objects.get(title__startswith=label).state == LetterState.WITHDRAWN,
    ),
    Change(
        "letter_answer",
        "post",
        "/supervision/letters/{}/answer/",
        "letter",
        body=lambda label: {"answer": "已召开专题会议部署整改"},
        sees=LETTER_SEES,
        may={"city_office": {"LT-A11", "LT-B1"}, "county_office": {"LT-A11"}, "branch_reporter": {"LT-A11"}},
        ok=302,
    ),
    Change(
        "finding_problem",
        "post",
        "/supervision/findings/{}/problem/",
        "inspection_finding",
        body=lambda label: {},
        sees=SUPERVISORS_SEE,
        may=SUPERVISES,
        ok=302,
    ),
    Change(
        "sample_check",
        "post",
        "/supervision/samples/{}/check/",
        "sample",
        body=lambda label: {"record_id": str(_first_drawn(label)), "result": "属实", "note": ""},
        sees=SUPERVISORS_SEE,
        may=SUPERVISES,
        ok=302,
    ),
]

test_an_object_is_shown_in_scope_and_is_404_outside = object_test(OBJECT_ENDPOINTS)
test_a_page_answers_each_persona_as_the_table_says = page_test(PAGES)
test_a_change_is_made_only_by_whom_the_table_says = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login = anonymous_test(objects=OBJECT_ENDPOINTS, pages=PAGES, changes=CHANGES)

# ------------------------------------------------------------------ the REST API

SUPERVISED_ORGS = {p: {x for x in SUPERVISES.get(p, ()) if x.startswith("XS")} for p in BUSINESS}
LETTERS_UNDER = {"LT-A11": "XS-A-1-1", "LT-B1": "XS-B-1"}


def letters_listed(response):
    return {x["title"].split(" ")[0] for x in response.json()}


def letters_under(code):
    from .matrix import orgs_under

    under = orgs_under(code)
    return {label for label, org in LETTERS_UNDER.items() if org in under}


def _letter_state(state):
    def prepare(label):
        ReminderLetter.objects.filter(title__startswith=label).update(
            state=state, **({"number": "", "seq": None, "year": None} if state == LetterState.DRAFT else {})
        )

    return prepare


API_ENDPOINTS = [
    Endpoint(
        "api_letters_of_org",
        "/api/v1/supervision/letters?org={}",
        "org",
        letters_listed,
        letters_under,
        labels=ORG_SAMPLE,
        sees=LETTER_SEES,
    ),
    Endpoint("api_letter", "/api/v1/supervision/letters/{}", "letter", sees=LETTER_SEES),
    Endpoint("api_escalation", "/api/v1/supervision/escalation?org={}", "org", labels=ORG_SAMPLE, sees=SUPERVISED_ORGS),
    Endpoint("api_records", "/api/v1/supervision/records?org={}", "org", labels=ORG_SAMPLE, sees=SUPERVISED_ORGS),
    Endpoint("api_sample", "/api/v1/supervision/samples/{}", "sample", sees=SUPERVISORS_SEE),
]
# 问责 and escalation decisions of a subtree: for whoever supervises the org, and for the office of the org
# itself (what is below it); the unit and its members get 404 (not an empty list).
RECORDS_UNDER = {"AC-A11": "XS-A-1-1", "AC-A1": "XS-A-1", "AC-B1": "XS-B-1"}
LISTS_RECORDS = SUPERVISED_ORGS | {"city_office": SUPERVISED_ORGS["city_office"] | {"XS"}}


RECORDS_SUPERVISED = {"city_office": set(RECORDS_UNDER), "county_office": {"AC-A11", "AC-A1"}, "guide": {"AC-B1"}}


def records_shown(key):
    """The listed records are exactly those under the org that the persona supervises."""

    def check(persona, code, response):
        from .matrix import orgs_under

        under = {label for label, org in RECORDS_UNDER.items() if org in orgs_under(code)}
        assert {x[key] for x in response.json()["items"]} == under & RECORDS_SUPERVISED.get(persona, set())

    return check


API_ENDPOINTS += [
    Endpoint(
        "api_accountability",
        "/api/v1/supervision/accountability?org={}",
        "org",
        labels=ORG_SAMPLE,
        sees=LISTS_RECORDS,
        check=records_shown("whom"),
    ),
    Endpoint(
        "api_escalation_decisions",
        "/api/v1/supervision/escalation-decisions?org={}",
        "org",
        labels=ORG_SAMPLE,
        sees=LISTS_RECORDS,
        check=records_shown("note"),
    ),
]
API_PAGES = [Page("api_inbox", "/api/v1/supervision/inbox", everyone(200))]


def api_change(name, url, kind, body, **kw):
    return Change(name, "post", url, kind, body=body, **({"may": SUPERVISES} | kw))


API_CHANGES = [
    api_change(
        "api_letter_draft",
        "/api/v1/supervision/letters",
        "org",
        lambda label: {"org": label},
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    api_change(
        "api_letter_send",
        "/api/v1/supervision/letters/{}/send",
        "letter",
        lambda label: {"feedback_due": "2026-12-11"},
        prepare=_letter_state(LetterState.DRAFT),
        sees=LETTER_SEES | {"branch_reporter": LETTER_SEES["branch_reporter"] - {"LT-A11"}},
    ),  # a draft
    api_change(
        "api_letter_answer",
        "/api/v1/supervision/letters/{}/answer",
        "letter",
        lambda label: {"answer": "已整改"},
        sees=LETTER_SEES,
        may={"city_office": {"LT-A11", "LT-B1"}, "county_office": {"LT-A11"}, "branch_reporter": {"LT-A11"}},
    ),
    api_change(
        "api_letter_review",
        "/api/v1/supervision/letters/{}/review",
        "letter",
        lambda label: {"accept": True, "comment": "同意"},
        sees=LETTER_SEES,
        prepare=_letter_state(LetterState.ANSWERED),
    ),
    api_change(
        "api_inspection_create",
        "/api/v1/supervision/inspections",
        "org",
        lambda label: {
            "org": label,
            "kind": "查阅资料",
            "on": "2026-11-20",
            "inspectors": "组员",
            "findings": ["台账不全"],
        },
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    api_change(
        "api_finding_problem",
        "/api/v1/supervision/findings/{}/problem",
        "inspection_finding",
        lambda label: {},
        sees=SUPERVISORS_SEE,
    ),
    api_change(
        "api_sample_create",
        "/api/v1/supervision/samples",
        "org",
        lambda label: {"org": label, "kind": "study_session", "size": 1},
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    api_change(
        "api_sample_check",
        "/api/v1/supervision/samples/{}/checks",
        "sample",
        lambda label: {"record_id": _first_drawn(label), "result": "属实"},
        sees=SUPERVISORS_SEE,
    ),
    api_change(
        "api_accountability_create",
        "/api/v1/supervision/accountability",
        "org",
        lambda label: {
            "org": label,
            "on": "2026-11-26",
            "whom": "书记",
            "measure": "诫勉谈话",
            "reason": "整改不到位",
            "decided_by": "纪委",
        },
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
        ok=201,
    ),
    api_change(
        "api_escalation_decide",
        "/api/v1/supervision/escalation-decisions",
        "org",
        lambda label: {"org": label, "decided": "提醒"},
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
        ok=201,
    ),
    api_change(
        "api_interview_create",
        "/api/v1/supervision/interviews",
        "org",
        lambda label: {"org": label, "on": "2026-11-26", "by": "组长", "whom": "书记", "reason": "推进滞后"},
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
]
EXTRA_ROWS = API_ENDPOINTS + API_PAGES + API_CHANGES

test_api_objects_are_shown_in_scope_and_are_404_outside = object_test(API_ENDPOINTS)
test_api_pages_answer_as_the_table_says = page_test(API_PAGES)
test_api_changes_are_made_only_by_whom_the_table_says = change_test(API_CHANGES)
test_anonymous_api_callers_get_401 = anonymous_test(objects=API_ENDPOINTS, pages=API_PAGES, changes=API_CHANGES)
