"""The one scope function: each role sees exactly its part of the tree."""

from tuijin.core.scope import scope_paths
from tuijin.orgs.models import Org, Person


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_city_office_sees_the_whole_city(world):
    assert codes(Org.objects.visible_to(world.city_office)) == set(Org.objects.values_list("code", flat=True))


def test_county_office_sees_only_its_county(world):
    assert codes(Org.objects.visible_to(world.county_office)) == {"XS-A", "XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-A-2"}
    people = set(Person.objects.visible_to(world.county_office).values_list("number", flat=True))
    assert "B1P1" not in people and "A1A1" in people


def test_branch_reporter_sees_its_branch_only(world):
    assert codes(Org.objects.visible_to(world.branch_reporter)) == {"XS-A-1-1"}


def test_guidance_group_sees_assigned_orgs_with_subtrees(world):
    assert codes(Org.objects.visible_to(world.guide)) == {"XS-B", "XS-B-1"}


def test_member_sees_own_record_and_own_org(world):
    assert set(Person.objects.visible_to(world.member).values_list("number", flat=True)) == {"A1A1"}
    assert codes(Org.objects.visible_to(world.member)) == {"XS-A-1-1"}


def test_admin_roles_and_outsiders_see_no_business_data(world):
    for user in (world.sysadmin, world.secadmin, world.auditadmin, world.outsider):
        assert not Org.objects.visible_to(user).exists()
        assert not Person.objects.visible_to(user).exists()


def test_nested_grants_collapse_to_the_outer_path(world):
    from tuijin.orgs import actions

    actions.grant_role(actor=None, user=world.county_office, role="unit", org=world.branch_a1a)
    assert scope_paths(world.county_office) == [world.county_a.path]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Org.objects.visible_to(AnonymousUser()).exists()


def test_search_does_not_find_people_who_left(world):
    from tuijin.orgs.actions import update_person
    from tuijin.orgs.queries import search_people

    assert search_people(world.county_office, "甲2").exists()
    update_person(world.p_a1a[1], actor=None, active=False)
    assert not search_people(world.county_office, "甲2").exists()
