"""Changing orgs and people through tuijin.orgs.actions: permission, versions, events, history, roll-ups."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.events import verify_chain
from tuijin.core.models import DomainEvent
from tuijin.orgs import actions
from tuijin.orgs.models import PERSON_STATUSES, Org, Person
from tuijin.orgs.queries import Counts, children_with_counts, subtree_counts


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def last_event(verb):
    return DomainEvent.objects.filter(verb=verb).latest("id")


# ------------------------------------------------------------------ events


def test_creating_an_org_records_who_did_it_and_what_was_made(world):
    org = actions.create_org(
        actor=world.county_office,
        parent=world.county_a,
        code="XS-A-3",
        name="A县卫健局党委",
        kind="党委",
        sector="医院",
    )
    event = last_event("org.create")
    assert (event.actor, event.target_id, event.org_path) == (world.county_office, str(org.pk), org.path)
    assert event.before is None
    assert event.after["code"] == "XS-A-3" and event.after["kind"] == "党委"
    assert fresh(org).parent == world.county_a and org.path.startswith(world.county_a.path)


def test_updating_an_org_records_only_what_changed(world):
    org = actions.update_org(
        world.branch_a2, actor=world.county_office, version=1, name="A县城关镇第一党支部", sector="农村"
    )
    assert (org.name, org.version) == ("A县城关镇第一党支部", 2)
    event = last_event("org.update")
    assert event.actor == world.county_office
    assert (event.before, event.after) == ({"name": "A县城关镇党支部"}, {"name": "A县城关镇第一党支部"})


def test_creating_and_updating_a_person_record_before_and_after(world):
    person = actions.create_person(
        actor=world.branch_reporter, org=world.branch_a1a, number="A1A9", name="甲9", status="预备党员"
    )
    assert last_event("person.create").after["status"] == "预备党员"
    actions.update_person(person, actor=world.branch_reporter, version=1, status="正式党员", post="组织委员")
    event = last_event("person.update")
    assert event.actor == world.branch_reporter
    assert event.before == {"status": "预备党员", "post": ""}
    assert event.after == {"status": "正式党员", "post": "组织委员"}


def test_the_event_chain_verifies_and_a_tampered_row_is_found(world):
    actions.update_org(world.branch_a2, actor=world.city_office, name="改名后的支部")
    actions.move_org(world.branch_a2, actor=world.city_office, new_parent=world.unit_a1)
    assert verify_chain() == []
    victim = last_event("org.update")
    DomainEvent.objects.filter(pk=victim.pk).update(summary="修改组织 另一个名字")
    assert verify_chain() == [victim.pk]


def test_tampering_with_what_an_event_says_changed_is_found(world):
    actions.update_person(world.cadre, actor=world.city_office, post="副书记")
    victim = last_event("person.update")
    DomainEvent.objects.filter(pk=victim.pk).update(after={"post": "书记"})
    assert verify_chain() == [victim.pk]


# ------------------------------------------------------------------ concurrent edits


def test_an_org_edit_on_a_stale_version_is_refused_and_nothing_changes(world):
    actions.update_org(world.branch_a2, actor=world.city_office, version=1, name="第一次修改")
    events_before = DomainEvent.objects.count()
    with pytest.raises(StaleEdit) as refused:
        actions.update_org(world.branch_a2, actor=world.county_office, version=1, name="第二次修改")
    assert "已被他人修改" in refused.value.message
    assert fresh(world.branch_a2).name == "第一次修改"
    assert DomainEvent.objects.count() == events_before


def test_a_person_edit_on_a_stale_version_is_refused_and_nothing_changes(world):
    person = world.p_a1a[1]
    actions.update_person(person, actor=world.city_office, version=1, post="宣传委员")
    with pytest.raises(StaleEdit):
        actions.update_person(person, actor=world.branch_reporter, version=1, post="组织委员")
    assert (fresh(person).post, fresh(person).version) == ("宣传委员", 2)


def test_a_move_on_a_stale_version_is_refused(world):
    actions.update_org(world.branch_a2, actor=world.city_office, name="改名")
    with pytest.raises(StaleEdit):
        actions.move_org(world.branch_a2, actor=world.city_office, new_parent=world.unit_a1, version=1)
    assert fresh(world.branch_a2).parent == world.county_a


# ------------------------------------------------------------------ permission


def test_a_county_office_cannot_update_an_org_in_another_county(world):
    with pytest.raises(PermissionDenied):
        actions.update_org(world.branch_b1, actor=world.county_office, name="越权修改")
    assert fresh(world.branch_b1).name == "B县第一党支部"


@pytest.mark.parametrize("persona", ["branch_reporter", "guide", "member", "outsider", "sysadmin", "secadmin"])
def test_only_an_office_may_change_orgs(world, persona):
    with pytest.raises(PermissionDenied):
        actions.update_org(world.branch_a1a, actor=getattr(world, persona), name="越权修改")


def test_a_unit_may_edit_people_of_its_own_org_but_not_of_another(world):
    actions.update_person(world.p_a1a[1], actor=world.branch_reporter, post="组织委员")
    with pytest.raises(PermissionDenied):
        actions.update_person(world.p_a1b[0], actor=world.branch_reporter, post="组织委员")


def test_a_county_office_can_move_an_org_within_its_county(world):
    moved = actions.move_org(world.branch_a2, actor=world.county_office, new_parent=world.unit_a1)
    assert moved.parent == world.unit_a1 and moved.depth == 4
    assert moved.path.startswith(world.unit_a1.path)
    assert [c.code for c in Org.objects.get_children(fresh(world.unit_a1))] == ["XS-A-1-1", "XS-A-1-2", "XS-A-2"]
    assert (fresh(world.unit_a1).numchild, fresh(world.county_a).numchild) == (3, 1)
    event = last_event("org.move")
    assert (event.before, event.after) == ({"parent": "XS-A"}, {"parent": "XS-A-1"})


def test_moving_an_org_carries_its_subtree_and_people(world):
    actions.move_org(world.unit_a1, actor=world.city_office, new_parent=world.county_b)
    branch = fresh(world.branch_a1a)
    assert branch.parent == world.unit_a1 and branch.path.startswith(fresh(world.county_b).path)
    assert subtree_counts(fresh(world.county_b)) == Counts(orgs=5, branches=3, people=7, members=7)
    assert subtree_counts(fresh(world.county_a)) == Counts(orgs=2, branches=1, people=0, members=0)


def test_a_county_office_cannot_move_an_org_into_another_county(world):
    with pytest.raises(PermissionDenied):
        actions.move_org(world.branch_a2, actor=world.county_office, new_parent=world.county_b)
    with pytest.raises(PermissionDenied):
        actions.move_org(world.branch_b1, actor=world.county_office, new_parent=world.county_a)
    assert fresh(world.branch_a2).parent == world.county_a


def test_an_org_cannot_move_under_its_own_descendant(world):
    with pytest.raises(ActionError) as refused:
        actions.move_org(world.unit_a1, actor=world.county_office, new_parent=world.branch_a1a)
    assert refused.value.field == "parent" and "下级" in refused.value.message
    assert fresh(world.unit_a1).parent == world.county_a


# ------------------------------------------------------------------ merge


def test_a_merge_moves_people_and_children_and_leaves_the_source_inactive(world):
    source = actions.merge_org(world.unit_a1, actor=world.county_office, into=world.branch_a2)
    assert (source.active, source.merged_into) == (False, world.branch_a2)
    assert fresh(world.cadre).org == world.branch_a2 and fresh(world.cadre).version == 2
    for child in (world.branch_a1a, world.branch_a1b):
        child = fresh(child)
        assert child.parent == world.branch_a2 and child.path.startswith(world.branch_a2.path)
    assert not Person.objects.filter(org=world.unit_a1).exists()
    assert subtree_counts(fresh(world.branch_a2)) == Counts(orgs=3, branches=3, people=6, members=6)
    event = last_event("org.merge")
    assert event.after["people"] == ["A1C1"] and sorted(event.after["children"]) == ["XS-A-1-1", "XS-A-1-2"]


def test_an_org_cannot_merge_into_itself_or_its_descendant(world):
    for into in (world.unit_a1, world.branch_a1a):
        with pytest.raises(ActionError):
            actions.merge_org(world.unit_a1, actor=world.county_office, into=into)
    assert fresh(world.unit_a1).active


def test_a_merged_org_can_neither_merge_again_nor_receive_orgs(world):
    actions.merge_org(world.branch_a1b, actor=world.county_office, into=world.branch_a1a)
    with pytest.raises(ActionError):
        actions.merge_org(world.branch_a1b, actor=world.county_office, into=world.branch_a2)
    with pytest.raises(ActionError):
        actions.merge_org(world.branch_a2, actor=world.county_office, into=world.branch_a1b)
    with pytest.raises(ActionError):
        actions.move_org(world.branch_a2, actor=world.county_office, new_parent=world.branch_a1b)


def test_a_county_office_cannot_merge_across_counties(world):
    with pytest.raises(PermissionDenied):
        actions.merge_org(world.branch_a2, actor=world.county_office, into=world.branch_b1)


# ------------------------------------------------------------------ field history


def test_field_history_keeps_every_version_of_an_org(world):
    actions.update_org(world.branch_a2, actor=world.county_office, name="新名称")
    actions.move_org(world.branch_a2, actor=world.county_office, new_parent=world.unit_a1)
    history = list(fresh(world.branch_a2).history.order_by("history_date", "history_id"))
    assert [h.name for h in history] == ["A县城关镇党支部", "新名称", "新名称"]
    assert [h.parent_id for h in history] == [world.county_a.pk, world.county_a.pk, world.unit_a1.pk]
    assert [h.version for h in history] == [1, 2, 3]


def test_field_history_shows_where_a_person_came_from_after_a_merge(world):
    actions.update_person(world.p_a1b[0], actor=world.county_office, post="组织委员")
    actions.merge_org(world.branch_a1b, actor=world.county_office, into=world.branch_a1a)
    history = list(fresh(world.p_a1b[0]).history.order_by("history_date", "history_id"))
    assert [h.org_id for h in history] == [world.branch_a1b.pk, world.branch_a1b.pk, world.branch_a1a.pk]
    assert [h.post for h in history] == ["", "组织委员", "组织委员"]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"kind": "支部"}, "kind", "组织类别“支部”无效"),
        ({"sector": "企业"}, "sector", "所属领域"),
        ({"name": "  "}, "name", "组织名称不能为空"),
        ({"code": "XS-A-1"}, "code", "已存在"),
    ],
    ids=["unknown-kind", "unknown-sector", "blank-name", "duplicate-code"],
)
def test_a_bad_org_is_refused_in_chinese_naming_the_field(world, fields, field, words):
    values = {"code": "XS-A-9", "name": "新党支部", "kind": "党支部"} | fields
    with pytest.raises(ActionError) as refused:
        actions.create_org(actor=world.county_office, parent=world.county_a, **values)
    assert refused.value.field == field and words in refused.value.message
    assert not Org.objects.filter(code="XS-A-9").exists()


def test_spaces_around_names_are_trimmed(world):
    person = actions.create_person(actor=None, org=world.branch_a2, number=" A2P1 ", name=" 戊一 ")
    assert (person.number, person.name) == ("A2P1", "戊一")


def test_an_unknown_status_is_refused_and_the_person_is_unchanged(world):
    with pytest.raises(ActionError) as refused:
        actions.update_person(world.cadre, actor=world.city_office, version=1, status="党员")
    assert refused.value.field == "status" and "政治面貌" in refused.value.message
    assert (fresh(world.cadre).status, fresh(world.cadre).version) == ("正式党员", 1)


# ------------------------------------------------------------------ rolled-up counts

SLOTS = st.integers(min_value=0, max_value=40)
TREES = st.lists(st.tuples(SLOTS, st.sampled_from(["党委", "党支部"])), min_size=2, max_size=8)
PEOPLE = st.lists(st.tuples(SLOTS, st.sampled_from(PERSON_STATUSES), st.booleans()), max_size=8)
CHANGES = st.lists(st.tuples(st.sampled_from(["move", "merge", "deactivate"]), SLOTS, SLOTS), min_size=1, max_size=4)


def _build(tree, people, changes):
    """Grow a tree from one root by the actions, as the command line would: orgs (each under an
    earlier one), people, then moves, merges and deactivations. Refused changes are skipped."""
    orgs = [actions.create_org(actor=None, parent=None, code="R", name="根", kind="党委")]
    for n, (parent, kind) in enumerate(tree):
        orgs.append(
            actions.create_org(actor=None, parent=orgs[parent % len(orgs)], code=f"R{n}", name=f"组织{n}", kind=kind)
        )
    for n, (org, status, active) in enumerate(people):
        actions.create_person(
            actor=None, org=orgs[org % len(orgs)], number=f"P{n}", name=f"人{n}", status=status, active=active
        )
    for verb, a, b in changes:
        org, other = orgs[1 + a % (len(orgs) - 1)], orgs[b % len(orgs)]  # never the root itself
        try:
            if verb == "move":
                actions.move_org(org, actor=None, new_parent=other)
            elif verb == "merge":
                actions.merge_org(org, actor=None, into=other)
            else:
                actions.update_org(org, actor=None, active=False)
        except ActionError:
            pass


def _naive_counts(org, all_orgs, all_people):
    """Count the subtree by following parent links one by one, ignoring paths."""
    below, frontier = {org.pk}, {org.pk}
    while frontier:
        frontier = {o.pk for o in all_orgs if o.parent_id in frontier} - below
        below |= frontier
    orgs = [o for o in all_orgs if o.pk in below and o.active]
    people = [p for p in all_people if p.org_id in below and p.active]
    return Counts(
        orgs=len(orgs),
        branches=sum(o.kind == "党支部" for o in orgs),
        people=len(people),
        members=sum(p.status in ("正式党员", "预备党员") for p in people),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, people=PEOPLE, changes=CHANGES)
@example(
    tree=[(0, "党委"), (1, "党支部"), (1, "党支部"), (0, "党委")],  # R ─ R0 ─ R1, R2; R ─ R3
    people=[(2, "正式党员", True), (3, "预备党员", True), (1, "群众", True), (2, "正式党员", False)],
    changes=[("merge", 0, 4), ("move", 2, 0), ("deactivate", 1, 0)],
)
def test_rolled_up_counts_equal_a_direct_recount_whatever_the_tree(db, tree, people, changes):
    with transaction.atomic():
        _build(tree, people, changes)
        all_orgs, all_people = list(Org.objects.all()), list(Person.objects.all())
        for org in all_orgs:
            expected_children = sorted(o.code for o in all_orgs if o.parent_id == org.pk and o.active)
            rolled_up = children_with_counts(org)
            assert sorted(child.code for child, _ in rolled_up) == expected_children
            for child, counts in rolled_up:
                assert counts == _naive_counts(child, all_orgs, all_people), child.code
            assert subtree_counts(org) == _naive_counts(org, all_orgs, all_people), org.code
            # the path and the denormalized parent link tell the same tree
            assert (Org.objects.get_parent(org).pk if org.depth > 1 else None) == org.parent_id, org.code
            assert org.numchild == sum(o.parent_id == org.pk for o in all_orgs), org.code
        assert verify_chain() == []
        transaction.set_rollback(True)
