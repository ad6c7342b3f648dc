"""Importing the org tree from an office's Excel sheet: all or nothing, re-import never duplicates.

The helpers here (office_sheet, import_errors, written_state) are shared by the other import tests.
"""

import pytest
from openpyxl import Workbook

from tests.conftest import make_org, refresh
from tuijin.core.models import DomainEvent
from tuijin.imports.registry import ImportFailed, export_subtree, run_import
from tuijin.orgs.models import Org, Person

ORG_HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "批次"]
TITLES = ("A县基层党组织名册", "填报单位（盖章）：A县委组织部　　　　填报日期：2026年11月27日")


def office_sheet(path, header, rows, titles=TITLES):
    """Write a sheet the way offices send them: merged title rows above the header, then the rows
    as given (None is a blank row). Data row i (0-based, blanks included) is Excel row
    len(titles) + 2 + i."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    for r, title in enumerate(titles, start=1):
        ws.cell(r, 1, title)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(header))
    header_row = len(titles) + 1
    for c, name in enumerate(header, start=1):
        ws.cell(header_row, c, name)
    for r, row in enumerate(rows, start=header_row + 1):
        for c, value in enumerate(row or (), start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def import_errors(kind, path, actor=None):
    with pytest.raises(ImportFailed) as failed:
        run_import(kind, path, actor=actor)
    return failed.value.errors


def written_state():
    """Everything an import could write: compare before/after to prove nothing was."""
    return {
        "orgs": sorted(
            Org.objects.values_list(
                "code", "name", "kind", "sector", "batch", "path", "parent__code", "numchild", "active"
            )
        ),
        "people": sorted(
            Person.objects.values_list(
                "number", "name", "org__code", "status", "post", "is_leading_cadre", "cadre_level", "phone"
            )
        ),
        "org_history": Org.history.count(),
        "events": DomainEvent.objects.count(),
    }


def assert_tree_is_sound():
    """treebeard's own consistency check: paths, depths, numchild; plus our parent column."""
    assert Org.objects.find_problems() == ([], [], [], [], [])
    for org in Org.objects.select_related("parent"):
        parent_path = org.path[: -Org.steplen]
        assert (org.parent.path if org.parent else "") == parent_path, org.code


# A county adds a street party working committee with its sub-branches, in its own layout: a 序号
# column, "*" on required headers, children listed before their parents, codes typed with
# full-width letters and digits, names and codes carrying stray (full-width) spaces.
MESSY_ORG_HEADER = ["序号", "*组织编码", "组织名称 ", "上级组织编码", "* 组织类别", "所属领域", "批次"]
NEW_STREET = [
    [1, "XS-A-3-1-1", "城关社区第一党支部　", "ＸＳ-Ａ-３-１ ", "党支部", "社区", "第二批"],
    None,
    [2, "ＸＳ-Ａ-３-１", " 城关社区党总支 ", "XS-A-３", "党总支", " 社区", "第二批"],
    [3, "XS-A-３\u3000", "A县城关街道党工委  ", "XS-A", "党工委", "机关", "第二批"],
    None,
    None,
]


def test_a_messy_sheet_creates_the_whole_subtree_with_parents_declared_later(world, tmp_path):
    path = office_sheet(tmp_path / "组织.xlsx", MESSY_ORG_HEADER, NEW_STREET)

    result = run_import("orgs", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert result.warnings == ["第3行 序号: 不是模板中的列，已忽略"]
    street = Org.objects.get(code="XS-A-3")
    community = Org.objects.get(code="XS-A-3-1")
    branch = Org.objects.get(code="XS-A-3-1-1")
    assert (street.name, street.kind, street.parent) == ("A县城关街道党工委", "党工委", world.county_a)
    assert (community.name, community.sector, community.parent) == ("城关社区党总支", "社区", street)
    assert (branch.name, branch.parent) == ("城关社区第一党支部", community)
    assert street.path.startswith(world.county_a.path) and street.depth == world.county_a.depth + 1
    assert branch.path.startswith(community.path) and community.path.startswith(street.path)
    assert set(Org.objects.get_descendants(Org.objects.get(code="XS-A")).values_list("code", flat=True)) >= {
        "XS-A-3",
        "XS-A-3-1",
        "XS-A-3-1-1",
    }
    assert_tree_is_sound()


def test_the_import_is_recorded_as_one_event_with_history_rows(world, tmp_path):
    events = DomainEvent.objects.count()
    path = office_sheet(tmp_path / "组织.xlsx", MESSY_ORG_HEADER, NEW_STREET)
    run_import("orgs", path, actor=world.county_office)
    assert DomainEvent.objects.count() == events + 1
    assert DomainEvent.objects.first().verb == "import.orgs"
    assert Org.history.filter(code="XS-A-3-1-1", history_type="+").exists()


def test_reimporting_the_same_sheet_changes_nothing(world, tmp_path):
    path = office_sheet(tmp_path / "组织.xlsx", MESSY_ORG_HEADER, NEW_STREET)
    run_import("orgs", path, actor=world.county_office)
    before = written_state()

    result = run_import("orgs", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    after = written_state()
    assert after["orgs"] == before["orgs"] and after["org_history"] == before["org_history"]
    assert Org.objects.filter(code="XS-A-3-1").count() == 1


def test_changing_a_name_updates_the_org_and_keeps_the_old_name_in_history(world, tmp_path):
    path = office_sheet(
        tmp_path / "改名.xlsx", ORG_HEADER, [["XS-A-2", "A县城关镇机关党支部", "XS-A", "党支部", "农村", "第二批"]]
    )

    result = run_import("orgs", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert refresh(world.branch_a2).name == "A县城关镇机关党支部"
    names = list(Org.history.filter(code="XS-A-2").order_by("history_date").values_list("name", flat=True))
    assert names[0] == "A县城关镇党支部" and names[-1] == "A县城关镇机关党支部"


def test_changing_a_parent_moves_the_org_with_its_whole_subtree(world, tmp_path):
    # The education bureau's party committee now reports to the town (a reorganisation).
    path = office_sheet(
        tmp_path / "调整.xlsx", ORG_HEADER, [["XS-A-1", "A县教育局党委", "XS-A-2", "党委", "学校", "第二批"]]
    )

    result = run_import("orgs", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    town, bureau = refresh(world.branch_a2), refresh(world.unit_a1)
    assert bureau.parent == town and bureau.path.startswith(town.path)
    for branch in (world.branch_a1a, world.branch_a1b):
        branch = refresh(branch)
        assert branch.parent == bureau and branch.path.startswith(bureau.path)
        assert branch.depth == town.depth + 2
    assert town.numchild == 1 and refresh(world.county_a).numchild == 1
    assert refresh(world.p_a1a[0]).org.path.startswith(town.path)  # people travel with their org
    assert Org.history.filter(code="XS-A-1").latest("history_date").parent_id == town.pk
    assert_tree_is_sound()


def test_an_existing_org_can_move_under_a_new_org_that_gets_children_in_the_same_sheet(world, tmp_path):
    path = office_sheet(
        tmp_path / "新设.xlsx",
        ORG_HEADER,
        [
            ["XS-A-9", "A县直属机关工委", "XS-A", "党工委", "机关", "第二批"],
            ["XS-A-9-1", "A县直属机关第一党支部", "XS-A-9", "党支部", "机关", "第二批"],
            ["XS-A-2", "A县城关镇党支部", "XS-A-9", "党支部", "农村", "第二批"],
        ],
    )

    result = run_import("orgs", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    committee = Org.objects.get(code="XS-A-9")
    assert set(Org.objects.get_children(committee).values_list("code", flat=True)) == {"XS-A-9-1", "XS-A-2"}
    assert committee.numchild == 2
    assert_tree_is_sound()


def test_two_orgs_may_trade_places_in_one_sheet(world, tmp_path):
    """The bureau moves up under the city and the county moves under the bureau: the end state is a
    valid tree, so it is accepted even though the county is the bureau's parent today."""
    path = office_sheet(
        tmp_path / "对调.xlsx",
        ORG_HEADER,
        [
            ["XS-A", "中共A县委", "XS-A-1", "党委", "机关", "第二批"],
            ["XS-A-1", "A县教育局党委", "XS", "党委", "学校", "第二批"],
        ],
    )

    run_import("orgs", path, actor=None)

    county, bureau = refresh(world.county_a), refresh(world.unit_a1)
    assert bureau.parent == world.city and county.parent == bureau
    assert refresh(world.branch_a2).path.startswith(county.path)
    assert_tree_is_sound()


def test_a_sheet_without_the_optional_columns_leaves_those_fields_alone(world, tmp_path):
    path = office_sheet(
        tmp_path / "简表.xlsx",
        ["组织编码", "组织名称", "上级组织编码", "组织类别"],
        [["XS-A-1-1", "A县教育局第一党支部", "XS-A-1", "党支部"]],
    )

    result = run_import("orgs", path, actor=world.county_office)

    assert result.unchanged == 1
    branch = refresh(world.branch_a1a)
    assert (branch.sector, branch.batch) == ("学校", "第二批")


# ------------------------------------------------------------------ invalid sheets


def test_every_invalid_row_is_reported_with_its_excel_row_and_nothing_is_written(world, tmp_path):
    path = office_sheet(
        tmp_path / "错误.xlsx",
        ORG_HEADER,
        [
            ["XS-A-5", "A县五支部", "XS-A", "党小组", "机关", "第二批"],  # row 4: unknown kind
            ["XS-A-6", "A县六支部", "XS-A", "党支部", "机关", "第二批"],  # row 5: fine
            None,  # row 6
            ["XS-A-6", "A县六支部（重复）", "XS-A", "党支部", "机关", "第二批"],  # row 7: duplicate code
            ["XS-A-7", "A县七支部", "XS-Z", "党支部", "机关", "第二批"],  # row 8: parent nowhere
            ["XS-A-8", "甲", "XS-A-8-1", "党总支", "机关", "第二批"],  # row 9: cycle with row 10
            ["XS-A-8-1", "乙", "XS-A-8", "党支部", "机关", "第二批"],  # row 10
            ["XS-A-1", "A县教育局党委", "XS-A-1-2", "党委", "学校", "第二批"],  # row 11: under own descendant
            ["XS-A-10", "", "XS-A", "", "机关", "第二批"],  # row 12: two blanks
        ],
    )
    before = written_state()

    errors = import_errors("orgs", path, actor=world.county_office)

    assert [e.split(":")[0] for e in errors] == [
        "第4行 组织类别",
        "第7行 组织编码",
        "第8行 上级组织编码",
        "第9行 上级组织编码",
        "第10行 上级组织编码",
        "第11行 上级组织编码",
        "第12行 组织名称",
        "第12行 组织类别",
    ]
    assert "“党小组”" in errors[0] and "党支部" in errors[0]
    assert "与第5行重复" in errors[1]
    assert "“XS-Z”不存在" in errors[2]
    assert "循环" in errors[3] and "循环" in errors[4]
    assert "自己的下级组织" in errors[5]
    assert errors[6].endswith("不能为空") and errors[7].endswith("不能为空")
    assert written_state() == before


def test_a_cycle_through_orgs_already_in_the_system_is_refused(world, tmp_path):
    # XS-A-1 under XS-B, and XS-B under XS-A-1-1 (which lives under XS-A-1): a loop.
    path = office_sheet(
        tmp_path / "循环.xlsx",
        ORG_HEADER,
        [
            ["XS-A-1", "A县教育局党委", "XS-B", "党委", "学校", "第二批"],
            ["XS-B", "中共B县委", "XS-A-1-1", "党委", "机关", "第二批"],
        ],
    )
    before = written_state()

    errors = import_errors("orgs", path, actor=None)

    assert [e.split(":")[0] for e in errors] == ["第4行 上级组织编码", "第5行 上级组织编码"]
    assert all("循环" in e for e in errors)
    assert written_state() == before


def test_a_missing_required_column_names_the_header_row(world, tmp_path):
    path = office_sheet(
        tmp_path / "缺列.xlsx", ["组织编码", "组织名称", "上级组织编码"], [["XS-A-5", "A县五支部", "XS-A"]]
    )
    before = written_state()
    assert import_errors("orgs", path, actor=world.county_office) == ["第3行 组织类别: 缺少此列"]
    assert written_state() == before


def test_a_sheet_with_only_a_header_says_there_is_no_data(world, tmp_path):
    path = office_sheet(tmp_path / "空表.xlsx", ORG_HEADER, [None, None])
    assert import_errors("orgs", path, actor=world.county_office) == ["第4行 组织编码: 表头下面没有数据"]


def test_a_parent_removed_from_an_existing_org_is_an_error(world, tmp_path):
    path = office_sheet(
        tmp_path / "无上级.xlsx", ORG_HEADER, [["XS-A-2", "A县城关镇党支部", "", "党支部", "农村", "第二批"]]
    )
    errors = import_errors("orgs", path, actor=world.county_office)
    assert [e.split(":")[0] for e in errors] == ["第4行 上级组织编码"]


# ------------------------------------------------------------------ who may import what


def test_a_county_office_cannot_add_orgs_outside_its_county_and_learns_nothing_about_them(world, tmp_path):
    path = office_sheet(
        tmp_path / "越权.xlsx",
        ORG_HEADER,
        [
            ["XS-B-2", "B县第二党支部", "XS-B-1", "党支部", "机关", "第二批"],
            ["XS-A-5", "A县五支部", "XS", "党支部", "机关", "第二批"],
        ],
    )
    before = written_state()

    errors = import_errors("orgs", path, actor=world.county_office)

    assert [e.split(":")[0] for e in errors] == ["第4行 上级组织编码", "第5行 上级组织编码"]
    assert not any("B县" in e or "X市" in e for e in errors)  # out of scope reads like "not there"
    assert written_state() == before


def test_a_county_office_cannot_rename_another_countys_org(world, tmp_path):
    path = office_sheet(tmp_path / "越权.xlsx", ORG_HEADER, [["XS-B-1", "改名", "XS-B", "党支部", "机关", "第二批"]])
    errors = import_errors("orgs", path, actor=world.county_office)
    # Answered exactly as for a code that does not exist: its parent XS-B is not there for this office.
    assert [e.split(":")[0] for e in errors] == ["第4行 上级组织编码"]
    assert "B县" not in errors[0]
    assert refresh(world.branch_b1).name == "B县第一党支部"


def test_only_the_command_line_may_add_a_new_top_level_org(world, tmp_path):
    path = office_sheet(tmp_path / "新根.xlsx", ORG_HEADER, [["YS", "中共Y市委", "", "党委", "机关", "第二批"]])
    errors = import_errors("orgs", path, actor=world.city_office)
    assert [e.split(":")[0] for e in errors] == ["第4行 上级组织编码"]

    result = run_import("orgs", path, actor=None)
    assert result.created == 1 and Org.objects.get(code="YS").depth == 1
    assert_tree_is_sound()


# ------------------------------------------------------------------ export and import back


def test_a_county_office_can_reimport_its_own_export_unchanged(world, tmp_path):
    make_org(world.branch_a2, "XS-A-2-1", "城关镇机关党小组", kind="党支部")
    out = tmp_path / "导出.xlsx"
    assert export_subtree("orgs", world.county_a, out, user=world.county_office) == 6
    before = written_state()

    result = run_import("orgs", out, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert written_state()["orgs"] == before["orgs"]


def test_a_merged_org_is_not_exported_and_so_not_revived_by_reimporting(world, tmp_path):
    from tuijin.orgs import actions

    actions.merge_org(world.branch_a1b, actor=None, into=world.branch_a1a)
    out = tmp_path / "导出.xlsx"
    export_subtree("orgs", world.county_a, out)

    result = run_import("orgs", out, actor=None)

    assert (result.created, result.updated) == (0, 0)
    assert refresh(world.branch_a1b).active is False
