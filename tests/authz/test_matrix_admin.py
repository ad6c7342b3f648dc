"""The authorization matrix for the three separated admin roles (三员分立, SPEC §1 and §3).

The system administrator manages accounts, the security administrator role grants, the audit
administrator reads the audit log — each only that, and nobody else reaches these pages at all (404,
so other roles do not learn they exist). The changes are tried on the account "spare" (a unit
grant on XS-B-1) and must leave everything as it was when refused.
"""

from tuijin.core.models import DomainEvent
from tuijin.orgs.models import RoleGrant, User

from .matrix import Change, Endpoint, Page, anonymous_test, change_test, object_test, only, page_test

OBJECT_ENDPOINTS = [
    # The switches only answer a POST: a GET is 404 even for the role that may use them.
    Endpoint("account_active_get", "/admin3/accounts/{}/active/", "account", sees={}),
    Endpoint("grant_revoke_get", "/admin3/grants/{}/revoke/", "grant", sees={}),
    Endpoint("mfa_reset_get", "/admin3/mfa/reset/", "account", sees={}),
]

PAGES = [
    Page("admin_accounts", "/admin3/accounts/", {"sysadmin": 200}),
    Page("admin_grants", "/admin3/grants/", {"secadmin": 200}),
    Page("admin_audit", "/admin3/audit/", {"auditadmin": 200}),
    Page("admin_audit_verify", "/admin3/audit/?verify=1", {"auditadmin": 200}),
    # The pickers' search (issue 11): each kind only for the admin whose form picks it.
    Page("admin_search_orgs", "/admin3/search/?kind=org&q=县", {"secadmin": 200}),
    Page("admin_search_users", "/admin3/search/?kind=user&q=s", {"secadmin": 200}),
    Page("admin_search_groups", "/admin3/search/?kind=group&q=组", {"secadmin": 200}),
    Page("admin_search_people", "/admin3/search/?kind=person&q=甲", {"sysadmin": 200}),
    Page("admin_search_unknown_kind", "/admin3/search/?kind=audit&q=a", {}),
]

NEW_PASSWORD = "Matrix-passw0rd-2026"

CHANGES = [
    Change(
        "account_create",
        "post",
        "/admin3/accounts/",
        "site",
        lambda label: {"username": "newbie", "password": NEW_PASSWORD, "person_number": ""},
        lambda label: User.objects.filter(username="newbie").exists(),
        sees=only("sysadmin"),
        ok=302,
    ),
    Change(
        "account_deactivate",
        "post",
        "/admin3/accounts/{}/active/",
        "account",
        lambda label: {"active": "0"},
        lambda label: not User.objects.get(username=label).is_active,
        sees=only("sysadmin", labels=("spare",)),
        ok=302,
    ),
    Change(
        "grant_create",
        "post",
        "/admin3/grants/",
        "site",
        lambda label: {"username": "spare", "role": "unit", "org_code": "XS-A-2", "group_code": ""},
        lambda label: RoleGrant.objects.filter(user__username="spare", org__code="XS-A-2").exists(),
        sees=only("secadmin"),
        ok=302,
    ),
    Change(
        "grant_revoke",
        "post",
        "/admin3/grants/{}/revoke/",
        "grant",
        applied=lambda label: not RoleGrant.objects.filter(user__username=label).exists(),
        sees=only("secadmin", labels=("spare",)),
        ok=302,
    ),
    # Removing an account's authenticator (lost phone) is the security administrator's, and recorded.
    Change(
        "mfa_reset",
        "post",
        "/admin3/mfa/reset/",
        "site",
        lambda label: {"username": "spare"},
        lambda label: DomainEvent.objects.filter(verb="mfa.reset", summary__contains="spare").exists(),
        sees=only("secadmin"),
        ok=302,
    ),
]

test_an_object_is_shown_in_scope_and_is_404_outside = object_test(OBJECT_ENDPOINTS)
test_a_page_answers_each_persona_as_the_table_says = page_test(PAGES)
test_a_change_is_404_outside_scope_and_refused_without_the_permission = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login = anonymous_test(objects=OBJECT_ENDPOINTS, pages=PAGES, changes=CHANGES)
