"""Office review: adopt at a level with a quality score, return with a reason, forward upward."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tuijin.core.errors import ActionError
from tuijin.publicity import actions, queries
from tuijin.publicity.models import Review, Status

D = dt.date(2026, 11, 20)


def _piece(w, org=None, title="第一党支部开展主题教育专题研讨的做法", type="经验做法"):
    return actions.create_submission(
        actor=w.branch_reporter,
        org=org or w.branch_a1a,
        title=title,
        date=D,
        body="支部围绕主题教育开展专题研讨，检视问题并整改。",
        type=type,
    )


def test_a_unit_reports_its_own_org_only(world):
    piece = _piece(world)
    assert piece.status == Status.PENDING and not piece.relevance_flagged
    with pytest.raises(PermissionDenied):
        _piece(world, org=world.branch_a1b)


def test_the_county_office_adopts_then_forwards_and_the_city_sees_it_in_its_queue_with_history(world):
    w = world
    piece = _piece(w)
    assert piece in queries.review_queue(w.county_office, w.county_a)
    assert piece not in queries.review_queue(w.city_office, w.city)  # first review is below the city
    with pytest.raises(PermissionDenied):  # the unit does not review its own piece
        actions.adopt(piece, actor=w.branch_reporter, level="县", quality=4, as_of=D)
    piece = actions.adopt(piece, actor=w.county_office, level="县", quality=4, as_of=D)
    assert (piece.status, piece.adopted, piece.adopted_level, piece.quality) == (Status.ADOPTED, True, "县", 4)
    piece = actions.forward(piece, actor=w.county_office)
    assert piece.review_org == w.city and piece.status == Status.PENDING
    assert piece not in queries.review_queue(w.county_office, w.county_a)
    assert piece in queries.review_queue(w.city_office, w.city)
    with pytest.raises(PermissionDenied):  # the county may not decide at the city's level
        actions.adopt(piece, actor=w.county_office, level="市", as_of=D)
    piece = actions.adopt(piece, actor=w.city_office, level="市", quality=5, as_of=D)
    assert piece.adopted_level == "市" and piece.quality == 5
    history = list(Review.objects.filter(submission=piece).values_list("org__code", "decision", "level"))
    assert history == [("XS-A", "采用", "县"), ("XS-A", "转报", ""), ("XS", "采用", "市")]
    with pytest.raises(ActionError, match="最上级"):
        actions.forward(piece, actor=w.city_office)


def test_return_needs_a_reason_and_an_upper_return_keeps_the_lower_adoption(world):
    w = world
    piece = _piece(w)
    with pytest.raises(ActionError, match="退回原因"):
        actions.return_submission(piece, actor=w.county_office, reason=" ")
    piece = actions.adopt(piece, actor=w.county_office, level="县", as_of=D)
    piece = actions.forward(piece, actor=w.county_office)
    piece = actions.return_submission(piece, actor=w.city_office, reason="素材不够典型", quality=2)
    assert piece.status == Status.RETURNED and piece.adopted and piece.adopted_level == "县"
    with pytest.raises(ActionError, match="质量评分"):
        actions.adopt(_piece(w, title="主题教育第二篇"), actor=w.county_office, level="县", quality=9, as_of=D)


def test_the_guidance_group_does_not_review(world):
    piece = _piece(world)
    with pytest.raises(PermissionDenied):
        actions.adopt(piece, actor=world.guide, level="县", as_of=D)


def test_library_lists_adopted_cases_and_experience_in_scope_only(world):
    w = world
    case = _piece(w, title="主题教育典型案例：课后服务", type="典型案例")
    news = _piece(w, title="主题教育工作动态", type="工作动态")
    pending = _piece(w, title="主题教育经验做法待审", type="经验做法")
    for p in (case, news):
        actions.adopt(p, actor=w.county_office, level="县", as_of=D)
    assert list(queries.library(w.city_office)) == [case]
    assert list(queries.library(w.branch_reporter)) == [case]
    assert list(queries.library(w.guide)) == []  # B县's group does not see A县's pieces
    assert pending not in queries.library(w.city_office)
    assert list(queries.library(w.city_office, sector="农村")) == []
    assert list(queries.library(w.city_office, sector="学校", level="县")) == [case]


def test_solicitation_targets_must_be_below_the_office(world):
    w = world
    with pytest.raises(PermissionDenied):
        actions.issue_solicitation(
            actor=w.branch_reporter, org=w.branch_a1a, topic="约稿", deadline=D, targets=[w.branch_a1a]
        )
    with pytest.raises(ActionError, match="下级组织"):
        actions.issue_solicitation(
            actor=w.county_office, org=w.county_a, topic="约稿", deadline=D, targets=[w.branch_b1]
        )
    by_sector = actions.targets_by(w.county_a, sectors=["学校"])
    assert {o.code for o in by_sector} == {"XS-A-1", "XS-A-1-1", "XS-A-1-2"}
    assert {o.code for o in actions.targets_by(w.city, depths=[2])} == {"XS-A", "XS-B"}
    assert {o.code for o in actions.targets_by(w.city, kinds=["党支部"], sectors=["农村"])} == {"XS-A-2"}


def test_media_and_placements(world):
    w = world
    item = actions.create_item(
        actor=w.branch_reporter,
        org=w.branch_a1a,
        channel="网络",
        title="主题教育报道",
        outlet="X市新闻网",
        link="https://news.example.cn/a",
        date=D,
    )
    assert item.is_media
    with pytest.raises(ActionError, match="网址"):
        actions.create_item(
            actor=w.branch_reporter, org=w.branch_a1a, channel="网络", title="报道", link="javascript:alert(1)", date=D
        )
    with pytest.raises(ActionError, match="宣传渠道"):
        actions.create_item(actor=w.branch_reporter, org=w.branch_a1a, channel="广播", title="报道", date=D)
    place = actions.create_item(
        actor=w.branch_reporter, org=w.branch_a1a, channel="公共场所", title="主题教育宣传栏", outlet="城关广场", date=D
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    actions.attach_photo(place, actor=w.branch_reporter, name="宣传栏.png", data=png)
    with pytest.raises(ActionError):
        actions.attach_photo(place, actor=w.branch_reporter, name="x.pdf", data=b"%PDF-1.4\n%%EOF\n")
