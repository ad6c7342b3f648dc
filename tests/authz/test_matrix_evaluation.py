"""The authorization matrix for evaluation (SPEC §2.8): dashboards, scorecards, briefings and the
numbers behind every chart (.xlsx), for every persona × an org in scope and out of it.

The evaluation pages need a business scope (office, unit, guidance group): a dashboard, a scorecard
or a briefing is about the units below an org, which a party member does not see, so a member gets
404 (as on the study pages). Whatever a page or a download shows about other orgs — heat-map rows,
lagging units, rankings, the units a briefing names — must be orgs the persona sees.
"""

import html
import io

import docx

from tuijin.evaluation.models import BriefingDoc
from tuijin.orgs.models import Org

from .matrix import (
    BUSINESS,
    BUSINESS_SEES,
    NOTHING,
    ORG_SAMPLE,
    PERSONAS,
    SEES,
    Change,
    Endpoint,
    Page,
    anonymous_test,
    briefing_row,
    change_test,
    column,
    object_test,
    orgs_under,
    page_test,
)

# ------------------------------------------------------------------ what a response may show


def _out_of_scope_names(persona):
    return {o.name: o.code for o in Org.objects.all() if o.code not in SEES.get(persona, NOTHING)}


def _text(response):
    if response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml"):
        document = docx.Document(io.BytesIO(response.content))
        cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return html.unescape(response.content.decode())


def names_only_orgs_in_scope(persona, label, response):
    """The text (a page, JSON, Markdown or a Word document) names no org the persona does not see."""
    text = _text(response)
    named = sorted(code for name, code in _out_of_scope_names(persona).items() if name in text)
    assert named == [], f"{persona} is shown orgs outside its scope"


def orgs_in_scope(header):
    listed = column(header)

    def check(persona, label, response):
        outside = listed(response) - SEES.get(persona, NOTHING)
        assert outside == set(), f"{persona} is shown orgs outside its scope"

    return check


def units_listed(response):
    return {unit["code"] for unit in response.json()["units"]}


def children_of(code):
    return set(Org.objects.filter(parent__code=code, active=True).values_list("code", flat=True))


# ------------------------------------------------------------------ the rows


def evaluation(name, url, **kw):
    return Endpoint(name, url, "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, **kw)


OBJECT_ENDPOINTS = [
    evaluation("dashboard", "/evaluation/{}/", check=names_only_orgs_in_scope),
    evaluation("scorecard", "/evaluation/{}/scorecard/", check=names_only_orgs_in_scope),
    evaluation("scorecard_json", "/evaluation/{}/scorecard/?format=json", check=names_only_orgs_in_scope),
    evaluation("scorecard_xlsx", "/evaluation/{}/scorecard/?format=xlsx"),
    evaluation("briefing", "/evaluation/{}/briefing/", check=names_only_orgs_in_scope),
    evaluation("briefing_md", "/evaluation/{}/briefing/?format=md", check=names_only_orgs_in_scope),
    evaluation("briefing_docx", "/evaluation/{}/briefing/?format=docx", check=names_only_orgs_in_scope),
    evaluation("data_heatmap", "/evaluation/{}/data/heatmap.xlsx", listed=column("组织编码"), expected=children_of),
    evaluation("data_lagging", "/evaluation/{}/data/lagging.xlsx", check=orgs_in_scope("组织编码")),
    evaluation(
        "data_ranking",
        "/evaluation/{}/data/ranking.xlsx?rank=campaign.task_completion",
        check=orgs_in_scope("组织编码"),
    ),
    evaluation("data_trend", "/evaluation/{}/data/trend.xlsx"),
    evaluation("api_scorecard", "/api/v1/evaluation/scorecard?org={}", check=names_only_orgs_in_scope),
    evaluation("api_units", "/api/v1/evaluation/units?org={}", listed=units_listed, expected=orgs_under),
]

# Briefings from draft to issued: an issued one is seen by whoever has its org in their business scope;
# a draft only by the offices that may issue it (the office of its org or above). Written out by hand.
ISSUED_SEES = {
    "city_office": {"BR-XS", "BR-A", "BR-A11", "BR-B"},
    "county_office": {"BR-A", "BR-A11"},
    "branch_reporter": {"BR-A11"},
    "guide": {"BR-B"},
}
DRAFTS = {"city_office": {"BR-A-DRAFT", "BR-B-DRAFT"}, "county_office": {"BR-A-DRAFT"}}
BRIEFING_SEES = {p: ISSUED_SEES.get(p, NOTHING) | DRAFTS.get(p, NOTHING) for p in PERSONAS}
# campaign.manage: an office over its subtree
ISSUES_FOR = {"city_office": SEES["city_office"], "county_office": SEES["county_office"]}


def briefing(name, url, **kw):
    return Endpoint(name, url, "briefing", sees=BRIEFING_SEES, check=names_only_orgs_in_scope, **kw)


OBJECT_ENDPOINTS += [
    evaluation("briefing_list", "/evaluation/{}/briefings/", check=names_only_orgs_in_scope),
    briefing("briefing_doc", "/evaluation/briefings/{}/"),
    briefing("briefing_doc_docx", "/evaluation/briefings/{}.docx"),
    briefing("briefing_doc_md", "/evaluation/briefings/{}.md"),
    # The API gives issued briefings only: a draft is 404 there for everyone.
    evaluation("api_briefings", "/api/v1/evaluation/briefings?org={}", check=names_only_orgs_in_scope),
    Endpoint(
        "api_briefing",
        "/api/v1/evaluation/briefings/{}",
        "briefing",
        sees=ISSUED_SEES | {p: NOTHING for p in PERSONAS if p not in ISSUED_SEES},
        check=names_only_orgs_in_scope,
    ),
]


def _draft(label):
    return briefing_row(label).get()


def edit_body(label):
    return {"version": _draft(label).version, "p-0-0": "矩阵修改后的第一段。"}


CHANGES = [
    Change(
        "briefing_draft",
        "post",
        "/evaluation/{}/briefings/",
        "org",
        lambda label: {"as_of": "2026-11-20"},
        lambda label: BriefingDoc.objects.filter(org__code=label, as_of="2026-11-20").exists(),
        may=ISSUES_FOR,
        labels=("XS", "XS-A-1-1", "XS-B"),
        sees=BUSINESS_SEES,
        ok=302,
    ),
    Change(
        "briefing_edit",
        "post",
        "/evaluation/briefings/{}/",
        "briefing",
        edit_body,
        lambda label: _draft(label).content["sections"][0]["paragraphs"][0]["text"] == "矩阵修改后的第一段。",
        may=DRAFTS,
        labels=("BR-A-DRAFT", "BR-B-DRAFT"),
        sees=BRIEFING_SEES,
        ok=302,
    ),
    Change(
        "briefing_issue",
        "post",
        "/evaluation/briefings/{}/",
        "briefing",
        lambda label: {**edit_body(label), "issue": "1"},
        lambda label: _draft(label).status == BriefingDoc.Status.ISSUED and _draft(label).number,
        may=DRAFTS,
        labels=("BR-A-DRAFT", "BR-B-DRAFT"),
        sees=BRIEFING_SEES,
        ok=302,
    ),
    Change(
        "briefing_discard",
        "post",
        "/evaluation/briefings/{}/discard/",
        "briefing",
        lambda label: {"version": _draft(label).version},
        lambda label: _draft(label).status == BriefingDoc.Status.DISCARDED,
        may=DRAFTS,
        labels=("BR-A-DRAFT", "BR-B-DRAFT"),
        sees=BRIEFING_SEES,
        ok=302,
    ),
]

PAGES = [
    Page("evaluation_index", "/evaluation/", dict.fromkeys(BUSINESS, 302)),  # to the first org in scope
]

# ------------------------------------------------------------------ the tests


test_an_object_is_shown_in_scope_and_is_404_outside = object_test(OBJECT_ENDPOINTS)
test_a_page_answers_each_persona_as_the_table_says = page_test(PAGES)
test_a_briefing_change_is_404_outside_scope_and_refused_without_the_permission = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login = anonymous_test(objects=OBJECT_ENDPOINTS, pages=PAGES, changes=CHANGES)
