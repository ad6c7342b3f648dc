"""Issue 11: forms tie help texts and errors to their inputs (aria-describedby names ids that exist) and a
failed submit shows an error summary at the top with a link to each field in error."""

import lxml.html
from django.test import Client

from tests.conftest import login_as


def dangling(html: str) -> list[str]:
    page = lxml.html.fromstring(html)
    ids = set(page.xpath("//@id"))
    return [
        ref
        for el in page.xpath("//*[@aria-describedby]")
        for ref in el.get("aria-describedby").split()
        if ref not in ids
    ]


def test_a_failed_submit_lists_each_field_in_error_with_a_link(world):
    client = Client()
    client.force_login(world.branch_reporter)
    response = client.post("/problems/XS-A-1-1/new/", {"measures-TOTAL_FORMS": "0", "measures-INITIAL_FORMS": "0"})
    html = response.content.decode()
    page = lxml.html.fromstring(html)
    summary = page.get_element_by_id("error-summary")
    links = [a.get("href") for a in summary.xpath(".//a")]
    invalid = ["#" + el.get("id") for el in page.xpath("//main//form//*[@aria-invalid='true']")]
    assert links and links == invalid
    assert "#id_description" in links
    assert not dangling(html) and "{#" not in html  # no template comment leaks into the page
    # A page that was not submitted has no summary.
    assert 'id="error-summary"' not in client.get("/problems/XS-A-1-1/new/").content.decode()


def test_help_texts_are_tied_to_their_inputs(world):
    client = Client()
    login_as(client, world.sysadmin)
    html = client.get("/admin3/accounts/").content.decode()
    page = lxml.html.fromstring(html)
    password = page.get_element_by_id("id_password")
    assert "id_password_helptext" in password.get("aria-describedby").split()
    assert "至少 10 位" in page.get_element_by_id("id_password_helptext").text_content()
    assert not dangling(html)
    html = client.post("/admin3/accounts/", {"username": "", "password": "1"}).content.decode()
    assert not dangling(html) and 'id="error-summary"' in html
