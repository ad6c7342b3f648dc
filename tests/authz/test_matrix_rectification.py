"""The authorization matrix for problem lists and their rectification (SPEC §2.5): pages and API.

Who may do what to a problem (tests/authz/matrix.py): the owner org's unit and the offices above it
rectify (MANAGES); only a reviewer of a higher level — an office strictly above, or the guidance
group assigned to it — closes, sends back or reopens (REVIEWS); either may publish it for the public's
rating. The escalated problem MX-ESC belongs to XS-A-1 but stays visible to the branch that found it.
The one-button actions on a problem's page answer a refusal by going back to the page with the
message shown (302); the forms and the API answer 403.
"""

from tuijin.rectification.models import (
    Cooperation,
    InstitutionRule,
    Measure,
    Milestone,
    Problem,
    PublicItem,
    Recheck,
    SelfCheck,
    State,
)

from .matrix import (
    BUSINESS,
    MANAGES,
    ORG_SAMPLE,
    PUBLISHES,
    REVIEWS,
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
    label_of,
    listing_test,
    object_test,
    orgs_under,
    page_test,
    upload,
)

# ------------------------------------------------------------------ what the truth is, scope ignored


def problems_under(code):
    """Current problems owned by the org or below it, or raised there and escalated upwards."""
    under = orgs_under(code)
    return {
        p.number
        for p in Problem.objects.filter(withdrawn=False).select_related("org", "origin_org")
        if p.org.code in under or (p.origin_org and p.origin_org.code in under)
    }


def problems_matching(text):
    return {p.number for p in Problem.objects.filter(withdrawn=False) if not text or text in p.description}


def rules_under(code):
    return {label_of(r.title) for r in InstitutionRule.objects.filter(org__code__in=orgs_under(code))}


def self_checks_under(code):
    """举一反三 suggestions to the org or the units below it (labelled by their note)."""
    return {c.note for c in SelfCheck.objects.filter(org__code__in=orgs_under(code))}


def self_checks_answering(answer):
    return {c.note for c in SelfCheck.objects.all() if not answer or c.answer == answer}


def items_under(code):
    """Published items still open for rating, of problems or projects of the org or below it."""
    under = orgs_under(code)
    return {
        item_label(i)
        for i in PublicItem.objects.filter(active=True).select_related("problem__org", "project__org")
        if i.org.code in under
    }


def item_label(item):
    return item.problem.number if item.problem_id else label_of(item.project.name)


def satisfied_listed(response):
    return {item_label(i) for i in list(response.context["listed"]) + list(response.context["rating"])}


# ------------------------------------------------------------------ the rows


OBJECT_ENDPOINTS = [
    Endpoint("problem_detail", "/problems/item/{}/", "problem"),
    Endpoint("problem_edit_form", "/problems/item/{}/edit/", "problem", may=MANAGES),
    Endpoint("problem_evidence", "/problems/evidence/{}/", "problem_evidence"),
    Endpoint(
        "problem_list",
        "/problems/{}/",
        "org",
        context_rows("page", "number"),
        problems_under,
        labels=ORG_SAMPLE,
        also=((context_orgs("children"), children_of),),
    ),
    Endpoint("problem_list_filtered", "/problems/{}/?state=待验收&overdue=1", "org", labels=ORG_SAMPLE),
    Endpoint("problem_list_recheck", "/problems/{}/?recheck=due", "org", labels=ORG_SAMPLE),
    Endpoint(
        "problem_ledger", "/problems/{}/ledger.xlsx", "org", column("问题编号"), problems_under, labels=ORG_SAMPLE
    ),
    Endpoint("problem_new_form", "/problems/{}/new/", "org", labels=ORG_SAMPLE, may=MANAGES),
    Endpoint("hand_down_form", "/problems/{}/hand-down/", "org", labels=ORG_SAMPLE, may=MANAGES),
    Endpoint("rules", "/problems/{}/rules/", "org", context_rows("page", "title"), rules_under, labels=ORG_SAMPLE),
    Endpoint("satisfied", "/problems/{}/satisfied/", "org", satisfied_listed, items_under, labels=ORG_SAMPLE),
    Endpoint(
        "self_checks",
        "/problems/{}/self-checks/",
        "org",
        context_rows("page", "note"),
        self_checks_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint(
        "api_self_checks_of_org",
        "/api/v1/self-checks?org={}",
        "org",
        api_items("note"),
        self_checks_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint("api_problem", "/api/v1/problems/{}", "problem"),
    Endpoint("api_problem_ratings", "/api/v1/problems/{}/ratings", "problem"),
    Endpoint(
        "api_problems_of_org", "/api/v1/problems?org={}", "org", api_items("number"), problems_under, labels=ORG_SAMPLE
    ),
]

PAGES = [
    Page("problems_root", "/problems/", dict.fromkeys(BUSINESS, 302)),  # to the first org in scope
    # 全部 across several roots; each persona of the matrix world has one root, so it goes to that root's list.
    Page("problems_root_all", "/problems/?scope=all", dict.fromkeys(BUSINESS, 302)),
]

LISTINGS = [
    Listing(
        "api_problems", "/api/v1/problems?q={}", {"all": "", "text": "学用脱节"}, api_items("number"), problems_matching
    ),
    Listing(
        "api_self_checks",
        "/api/v1/self-checks?answer={}",
        {"all": "", "open": "待对照"},
        api_items("note"),
        self_checks_answering,
    ),
]

# ------------------------------------------------------------------ the changes

ACTION_LABELS = ("MX-A11", "MX-B1", "MX-ESC")  # owner A11 (branch may), B1 (guide reviews), ESC (branch only sees)
OWNER = {"MX-A11": "XS-A-1-1", "MX-B1": "XS-B-1", "MX-ESC": "XS-A-1"}


def problem(label):
    return Problem.objects.select_related("org__parent").get(number=label)


def in_state(state):
    def prepare(label):
        Problem.objects.filter(number=label).update(state=state)

    return prepare


def ready(state):
    """In `state` with every measure done, as a problem 待验收/已销号 must be (or to be submitted)."""

    def prepare(label):
        Problem.objects.filter(number=label).update(state=state)
        Measure.objects.filter(problem__number=label).update(done=True, done_on="2026-11-01")

    return prepare


def open_measure(label):
    Problem.objects.filter(number=label).update(state=State.IN_PROGRESS)
    Measure.objects.filter(problem__number=label).update(done=False, done_on=None, set_aside=False)


def recheck_due(label):
    """Closed, with a 回头看 due (as closing schedules it)."""
    ready(State.CLOSED)(label)
    p = problem(label)
    Recheck.objects.filter(problem=p).delete()
    Recheck.objects.create(problem=p, scheduled_on="2026-09-20", due_on="2026-11-19")


def special_in_progress(label):
    """A special rectification under way (its plan is taken as uploaded), with one open milestone."""
    Problem.objects.filter(number=label).update(state=State.IN_PROGRESS, is_special=True)
    p = problem(label)
    Milestone.objects.filter(problem=p).delete()
    Milestone.objects.create(problem=p, title="矩阵节点", due_on="2026-12-01", owner="甲1")


def milestone_of(label):
    return Milestone.objects.get(problem__number=label, title="矩阵节点")


def rechecked(result):
    return lambda label: Recheck.objects.filter(problem__number=label, result=result).exists()


def now_in(state):
    return lambda label: problem(label).state == state


def action(name, may, *, body=lambda label: {}, prepare=None, applied=None, files=None):
    """A one-button action on a problem's page: done or refused, it goes back to the page."""
    return Change(
        f"action_{name}",
        "post",
        f"/problems/item/{{}}/{name}/",
        "problem",
        body,
        applied,
        may=may,
        labels=ACTION_LABELS,
        prepare=prepare,
        files=files,
        ok=302,
        denied=302,
    )


def edit_body(label):
    p = problem(label)
    return {
        "category": p.category,
        "source": p.source,
        "description": "矩阵修改后的问题描述",
        "responsible": p.responsible,
        "deadline": "2026-12-25",
        "version": p.version,
    }


def first_measure(label):
    return problem(label).measures.order_by("pk").first()


def new_problem_form(label):
    return {
        "number": "MX-NEW",
        "category": "理论学习",
        "source": "集体查",
        "description": "矩阵新增的问题",
        "found_on": "2026-11-20",
        "m-TOTAL_FORMS": "0",
        "m-INITIAL_FORMS": "0",
    }


def hand_down_form(label):
    return {
        "number": "MX-HD",
        "category": "其他",
        "description": "矩阵交办的问题",
        "deadline": "2026-12-31",
        "targets": sorted(children_of(label)),
    }


def answered(label):
    return SelfCheck.objects.get(note=label).answer == SelfCheck.Answer.ABSENT


CHANGES = [
    # 举一反三: the suggested unit (or an office above it) answers; a guidance group sees it but may not
    Change(
        "self_check_answer",
        "post",
        "/problems/{}/self-checks/",
        "self_check_at",
        lambda label: {"check": SelfCheck.objects.get(note=label).pk, "answer": "不存在", "note": label},
        answered,
        may=MANAGES,
        ok=302,
    ),
    Change(
        "api_self_check_answer",
        "post",
        "/api/v1/self-checks/{}/answer",
        "self_check",
        lambda label: {"exists": False, "note": label},
        answered,
        may=MANAGES,
    ),
    Change(
        "problem_edit",
        "post",
        "/problems/item/{}/edit/",
        "problem",
        edit_body,
        lambda label: problem(label).description == "矩阵修改后的问题描述",
        may=MANAGES,
        labels=ACTION_LABELS,
        ok=302,
    ),
    action("start", MANAGES, prepare=in_state(State.OPEN), applied=now_in(State.IN_PROGRESS)),
    action("submit", MANAGES, prepare=ready(State.IN_PROGRESS), applied=now_in(State.SUBMITTED)),
    action(
        "close",
        REVIEWS,
        body=lambda label: {"change": "群众办事少跑一趟"},
        prepare=ready(State.SUBMITTED),
        applied=now_in(State.CLOSED),
    ),
    action(
        "send-back",
        REVIEWS,
        body=lambda label: {"reason": "材料不全"},
        prepare=ready(State.SUBMITTED),
        applied=now_in(State.IN_PROGRESS),
    ),
    action(
        "reopen",
        REVIEWS,
        body=lambda label: {"reason": "群众反映问题反弹"},
        prepare=ready(State.CLOSED),
        applied=now_in(State.RELAPSED),
    ),
    action(
        "recheck-confirm",
        REVIEWS,
        body=lambda label: {"note": "回访群众，未反弹"},
        prepare=recheck_due,
        applied=rechecked(Recheck.Result.CONFIRMED),
    ),
    action(
        "recheck-reopen",
        REVIEWS,
        body=lambda label: {"reason": "回头看发现问题又出现"},
        prepare=recheck_due,
        applied=now_in(State.RELAPSED),
    ),
    action(
        "add-milestone",
        MANAGES,
        body=lambda label: {"title": "矩阵新增节点", "due_on": "2026-12-20", "owner": "甲1"},
        prepare=special_in_progress,
        applied=lambda label: Milestone.objects.filter(problem__number=label, title="矩阵新增节点").exists(),
    ),
    action(
        "milestone-done",
        MANAGES,
        body=lambda label: {"milestone": milestone_of(label).pk, "done": "1"},
        prepare=special_in_progress,
        applied=lambda label: milestone_of(label).done,
    ),
    # 联合会诊: only who manages both the lead org (XS-A-1-1) and the cooperating one (XS-A-1-2): the offices
    Change(
        "action_cooperate",
        "post",
        "/problems/item/{}/cooperate/",
        "problem",
        lambda label: {"orgs": "XS-A-1-2"},
        lambda label: Cooperation.objects.filter(problem__number=label, org__code="XS-A-1-2").exists(),
        may={"city_office": {"MX-A11"}, "county_office": {"MX-A11"}},
        labels=("MX-A11",),
        ok=302,
        denied=302,
    ),
    action(
        "withdraw", MANAGES, body=lambda label: {"reason": "重复录入"}, applied=lambda label: problem(label).withdrawn
    ),
    action(
        "escalate",
        MANAGES,
        body=lambda label: {"to": problem(label).org.parent.code, "reason": "本单位解决不了"},
        applied=lambda label: problem(label).org.code != OWNER[label],
    ),
    action(
        "publish",
        PUBLISHES,
        body=lambda label: {"title": "矩阵公示", "summary": "已整改到位"},
        prepare=ready(State.SUBMITTED),
        applied=lambda label: PublicItem.objects.filter(problem__number=label, title="矩阵公示", active=True).exists(),
    ),
    action(
        "add-measure",
        MANAGES,
        body=lambda label: {"text": "矩阵新增措施", "owner": "甲1", "deadline": "2026-12-30"},
        prepare=in_state(State.IN_PROGRESS),
        applied=lambda label: problem(label).measures.filter(text="矩阵新增措施").exists(),
    ),
    action(
        "measure-done",
        MANAGES,
        body=lambda label: {"measure": first_measure(label).pk, "done": "1"},
        prepare=open_measure,
        applied=lambda label: first_measure(label).done,
    ),
    action(
        "measure-aside",
        REVIEWS,
        body=lambda label: {"measure": first_measure(label).pk, "reason": "已合并到其他措施"},
        prepare=open_measure,
        applied=lambda label: first_measure(label).set_aside,
    ),
    action(
        "evidence",
        MANAGES,
        body=lambda label: {"kind": "支撑材料"},
        files=upload("矩阵材料.pdf"),
        applied=lambda label: problem(label).evidence.filter(name="矩阵材料.pdf").exists(),
    ),
    Change(
        "problem_new",
        "post",
        "/problems/{}/new/",
        "org",
        new_problem_form,
        lambda label: Problem.objects.filter(number="MX-NEW", org__code=label).exists(),
        may=MANAGES,
        labels=("XS-A-1-1", "XS-A-1", "XS-B-1"),
        ok=302,
    ),
    Change(
        "hand_down",
        "post",
        "/problems/{}/hand-down/",
        "org",
        hand_down_form,
        lambda label: Problem.objects.filter(number="MX-HD", parent__isnull=False).count() == len(children_of(label)),
        may=MANAGES,
        labels=("XS-A-1", "XS-B"),
        ok=302,
    ),
    Change(
        "rule_new",
        "post",
        "/problems/{}/rules/",
        "org",
        lambda label: {"title": "RULE-NEW 矩阵制度", "issued_on": "2026-11-20", "doc_number": "〔2026〕9号"},
        lambda label: InstitutionRule.objects.filter(title="RULE-NEW 矩阵制度", org__code=label).exists(),
        may=MANAGES,
        labels=("XS-A-1-1", "XS-B-1"),
        ok=302,
    ),
    Change(
        "api_create_problem",
        "post",
        "/api/v1/problems",
        "org",
        lambda label: {"org": label, "number": "MX-API", "description": "矩阵接口新增的问题", "source": "集体查"},
        lambda label: Problem.objects.filter(number="MX-API", org__code=label).exists(),
        may=MANAGES,
        labels=("XS-A-1-1", "XS-A-1", "XS-B-1"),
        ok=201,
    ),
    Change(
        "api_patch_problem",
        "patch",
        "/api/v1/problems/{}",
        "problem",
        lambda label: {"version": problem(label).version, "responsible": "矩阵责任人"},
        lambda label: problem(label).responsible == "矩阵责任人",
        may=MANAGES,
        labels=ACTION_LABELS,
    ),
    Change(
        "api_start",
        "post",
        "/api/v1/problems/{}/transitions",
        "problem",
        lambda label: {"action": "start"},
        now_in(State.IN_PROGRESS),
        may=MANAGES,
        labels=ACTION_LABELS,
        prepare=in_state(State.OPEN),
    ),
    Change(
        "api_close",
        "post",
        "/api/v1/problems/{}/transitions",
        "problem",
        lambda label: {"action": "close", "change": "群众办事少跑一趟"},
        now_in(State.CLOSED),
        may=REVIEWS,
        labels=ACTION_LABELS,
        prepare=ready(State.SUBMITTED),
    ),
    Change(
        "api_recheck",
        "post",
        "/api/v1/problems/{}/recheck",
        "problem",
        lambda label: {"confirm": False, "note": "回头看发现问题又出现"},
        rechecked(Recheck.Result.REOPENED),
        may=REVIEWS,
        labels=ACTION_LABELS,
        prepare=recheck_due,
    ),
    Change(
        "api_add_milestone",
        "post",
        "/api/v1/problems/{}/milestones",
        "problem",
        lambda label: {"title": "矩阵接口节点", "due_on": "2026-12-20", "owner": "甲1"},
        lambda label: Milestone.objects.filter(problem__number=label, title="矩阵接口节点").exists(),
        may=MANAGES,
        labels=ACTION_LABELS,
        ok=201,
        prepare=special_in_progress,
    ),
    Change(
        "api_milestone_done",
        "post",
        "/api/v1/problems/{}/milestones/done",
        "problem",
        lambda label: {"milestone": milestone_of(label).pk},
        lambda label: milestone_of(label).done,
        may=MANAGES,
        labels=ACTION_LABELS,
        prepare=special_in_progress,
    ),
    Change(
        "api_cooperate",
        "post",
        "/api/v1/problems/{}/cooperation",
        "problem",
        lambda label: {"orgs": ["XS-A-1-2"]},
        lambda label: Cooperation.objects.filter(problem__number=label, org__code="XS-A-1-2").exists(),
        may={"city_office": {"MX-A11"}, "county_office": {"MX-A11"}},
        labels=("MX-A11",),
    ),
    Change(
        "api_measure_done",
        "post",
        "/api/v1/problems/{}/measures/done",
        "problem",
        lambda label: {"measure": first_measure(label).pk, "done": True},
        lambda label: first_measure(label).done,
        may=MANAGES,
        labels=ACTION_LABELS,
        prepare=open_measure,
    ),
    Change(
        "api_measure_aside",
        "post",
        "/api/v1/problems/{}/measures/set-aside",
        "problem",
        lambda label: {"measure": first_measure(label).pk, "reason": "已合并到其他措施"},
        lambda label: first_measure(label).set_aside,
        may=REVIEWS,
        labels=ACTION_LABELS,
        prepare=open_measure,
    ),
    Change(
        "api_add_measure",
        "post",
        "/api/v1/problems/{}/measures",
        "problem",
        lambda label: {"text": "矩阵接口措施"},
        lambda label: problem(label).measures.filter(text="矩阵接口措施").exists(),
        may=MANAGES,
        labels=ACTION_LABELS,
        ok=201,
        prepare=in_state(State.IN_PROGRESS),
    ),
    Change(
        "api_upload_evidence",
        "post",
        "/api/v1/problems/{}/evidence",
        "problem",
        lambda label: {"kind": "支撑材料"},
        lambda label: problem(label).evidence.filter(name="矩阵接口材料.pdf").exists(),
        may=MANAGES,
        labels=ACTION_LABELS,
        files=upload("矩阵接口材料.pdf"),
        ok=201,
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
