"""Property-based fuzzing of the whole REST API from its own OpenAPI schema (schemathesis).

Every operation is its own test (one failure does not stop the others), driven through the Django
WSGI app with a city office's bearer token over the hand-built city of tests/conftest.py. Two checks:
no server error (5xx), and no status the schema does not document for that operation.
Examples are bounded (FUZZ_EXAMPLES per operation) so the whole run stays well under a minute.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tuijin.orgs.actions import issue_api_token

FUZZ_EXAMPLES = int(os.environ.get("TUIJIN_FUZZ_EXAMPLES", "8"))
APP = get_wsgi_application()


# Read through the app itself at collection (the schema needs no database); one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_api_operation_answers_only_documented_statuses_and_never_a_server_error(case, world, media):
    token = issue_api_token(actor=None, user=world.city_office)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, status_code_conformance]
    )


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes "old" connections when a request starts and ends; inside the test's
    transaction that would close PostgreSQL's connection under the test (SQLite's in-memory database
    ignores it). Django's own test client disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
