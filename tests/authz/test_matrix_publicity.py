"""The authorization matrix for publicity (SPEC §2.6, §2.9): submissions and their review, solicitations,
media and placements, the typical-case library and copied materials, pages and API.

The org pages need a business scope (a member gets 404, BUSINESS_SEES). A unit reports for its own org
(MANAGES); an office strictly above the unit reviews (REVIEWERS); solicitations, the review queue and
copied materials are the offices' (OFFICE_ORGS). A copy pair is seen only by who sees both units
(COPY_SEES) and decided by an office over both.
"""

from tuijin.publicity.models import CopyPair, PublicityItem, Solicitation, Submission

from .matrix import (
    BUSINESS,
    BUSINESS_SEES,
    MANAGES,
    ORG_SAMPLE,
    PERSONAS,
    PNG,
    Change,
    Endpoint,
    Listing,
    Page,
    anonymous_test,
    api_items,
    change_test,
    column,
    context_rows,
    listing_test,
    object_test,
    only,
    orgs_under,
    page_test,
    upload,
)

COUNTY_A_ORGS = {"XS-A", "XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-A-2"}
OFFICE_ORGS = {"city_office": {"XS", "XS-B", "XS-B-1"} | COUNTY_A_ORGS, "county_office": COUNTY_A_ORGS}
REVIEWERS = {"city_office": {"IS-A11", "IS-A12", "IS-B1", "IS-XB"}, "county_office": {"IS-A11", "IS-A12"}}
FORWARDERS = {"county_office": {"IS-A11", "IS-A12"}}  # the city office is the top level: nowhere to forward
COPY_SEES = {"city_office": {"CP-A", "CP-B"}, "county_office": {"CP-A"}, "guide": {"CP-B"}}
COPY_DECIDES = {"city_office": {"CP-A", "CP-B"}, "county_office": {"CP-A"}}

# ------------------------------------------------------------------ what the truth is, scope ignored


def submissions_under(code):
    return {
        t.split(" ")[0]
        for t in Submission.objects.filter(org__code__in=orgs_under(code)).values_list("title", flat=True)
    }


def items_under(code):
    return {
        t.split(" ")[0]
        for t in PublicityItem.objects.filter(org__code__in=orgs_under(code)).values_list("title", flat=True)
    }


def library_all(q):
    return {t.split(" ")[0] for t in Submission.objects.filter(adopted=True).values_list("title", flat=True)}


def all_submissions(q):
    return {t.split(" ")[0] for t in Submission.objects.values_list("title", flat=True)}


def piece(label):
    return Submission.objects.get(title__startswith=label)


def pending(label):
    Submission.objects.filter(title__startswith=label).update(status="待审核", review_org=None)


def adopted(label):
    Submission.objects.filter(title__startswith=label).update(
        status="已采用", adopted=True, adopted_level="县", review_org=None
    )


# ------------------------------------------------------------------ the rows

OBJECT_ENDPOINTS = [
    Endpoint("submission_detail", "/publicity/submission/{}/", "submission"),
    Endpoint("solicitation_detail", "/publicity/solicitation/{}/", "solicitation"),
    Endpoint("item_detail", "/publicity/item/{}/", "pitem"),
    Endpoint("attachment", "/publicity/attachment/{}/", "attachment"),
    Endpoint("copy_detail", "/publicity/copy/{}/", "copy", sees=COPY_SEES, may=COPY_DECIDES),
    Endpoint(
        "submissions",
        "/publicity/{}/",
        "org",
        context_rows("page", "title"),
        submissions_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    Endpoint("submission_new_form", "/publicity/{}/new/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, may=MANAGES),
    Endpoint("review_queue", "/publicity/{}/review/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, may=OFFICE_ORGS),
    Endpoint("solicitations", "/publicity/{}/solicitations/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES),
    Endpoint(
        "solicitation_new_form",
        "/publicity/{}/solicitations/new/",
        "org",
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
        may=OFFICE_ORGS,
    ),
    Endpoint(
        "items",
        "/publicity/{}/items/",
        "org",
        context_rows("page", "title"),
        items_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    Endpoint("item_new_form", "/publicity/{}/items/new/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, may=MANAGES),
    Endpoint("library", "/publicity/{}/library/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES),
    Endpoint("copies", "/publicity/{}/copies/", "org", labels=ORG_SAMPLE, sees=BUSINESS_SEES, may=OFFICE_ORGS),
    Endpoint(
        "export_submissions",
        "/publicity/{}/export/submissions.xlsx",
        "org",
        column("标题"),
        submissions_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    Endpoint(
        "export_publicity",
        "/publicity/{}/export/publicity.xlsx",
        "org",
        column("标题或内容"),
        items_under,
        labels=ORG_SAMPLE,
        sees=BUSINESS_SEES,
    ),
    Endpoint("api_submission", "/api/v1/publicity/submissions/{}", "submission"),
    Endpoint(
        "api_submissions_of_org",
        "/api/v1/publicity/submissions?org={}",
        "org",
        api_items("title"),
        submissions_under,
        labels=ORG_SAMPLE,
    ),
    Endpoint("api_attachment", "/api/v1/publicity/attachments/{}", "attachment"),
    Endpoint("api_review_queue", "/api/v1/publicity/review-queue?org={}", "org", labels=ORG_SAMPLE, may=OFFICE_ORGS),
    Endpoint("api_solicitation", "/api/v1/publicity/solicitations/{}", "solicitation"),
    Endpoint("api_solicitations_of_org", "/api/v1/publicity/solicitations?org={}", "org", labels=ORG_SAMPLE),
    Endpoint("api_item", "/api/v1/publicity/items/{}", "pitem"),
    Endpoint(
        "api_items_of_org", "/api/v1/publicity/items?org={}", "org", api_items("title"), items_under, labels=ORG_SAMPLE
    ),
    Endpoint("api_copies_of_org", "/api/v1/publicity/copies?org={}", "org", labels=ORG_SAMPLE, may=OFFICE_ORGS),
    Endpoint("api_copy", "/api/v1/publicity/copies/{}", "copy", sees=COPY_SEES, may=COPY_DECIDES),
    Endpoint("api_summary", "/api/v1/publicity/summary?org={}", "org", labels=ORG_SAMPLE),
    Endpoint("api_indicators", "/api/v1/publicity/indicators?org={}", "org", labels=ORG_SAMPLE),
]

PAGES = [Page("publicity_root", "/publicity/", dict.fromkeys(BUSINESS, 302))]

LISTINGS = [
    Listing("api_library", "/api/v1/publicity/library?q={}", {"all": ""}, api_items("title"), library_all),
    Listing("api_submissions", "/api/v1/publicity/submissions?q={}", {"all": ""}, api_items("title"), all_submissions),
]

ORG_LABELS = ("XS-A-1-1", "XS-A-1", "XS-B-1")
SOLICIT_AT = ("XS-A", "XS-A-1", "XS-B")  # orgs with branches below them


def new_piece(title):
    return lambda label: {"title": title, "type": "工作动态", "date": "2026-11-20", "body": "主题教育专题研讨"}


def new_item(title):
    return lambda label: {"channel": "网络", "title": title, "date": "2026-11-20", "outlet": "X市新闻网"}


CHANGES = [
    Change(
        "submission_adopt",
        "post",
        "/publicity/submission/{}/adopt/",
        "submission",
        lambda label: {"level": "县", "quality": "4"},
        lambda label: piece(label).status == "已采用",
        may=REVIEWERS,
        prepare=pending,
        ok=302,
        denied=302,
    ),
    Change(
        "submission_return",
        "post",
        "/publicity/submission/{}/return/",
        "submission",
        lambda label: {"reason": "矩阵退回"},
        lambda label: piece(label).return_reason == "矩阵退回",
        may=REVIEWERS,
        prepare=pending,
        ok=302,
        denied=302,
    ),
    Change(
        "submission_forward",
        "post",
        "/publicity/submission/{}/forward/",
        "submission",
        lambda label: {},
        lambda label: piece(label).review_org_id is not None,
        may=FORWARDERS,
        prepare=adopted,
        ok=302,
        denied=302,
    ),
    Change(
        "submission_attach",
        "post",
        "/publicity/submission/{}/attach/",
        "submission",
        files=upload("矩阵附件.png", PNG),
        applied=lambda label: piece(label).attachments.filter(name="矩阵附件.png").exists(),
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "item_photo",
        "post",
        "/publicity/item/{}/photo/",
        "pitem",
        files=upload("矩阵照片.png", PNG),
        applied=lambda label: (
            PublicityItem.objects.get(title__startswith=label).attachments.filter(name="矩阵照片.png").exists()
        ),
        may=MANAGES,
        ok=302,
        denied=302,
    ),
    Change(
        "copy_confirm",
        "post",
        "/publicity/copy/{}/confirm/",
        "copy",
        lambda label: {"note": label},
        lambda label: CopyPair.objects.get(note=label).status == "已确认",
        sees=COPY_SEES,
        may=COPY_DECIDES,
        ok=302,
        denied=302,
    ),
    Change(
        "copy_dismiss",
        "post",
        "/publicity/copy/{}/dismiss/",
        "copy",
        lambda label: {"note": label},
        lambda label: CopyPair.objects.get(note=label).status == "已排除",
        sees=COPY_SEES,
        may=COPY_DECIDES,
        ok=302,
        denied=302,
    ),
    Change(
        "submission_new",
        "post",
        "/publicity/{}/new/",
        "org",
        new_piece("IS-NEW 主题教育"),
        lambda label: Submission.objects.filter(title__startswith="IS-NEW", org__code=label).exists(),
        labels=ORG_LABELS,
        sees=BUSINESS_SEES,
        may=MANAGES,
        ok=302,
    ),
    Change(
        "item_new",
        "post",
        "/publicity/{}/items/new/",
        "org",
        new_item("PI-NEW 报道"),
        lambda label: PublicityItem.objects.filter(title__startswith="PI-NEW", org__code=label).exists(),
        labels=ORG_LABELS,
        sees=BUSINESS_SEES,
        may=MANAGES,
        ok=302,
    ),
    Change(
        "solicitation_new",
        "post",
        "/publicity/{}/solicitations/new/",
        "org",
        lambda label: {"topic": "矩阵约稿", "deadline": "2026-12-31", "kinds": ["党支部"]},
        lambda label: Solicitation.objects.filter(topic="矩阵约稿", org__code=label).exists(),
        labels=SOLICIT_AT,
        sees=BUSINESS_SEES,
        may=OFFICE_ORGS,
        ok=302,
    ),
    Change(
        "copies_check",
        "post",
        "/publicity/{}/copies/check/",
        "org",
        labels=("XS-A-1-1", "XS-A", "XS-B"),
        sees=BUSINESS_SEES,
        may=OFFICE_ORGS,
        ok=302,
        denied=302,
    ),
    Change(
        "api_create_submission",
        "post",
        "/api/v1/publicity/submissions",
        "org",
        lambda label: {"org": label, "title": "IS-API 主题教育", "date": "2026-11-20"},
        lambda label: Submission.objects.filter(title__startswith="IS-API", org__code=label).exists(),
        labels=ORG_LABELS,
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_adopt",
        "post",
        "/api/v1/publicity/submissions/{}/adopt",
        "submission",
        lambda label: {"level": "县"},
        lambda label: piece(label).status == "已采用",
        may=REVIEWERS,
        prepare=pending,
    ),
    Change(
        "api_return",
        "post",
        "/api/v1/publicity/submissions/{}/return",
        "submission",
        lambda label: {"reason": "矩阵退回"},
        lambda label: piece(label).status == "已退回",
        may=REVIEWERS,
        prepare=pending,
    ),
    # The city office is the top level: it may review but has nowhere to forward (422).
    Change(
        "api_forward",
        "post",
        "/api/v1/publicity/submissions/{}/forward",
        "submission",
        lambda label: {},
        lambda label: piece(label).review_org_id is not None,
        may=FORWARDERS,
        prepare=adopted,
        denied={"city_office": 422},
    ),
    Change(
        "api_attach",
        "post",
        "/api/v1/publicity/submissions/{}/attachments",
        "submission",
        files=upload("矩阵接口附件.png", PNG),
        applied=lambda label: piece(label).attachments.filter(name="矩阵接口附件.png").exists(),
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_create_solicitation",
        "post",
        "/api/v1/publicity/solicitations",
        "org",
        lambda label: {"org": label, "topic": "矩阵接口约稿", "deadline": "2026-12-31", "kinds": ["党支部"]},
        lambda label: Solicitation.objects.filter(topic="矩阵接口约稿", org__code=label).exists(),
        labels=SOLICIT_AT,
        may=OFFICE_ORGS,
        ok=201,
    ),
    Change(
        "api_create_item",
        "post",
        "/api/v1/publicity/items",
        "org",
        lambda label: {"org": label, "channel": "电视", "title": "PI-API 报道", "date": "2026-11-20"},
        lambda label: PublicityItem.objects.filter(title__startswith="PI-API", org__code=label).exists(),
        labels=ORG_LABELS,
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_item_photo",
        "post",
        "/api/v1/publicity/items/{}/photos",
        "pitem",
        files=upload("矩阵接口照片.png", PNG),
        applied=lambda label: (
            PublicityItem.objects.get(title__startswith=label).attachments.filter(name="矩阵接口照片.png").exists()
        ),
        may=MANAGES,
        ok=201,
    ),
    Change(
        "api_copies_check",
        "post",
        "/api/v1/publicity/copies/check",
        "org",
        lambda label: {"org": label},
        labels=("XS-A-1-1", "XS-A", "XS-B"),
        may=OFFICE_ORGS,
    ),
    Change(
        "api_copy_confirm",
        "post",
        "/api/v1/publicity/copies/{}/confirm",
        "copy",
        lambda label: {"note": label},
        lambda label: CopyPair.objects.get(note=label).status == "已确认",
        sees=COPY_SEES,
        may=COPY_DECIDES,
    ),
    Change(
        "api_copy_dismiss",
        "post",
        "/api/v1/publicity/copies/{}/dismiss",
        "copy",
        lambda label: {"note": label},
        lambda label: CopyPair.objects.get(note=label).status == "已排除",
        sees=COPY_SEES,
        may=COPY_DECIDES,
    ),
    Change(
        "api_relevance_check",
        "post",
        "/api/v1/publicity/relevance/check",
        "site",
        lambda label: {"title": "全县安全生产大检查"},
        sees=only(*PERSONAS),
        writes=False,
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
