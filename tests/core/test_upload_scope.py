"""Page uploads (issue 12): the scope check comes before the body is read. CsrfViewMiddleware looks for
its token in a POST's form fields, which parses a multipart body; ScopeBeforeBody answers an
out-of-scope upload with 404 first, so an outsider cannot make the server parse a large upload. CSRF
still holds for the uploads that do go through."""

import re

import pytest
from django.test import Client

from tuijin.rectification.models import Evidence
from tuijin.research import actions as research_actions
from tuijin.research.models import ProjectEvidence
from tuijin.study import actions as study_actions
from tuijin.study.models import SessionEvidence

from tests.rectification.conftest import PDF, PNG, problem  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


class BodyMustNotBeRead:
    """A request body that fails the test the moment anything reads it."""

    def read(self, *args):
        raise AssertionError("the upload's body was read")

    readline = read


def post_unreadable(client, path):
    boundary = "tuijin-boundary"
    return client.generic(
        "POST",
        path,
        b"x",
        content_type=f"multipart/form-data; boundary={boundary}",
        **{"wsgi.input": BodyMustNotBeRead(), "CONTENT_LENGTH": str(50 * 1024 * 1024)},
    )


@pytest.fixture
def session(world):
    import datetime as dt

    return study_actions.record_session(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        form="支部学习",
        date=dt.date(2026, 10, 9),
        topic="学习研讨",
        attendees=world.p_a1a,
    )


@pytest.fixture
def project(world):
    import datetime as dt

    return research_actions.create_project(
        actor=world.branch_reporter, org=world.branch_a1a, name="解决群众难题", listed_on=dt.date(2026, 10, 9)
    )


def _targets(problem, session, project):
    return [
        (f"/problems/item/{problem.pk}/evidence/", f"/problems/item/{problem.pk}/", Evidence, PDF, "整改.pdf"),
        (f"/study/session/{session.pk}/evidence/", f"/study/session/{session.pk}/", SessionEvidence, PNG, "合影.png"),
        (
            f"/research/project/{project.pk}/evidence/",
            f"/research/project/{project.pk}/",
            ProjectEvidence,
            PDF,
            "佐证.pdf",
        ),
    ]


def test_an_out_of_scope_upload_is_404_before_its_body_is_read(world, problem, session, project):
    for outsider in (world.county_office.__class__.objects.get(username="guide"), world.outsider):
        client = Client(enforce_csrf_checks=True)
        client.force_login(outsider)
        for upload_path, _page, model, _data, _name in _targets(problem, session, project):
            response = post_unreadable(client, upload_path)
            assert response.status_code == 404, (outsider.username, upload_path, response.status_code)
            assert not model.objects.exists()


def test_an_anonymous_upload_goes_to_the_login_page_unread(world, problem, session, project):
    client = Client(enforce_csrf_checks=True)
    for upload_path, *_ in _targets(problem, session, project):
        response = post_unreadable(client, upload_path)
        assert response.status_code == 302 and response.url.startswith("/login/"), upload_path


def test_an_in_scope_upload_works_and_still_needs_its_csrf_token(world, problem, session, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.branch_reporter)
    for upload_path, page_path, model, data, name in _targets(problem, session, project):
        refused = client.post(upload_path, {"file": SimpleUploadedFile(name, data)})
        assert refused.status_code == 403 and not model.objects.exists(), upload_path  # no token: CSRF refuses
        page = client.get(page_path).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = client.post(upload_path, {"file": SimpleUploadedFile(name, data), "csrfmiddlewaretoken": token})
        assert response.status_code == 302, (upload_path, response.status_code)
        assert model.objects.get().name == name
