"""What the product must not tell (issue 12, finding 10): whether a code or number exists outside one's
scope, the API schema to strangers in production, and formulas hidden in exported cells."""

import importlib
import io

import openpyxl
import pytest
from django.urls import clear_url_caches

from tests.imports.test_org_import import ORG_HEADER, import_errors, office_sheet
from tests.imports.test_people_import import PEOPLE_HEADER, TITLES
from tuijin.imports.sheet import read_sheet
from tuijin.imports.writer import write_xlsx
from tuijin.orgs.models import Org


def _answers(kind, header, rows, tmp_path, actor):
    """The import's messages for each row, with the code itself replaced so two codes can be compared."""
    path = office_sheet(tmp_path / f"{kind}-{rows[0][0]}.xlsx", header, rows, titles=TITLES)
    return [e.replace(rows[0][0], "＊") for e in import_errors(kind, path, actor=actor)]


@pytest.mark.parametrize("parent", ["XS-B", "XS-Z", "", "XS"])
def test_an_org_code_outside_the_scope_answers_like_a_code_that_does_not_exist(world, tmp_path, parent):
    row = ["名称", parent, "党支部", "机关", "第二批"]
    elsewhere = _answers("orgs", ORG_HEADER, [["XS-B-1"] + row], tmp_path, world.county_office)
    nowhere = _answers("orgs", ORG_HEADER, [["XS-B-7"] + row], tmp_path, world.county_office)
    assert elsewhere == nowhere
    assert not any("B县" in e or "其他单位" in e for e in elsewhere)


def test_an_org_code_taken_outside_the_scope_is_only_said_to_be_taken(world, tmp_path):
    errors = import_errors(
        "orgs",
        office_sheet(
            tmp_path / "o.xlsx", ORG_HEADER, [["XS-B-1", "新支部", "XS-A", "党支部", "机关", "第二批"]], titles=TITLES
        ),
        actor=world.county_office,
    )
    assert errors == ["第4行 组织编码: 组织编码“XS-B-1”已被占用，请换一个编码"]


@pytest.mark.parametrize("org", ["XS-B-1", "XS-Z"])
def test_a_person_number_outside_the_scope_answers_like_one_that_does_not_exist(world, tmp_path, org):
    row = ["某人", org, "正式党员", "", "否", "", ""]
    elsewhere = _answers("people", PEOPLE_HEADER, [["B1P1"] + row], tmp_path, world.county_office)
    nowhere = _answers("people", PEOPLE_HEADER, [["B1P7"] + row], tmp_path, world.county_office)
    assert elsewhere == nowhere


def test_a_person_number_taken_outside_the_scope_names_neither_the_person_nor_the_org(world, tmp_path):
    errors = import_errors(
        "people",
        office_sheet(
            tmp_path / "p.xlsx",
            PEOPLE_HEADER,
            [["B1P1", "某人", "XS-A-2", "正式党员", "", "否", "", ""]],
            titles=TITLES,
        ),
        actor=world.county_office,
    )
    assert errors == ["第4行 人员编号: 人员编号“B1P1”已被占用，请核对编号"]
    assert not any(word in errors[0] for word in ("丁一", "B县", "其他组织"))


@pytest.fixture
def production_urls(settings):
    """The URLconf as it is built with TUIJIN_ENV=production (the API reads settings.PRODUCTION)."""
    import tuijin.api.api
    import tuijin.urls

    def build(production):
        settings.PRODUCTION = production
        for module in (tuijin.api.api, tuijin.urls):
            importlib.reload(module)
        clear_url_caches()

    build(True)
    yield
    build(False)


def test_in_production_the_api_schema_and_docs_need_a_login(client, world, production_urls):
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        assert client.get(url).status_code == 302, url
    client.force_login(world.county_office)
    assert client.get("/api/v1/openapi.json").json()["info"]["title"].startswith("推进")
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\tcmd", '=HYPERLINK("http://x")'])
def test_exported_cells_that_a_spreadsheet_would_evaluate_are_prefixed_and_read_back_unchanged(tmp_path, text):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, ["备注", "名称"], [[text, "平常文字-不变"]])
    cells = [c.value for c in next(openpyxl.load_workbook(path).active.iter_rows(min_row=2))]
    assert cells == ["'" + text, "平常文字-不变"]
    back = read_sheet(path, expected=["备注", "名称"], required=["备注"]).rows[0].values["备注"]
    assert back == text.strip()


def test_a_scorecard_export_of_an_org_whose_name_holds_a_slash_downloads(client, world):
    Org.objects.filter(pk=world.county_a.pk).update(name="中共A县委/A县人民政府[联合]*?")
    client.force_login(world.city_office)
    for url in (
        "/evaluation/XS-A/scorecard/?format=xlsx",
        "/evaluation/XS-A/data/heatmap.xlsx",
        "/evaluation/XS-A/data/units.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/" not in response["Content-Disposition"].split("''", 1)[1]
        openpyxl.load_workbook(io.BytesIO(response.content))
