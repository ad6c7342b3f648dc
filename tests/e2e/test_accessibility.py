"""An axe-core audit (axe-core from npm, injected by Playwright) of the main pages (issue 11, GB/T 37668 /
WCAG 2.1 AA): no critical and no serious violations."""

import datetime as dt

import pytest
from django.conf import settings

from tests.study.conftest import CAMPAIGN
from tuijin.campaigns.actions import load_campaign
from tuijin.rectification import actions

from .conftest import PHONE, chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]

AXE = settings.NODE_MODULES / "axe-core" / "axe.min.js"
PAGES = {
    "county_office": [
        "/",
        "/problems/XS-A/",
        "/problems/item/{pk}/",
        "/orgs/XS-A/",
        "/evaluation/XS-A/",
        "/evaluation/XS-A/scorecard/",
        "/study/XS-A/",
        "/campaigns/",
    ],
    "member": ["/", "/study/me/"],
    "public": ["/p/{token}/"],  # no login: the rating page a citizen opens from a QR code
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def audit(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => `${v.impact} ${v.id}: ${v.nodes.length} × ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
    }""")
    return result


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_main_pages_have_no_critical_or_serious_axe_violations(
    transactional_db, live_server, world, browser, login, monkeypatch, settings, tmp_path, persona
):
    assert AXE.exists(), "npm install（package.json 的 axe-core）"
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-09")
    settings.MEDIA_ROOT = tmp_path / "media"
    load_campaign(CAMPAIGN, actor=None)
    problem = actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        description="会议记录不规范",
        source="集体查",
        found_on=dt.date(2026, 11, 1),
        measures=[{"text": "规范记录"}],
    )
    actions.attach_evidence(problem, actor=world.branch_reporter, name="a.pdf", data=PDF)
    actions.set_measure_done(problem.measures.get(), actor=world.branch_reporter, done=True, as_of=dt.date(2026, 11, 9))
    actions.submit_for_acceptance(problem, actor=world.branch_reporter)
    item = actions.publish(problem, actor=world.county_office, summary="已规范")
    found = {}
    for viewport in ({"width": 1366, "height": 900}, PHONE):
        # axe-core is injected by the test, not served by the site: let it past the CSP (the other e2e tests
        # run under the real policy and fail on any violation).
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True)
        page = context.new_page()
        if persona != "public":
            login(page, persona)
        for url in PAGES[persona]:
            page.goto(live_server.url + url.format(pk=problem.pk, token=item.token))
            page.wait_for_load_state("networkidle")
            bad = audit(page)
            if bad:
                found[f"{viewport['width']} {url}"] = bad
        context.close()
    assert found == {}
