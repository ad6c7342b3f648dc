"""Importing people: matched by 人员编号, all or nothing, phones kept whole but only ever shown masked."""

from tests.imports.test_org_import import import_errors, office_sheet, written_state
from tuijin.imports.registry import export_subtree, run_import
from tuijin.orgs.models import Person

PEOPLE_HEADER = ["人员编号", "姓名", "所在组织编码", "政治面貌", "职务", "是否领导干部", "干部层级", "手机号"]
TITLES = ("A县城关镇党员花名册", "填报时间：2026年11月")

# Data starts on Excel row 4 (two title rows, header on row 3). The office's own layout: a 序号
# column, "手机号码" for 手机号, names padded with full-width spaces, phones typed every which way.
TOWN_HEADER = ["序号", "人员编号", "姓名", "所在组织编码", "政治面貌", "职务", "是否领导干部", "干部层级", "手机号码"]
TOWN_PEOPLE = [
    [1, "A2P1 ", "王　芳", "XS-A-２", "正式 党员", "支部书记", "是", "乡科级", "138 0000 5678"],
    None,
    [2, "A2P2", "李强\u3000", " XS-A-2", " 预备党员", "", "否", "", "+86 139-0000-1111"],
    [3, "Ａ2P3", "赵敏", "XS-A-2", "群众", "", "√", "县处级", 13700002222],
    [4, "A2P4", "钱多多", "XS-A-2", None, None, None, None, None],
    None,
]


def person(number):
    return Person.objects.get(number=number)


def test_a_messy_people_sheet_is_read_the_way_the_clerk_meant_it(world, tmp_path):
    path = office_sheet(tmp_path / "人员.xlsx", TOWN_HEADER, TOWN_PEOPLE, titles=TITLES)

    result = run_import("people", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert result.warnings == ["第3行 序号: 不是模板中的列，已忽略"]  # 手机号码 is read as 手机号
    wang = person("A2P1")
    assert (wang.name, wang.org, wang.status, wang.post) == ("王芳", world.branch_a2, "正式党员", "支部书记")
    assert (wang.is_leading_cadre, wang.cadre_level, wang.phone) == (True, "乡科级", "13800005678")
    li = person("A2P2")
    assert (li.name, li.status, li.is_leading_cadre, li.phone) == ("李强", "预备党员", False, "13900001111")
    zhao = person("A2P3")
    assert (zhao.status, zhao.is_leading_cadre, zhao.cadre_level, zhao.phone) == ("群众", True, "县处级", "13700002222")
    qian = person("A2P4")
    assert (qian.status, qian.is_leading_cadre, qian.phone) == ("正式党员", False, "")


def test_reimporting_the_same_people_sheet_changes_nothing(world, tmp_path):
    path = office_sheet(tmp_path / "人员.xlsx", TOWN_HEADER, TOWN_PEOPLE, titles=TITLES)
    run_import("people", path, actor=world.county_office)
    before = written_state()

    result = run_import("people", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert written_state()["people"] == before["people"]
    assert Person.objects.filter(number="A2P1").count() == 1


def test_reimporting_updates_people_by_their_number_and_can_move_them_to_another_org(world, tmp_path):
    count = Person.objects.count()
    path = office_sheet(
        tmp_path / "调整.xlsx",
        PEOPLE_HEADER,
        [
            ["A1A2", "甲二", "XS-A-2", "正式党员", "组织委员", "否", "", ""],  # moved to the town
            ["A1B2", "乙二", "XS-A-1-2", "正式党员", "", "否", "", ""],  # 预备党员 → 正式党员
        ],
        titles=TITLES,
    )

    result = run_import("people", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert Person.objects.count() == count
    moved = person("A1A2")
    assert (moved.org, moved.post) == (world.branch_a2, "组织委员")
    assert person("A1B2").status == "正式党员"
    assert list(Person.history.filter(number="A1A2").order_by("history_date").values_list("org__code", flat=True)) == [
        "XS-A-1-1",
        "XS-A-2",
    ]


def test_every_invalid_person_row_is_reported_and_nothing_is_written(world, tmp_path):
    path = office_sheet(
        tmp_path / "错误.xlsx",
        PEOPLE_HEADER,
        [
            ["A2P1", "王芳", "XS-A-9", "正式党员", "", "否", "", ""],  # row 4: org nowhere
            ["A2P2", "李强", "XS-A-2", "正式党员", "", "否", "", "1380000123"],  # row 5: 10 digits
            ["A2P3", "赵敏", "XS-A-2", "正式党员", "", "否", "", ""],  # row 6
            ["A2P3", "赵敏", "XS-A-2", "正式党员", "", "否", "", ""],  # row 7: duplicate
            ["A2P5", "孙悦", "XS-A-2", "团员", "", "也许", "", ""],  # row 8: two bad choices
            ["A2P6", "周全", "XS-A-2", "正式党员", "", "否", "县处级", ""],  # row 9: level but no cadre
            ["A2P7", "吴用", "XS-A-2", "正式党员", "", "否", "", "138****1234"],  # row 10: masked, new person
            ["A2P8", "", "", "正式党员", "", "否", "", ""],  # row 11: two blanks
        ],
        titles=TITLES,
    )
    before = written_state()

    errors = import_errors("people", path, actor=world.county_office)

    assert [e.split(":")[0] for e in errors] == [
        "第4行 所在组织编码",
        "第5行 手机号",
        "第7行 人员编号",
        "第8行 政治面貌",
        "第8行 是否领导干部",
        "第9行 干部层级",
        "第10行 手机号",
        "第11行 姓名",
        "第11行 所在组织编码",
    ]
    assert "“XS-A-9”不存在" in errors[0]
    assert "“1380000123”不是有效的手机号" in errors[1]
    assert "与第6行重复" in errors[2]
    assert "隐藏了中间四位" in errors[6]
    assert written_state() == before


def test_a_masked_phone_from_an_export_keeps_the_stored_number(world, tmp_path):
    path = office_sheet(
        tmp_path / "人员.xlsx",
        PEOPLE_HEADER,
        [["A1A1", "甲1", "XS-A-1-1", "正式党员", "", "否", "", "138****1234"]],
        titles=TITLES,
    )
    result = run_import("people", path, actor=world.county_office)
    assert result.unchanged == 1
    assert person("A1A1").phone == "13800001234"


def test_a_masked_phone_that_does_not_match_the_stored_one_is_an_error(world, tmp_path):
    path = office_sheet(
        tmp_path / "人员.xlsx",
        PEOPLE_HEADER,
        [["A1A1", "甲1", "XS-A-1-1", "正式党员", "", "否", "", "139****1234"]],
        titles=TITLES,
    )
    assert [e.split(":")[0] for e in import_errors("people", path, world.county_office)] == ["第4行 手机号"]


def test_a_sheet_without_a_phone_column_does_not_erase_stored_phones(world, tmp_path):
    path = office_sheet(
        tmp_path / "无手机号.xlsx",
        ["人员编号", "姓名", "所在组织编码", "职务"],
        [["A1A1", "甲1", "XS-A-1-1", "宣传委员"]],
        titles=TITLES,
    )
    run_import("people", path, actor=world.county_office)
    assert (person("A1A1").post, person("A1A1").phone) == ("宣传委员", "13800001234")


def test_people_export_then_reimport_reports_everything_unchanged(world, tmp_path):
    out = tmp_path / "人员导出.xlsx"
    export_subtree("people", world.county_a, out, user=world.county_office)
    before = written_state()

    result = run_import("people", out, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert written_state() == {**before, "events": before["events"] + 1}
    assert person("A1A1").phone == "13800001234"


# ------------------------------------------------------------------ who may import whom


def test_a_county_office_cannot_put_people_into_another_county(world, tmp_path):
    path = office_sheet(
        tmp_path / "越权.xlsx",
        PEOPLE_HEADER,
        [
            ["A2P1", "王芳", "XS-A-2", "正式党员", "", "否", "", ""],
            ["B1P9", "郑新", "XS-B-1", "正式党员", "", "否", "", ""],
        ],
        titles=TITLES,
    )
    before = written_state()

    errors = import_errors("people", path, actor=world.county_office)

    assert [e.split(":")[0] for e in errors] == ["第5行 所在组织编码"]
    assert "B县" not in errors[0]  # an org out of scope reads like one that does not exist
    assert written_state() == before


def test_a_county_office_cannot_take_over_a_person_of_another_county(world, tmp_path):
    path = office_sheet(
        tmp_path / "越权.xlsx", PEOPLE_HEADER, [["B1P1", "丁一", "XS-A-2", "正式党员", "", "否", "", ""]], titles=TITLES
    )
    errors = import_errors("people", path, actor=world.county_office)
    assert [e.split(":")[0] for e in errors] == ["第4行 人员编号"]
    assert person("B1P1").org == world.branch_b1


def test_a_branch_reporter_imports_people_into_its_own_branch_only(world, tmp_path):
    own = office_sheet(
        tmp_path / "本支部.xlsx",
        PEOPLE_HEADER,
        [["A1A9", "甲九", "XS-A-1-1", "预备党员", "", "否", "", "13800009999"]],
        titles=TITLES,
    )
    assert run_import("people", own, actor=world.branch_reporter).created == 1
    assert person("A1A9").org == world.branch_a1a

    sibling = office_sheet(
        tmp_path / "隔壁支部.xlsx",
        PEOPLE_HEADER,
        [["A1B9", "乙九", "XS-A-1-2", "正式党员", "", "否", "", ""]],
        titles=TITLES,
    )
    assert [e.split(":")[0] for e in import_errors("people", sibling, world.branch_reporter)] == ["第4行 所在组织编码"]
    assert not Person.objects.filter(number="A1B9").exists()


def test_people_cannot_be_put_into_an_org_that_was_merged_away(world, tmp_path):
    from tuijin.orgs import actions

    actions.merge_org(world.branch_a1b, actor=None, into=world.branch_a1a)
    path = office_sheet(
        tmp_path / "旧名单.xlsx",
        PEOPLE_HEADER,
        [["A1B9", "乙九", "XS-A-1-2", "正式党员", "", "否", "", ""]],
        titles=TITLES,
    )
    errors = import_errors("people", path, world.county_office)
    assert [e.split(":")[0] for e in errors] == ["第4行 所在组织编码"] and "并入" in errors[0]
