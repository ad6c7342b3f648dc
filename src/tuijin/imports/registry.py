"""Import kinds (SPEC §4.2): their template columns, and the loader and exporter a module registers.

The header names are the contract: other offices' sheets and systems depend on them exactly.
Every kind has a template from the start; a kind's loader arrives with its module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .normalize import RowErrors
from .sheet import SheetError, read_sheet
from .writer import write_template_xlsx, write_xlsx

LIST_NOTE = "多项用“；”“;”“、”或换行分隔"
DATE_NOTE = "如 2026-11-27、2026/11/27 或 2026年11月27日"
CODE_NOTE = "字母、数字和 - _ .，最长 40 位"


@dataclass
class ImportKind:
    name: str
    label: str
    headers: list[str]
    required: list[str]
    notes: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    load: Callable | None = None  # (sheet, *, actor, dry_run) -> ImportResult
    export: Callable | None = None  # (org, user) -> iterable of rows in `headers` order
    # The template's example row, in `headers` order; its first cell starts with EXAMPLE_MARK.
    example: list = field(default_factory=list)
    # {column: allowed values, or a callable giving them when the template is written}: the template's
    # drop-down lists, registered with the loader by the module that owns the values.
    choices: dict[str, list[str] | Callable[[], list[str]]] = field(default_factory=dict)
    # Columns whose drop-down only suggests (values the loader may accept beyond the list, e.g. a
    # campaign's own problem categories): Excel warns instead of refusing.
    open_choices: set[str] = field(default_factory=set)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        head = "检查通过（未写入）" if self.dry_run else "导入完成"
        return f"{head}：新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


class ImportFailed(Exception):
    """Nothing was written; `errors` lists every problem as 第N行 列名: 原因 (from RowErrors: the first
    MAX_REPORTED, then a line counting the rest); `total` counts them all."""

    def __init__(self, errors: list[str] | RowErrors, warnings: list[str] | None = None):
        if isinstance(errors, RowErrors):
            self.errors, self.total = errors.messages, errors.total
        else:
            self.errors, self.total = list(errors), len(errors)
        super().__init__("\n".join(self.errors))
        self.warnings = warnings or []


KINDS: dict[str, ImportKind] = {}


# The first data row of every template is an example: grey italics, its first cell starts with this
# mark (never a valid code or number), and run_import skips such rows with a warning, so the untouched
# template imports nothing and a clerk may leave the example in place (README: export-template).
EXAMPLE_MARK = "示例"
GUIDE_SHEET = "填写说明"


def _kind(name, label, headers, required, notes=None, aliases=None, example=None):
    KINDS[name] = ImportKind(name, label, headers, required, notes or {}, aliases or {})
    if example:
        assert len(example) == len(headers), name
        KINDS[name].example = [f"{EXAMPLE_MARK}：{example[0]}", *example[1:]]


_kind(
    "orgs",
    "组织",
    ["组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "批次"],
    ["组织编码", "组织名称", "组织类别"],
    {
        "组织编码": "唯一且固定不变，重复导入按此更新",
        "上级组织编码": "最上级组织留空；可以是本表中前后任一行的组织",
        "组织类别": "党委/党工委/党组/党总支/党支部",
        "所属领域": "机关/事业单位/国有企业/学校/医院/农村/社区/非公企业/社会组织/其他",
        "批次": "第一批/第二批",
    },
    {"上级组织代码": "上级组织编码", "组织代码": "组织编码", "单位名称": "组织名称"},
    example=["XS-A-9", "A县城关镇某某社区党支部", "XS-A", "党支部", "社区", "第二批"],
)
_kind(
    "people",
    "人员",
    ["人员编号", "姓名", "所在组织编码", "政治面貌", "职务", "是否领导干部", "干部层级", "手机号"],
    ["人员编号", "姓名", "所在组织编码"],
    {
        "人员编号": "唯一，重复导入按此更新；不要填身份证号",
        "政治面貌": "正式党员/预备党员/群众",
        "是否领导干部": "是/否",
        "干部层级": "县处级/乡科级/…",
        "手机号": "11 位手机号，页面上只显示部分",
    },
    {"所在组织代码": "所在组织编码", "党员编号": "人员编号", "手机号码": "手机号", "联系电话": "手机号"},
    example=["P000123", "王芳", "XS-A-9", "正式党员", "支部书记", "是", "乡科级", "13800001234"],
)
_kind(
    "study-sessions",
    "集体学习",
    [
        "组织编码",
        "日期",
        "学习形式",
        "主题",
        "主讲人",
        "主讲人单位",
        "主讲人类别",
        "学习篇目",
        "参加人员编号",
        "参加人数",
        "时长（小时）",
    ],
    ["组织编码", "日期", "学习形式", "主题"],
    {
        "日期": DATE_NOTE,
        "学习形式": "中心组学习/支部学习/专题研讨/读书班/宣讲报告/警示教育/现场教学/外出学习",
        "主讲人类别": "党校专家/本单位领导/其他",
        "学习篇目": LIST_NOTE + "，填篇目编码",
        "参加人员编号": LIST_NOTE,
        "参加人数": "整数；不填时按参加人员编号计",
        "时长（小时）": "数字，如 1.5",
    },
    example=[
        "XS-A-9",
        "2026-11-27",
        "专题研讨",
        "学习党的二十大报告",
        "张三",
        "A县委党校",
        "党校专家",
        "R1-01；R1-02",
        "P000123；P000124",
        25,
        2,
    ],
)
_kind(
    "self-study",
    "个人自学",
    ["人员编号", "日期", "篇目编码", "时长（分钟）", "学习心得"],
    ["人员编号", "日期", "篇目编码"],
    {"日期": DATE_NOTE, "时长（分钟）": "可不填，不计分"},
    example=["P000123", "2026-11-27", "R1-01", 30, "结合本职工作，理解了……"],
)
_kind(
    "problems",
    "问题清单",
    [
        "组织编码",
        "问题编号",
        "问题类别",
        "问题来源",
        "问题描述",
        "整改措施",
        "责任人",
        "整改时限",
        "整改状态",
        "是否专项整治",
    ],
    ["组织编码", "问题编号", "问题描述"],
    {
        "问题编号": "本组织内唯一，重复导入按此更新",
        "问题来源": "新问题必填；集体查/个人纠/群众评/上级查/本级督/下级提/上级交办/调研发现",
        "整改措施": LIST_NOTE,
        "整改时限": DATE_NOTE,
        "整改状态": "待整改/整改中/待验收/已销号/已反弹",
        "是否专项整治": "是/否",
    },
    example=[
        "XS-A-9",
        "2026-01",
        "理论学习",
        "集体查",
        "理论学习不够深入系统，学用结合不紧",
        "每月集中学习一次（责任人：王芳，时限：2026-12-31）；建立学习台账",
        "王芳",
        "2026-12-31",
        "整改中",
        "否",
    ],
)
_kind(
    "research",
    "调查研究",
    ["人员编号", "日期", "调研地点", "调研主题", "发现问题", "调研成果"],
    ["人员编号", "日期", "调研主题"],
    {"日期": DATE_NOTE, "发现问题": LIST_NOTE},
    example=[
        "P000123",
        "2026-11-27",
        "城关镇某某社区",
        "老旧小区基层治理",
        "道路破损；路灯不亮",
        "形成调研报告一篇，提出三条建议",
    ],
)
_kind(
    "projects",
    "办实事项目",
    ["组织编码", "项目名称", "群众需求", "所属领域", "受益人数", "计划完成时间", "状态"],
    ["组织编码", "项目名称"],
    {
        "群众需求": "写明群众的急难愁盼",
        "所属领域": "就业/教育/医疗/养老/住房/交通/环境/安全/…",
        "计划完成时间": DATE_NOTE,
        "受益人数": "整数（人），如 1200",
        "状态": "未开始/推进中/已完成",
    },
    example=["XS-A-9", "修缮某某小区道路", "居民反映道路破损，雨天出行难", "交通", 1200, "2026-12-31", "推进中"],
)
_kind(
    "submissions",
    "信息报送",
    ["组织编码", "标题", "正文", "信息类型", "报送日期", "约稿编号"],
    ["组织编码", "标题", "报送日期"],
    {
        "信息类型": "工作动态/经验做法/典型案例/创新举措",
        "报送日期": DATE_NOTE,
        "约稿编号": "回应约稿时填写约稿编号，否则留空",
    },
    example=[
        "XS-A-9",
        "某某社区开展专题研讨",
        "11月27日，某某社区党支部围绕……开展专题研讨。",
        "工作动态",
        "2026-11-27",
        "",
    ],
)
_kind(
    "publicity",
    "宣传报道",
    ["组织编码", "宣传渠道", "媒体或地点", "标题或内容", "日期", "链接"],
    ["组织编码", "宣传渠道", "日期"],
    {"宣传渠道": "电视/报刊/网络/新媒体/重点路段/公共场所/单位内部", "日期": DATE_NOTE},
    example=[
        "XS-A-9",
        "新媒体",
        "某某县融媒体中心公众号",
        "某某社区扎实开展主题教育",
        "2026-11-27",
        "https://example.com/news/1",
    ],
)


def register_loader(
    name: str,
    *,
    load: Callable,
    export: Callable | None = None,
    choices: dict[str, list[str] | Callable[[], list[str]]] | None = None,
    open_choices: set[str] | None = None,
) -> None:
    """choices: {column: allowed values} for the template's drop-down lists (a callable is asked each time
    a template is written); open_choices: columns whose list only suggests."""
    kind = KINDS[name]
    kind.load = load
    kind.export = export
    unknown = set(choices or {}) - set(kind.headers)
    if unknown:
        raise ValueError(f"{name}: no such columns {sorted(unknown)}")
    kind.choices = dict(choices or {})
    kind.open_choices = set(open_choices or ())


def is_example(row, kind: ImportKind) -> bool:
    """The template's example row (or a copy of it): its first column starts with EXAMPLE_MARK."""
    first = row.get(kind.headers[0])
    return isinstance(first, str) and first.startswith(EXAMPLE_MARK)


def get_kind(name: str) -> ImportKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ImportFailed([f"未知的导入类型“{name}”（可用：{'、'.join(KINDS)}）"]) from None


def run_import(name: str, source, *, actor, dry_run: bool = False, progress=None) -> ImportResult:
    """Read, validate every row, then write everything in one transaction or nothing at all.

    progress(stage, percent), when given, is told where the import is (the web job's progress bar)."""
    kind = get_kind(name)
    if kind.load is None:
        raise ImportFailed([f"“{kind.label}”导入所属的功能模块尚未上线，目前只能下载模板"])
    try:
        sheet = read_sheet(source, expected=kind.headers, required=kind.required, aliases=kind.aliases)
    except SheetError as exc:
        raise ImportFailed(exc.messages) from exc
    except Exception as exc:  # calamine raises several types for files that are not spreadsheets
        raise ImportFailed([f"无法读取文件，请上传 .xlsx 格式的 Excel 表格（{type(exc).__name__}）"]) from exc
    examples = [row for row in sheet.rows if is_example(row, kind)]
    if examples:
        sheet.rows = [row for row in sheet.rows if not is_example(row, kind)]
        sheet.warnings += [
            f"第{row.number}行 {kind.headers[0]}: 以“{EXAMPLE_MARK}”开头，是模板中的示例行，已跳过" for row in examples
        ]
        if not sheet.rows:  # the untouched template: nothing to import, and nothing wrong
            return ImportResult(warnings=sheet.warnings, dry_run=dry_run)
    if not sheet.rows:
        raise ImportFailed([f"第{sheet.header_row + 1}行 {kind.headers[0]}: 表头下面没有数据"], sheet.warnings)
    if progress:
        progress(f"已读取 {len(sheet.rows)} 行，正在逐行检查{'' if dry_run else '并写入'}", 40)
    result = kind.load(sheet, actor=actor, dry_run=dry_run)
    result.warnings = sheet.warnings + result.warnings
    result.dry_run = dry_run
    return result


def template_guide(kind: ImportKind) -> list[list[str]]:
    """The rows of the template's 填写说明 sheet: one per column (name, required, format, allowed values,
    example), then the general rules."""
    choices = template_choices(kind)
    rows = [["列名", "是否必填", "填写格式", "可选值", "示例"]]
    for i, column in enumerate(kind.headers):
        note = kind.notes.get(column, "")
        allowed = choices.get(column)
        if allowed:  # the note's "a/b/c" list is in 可选值; what else it says stays
            rest = "；".join(part for part in note.split("；") if "/" not in part)
            fmt = ("从下拉列表中选择，也可填写列表以外的值" if column in kind.open_choices else "从下拉列表中选择") + (
                f"；{rest}" if rest else ""
            )
        else:
            fmt = note or (CODE_NOTE if column.endswith(("编码", "人员编号")) else "文字")
        example = kind.example[i] if kind.example else ""
        if i == 0 and isinstance(example, str) and example.startswith(EXAMPLE_MARK):
            example = example.split("：", 1)[-1]
        rows.append(
            [
                column,
                "必填" if column in kind.required else "选填",
                fmt,
                "、".join(allowed or []),
                "" if example is None else str(example),
            ]
        )
    rows += [
        [],
        ["说明"],
        ["1. 表头（第1行）的列名不能修改；列的顺序可以调整，不在模板中的列导入时会被忽略。"],
        [f"2. 第2行灰色斜体的是示例行，第一格以“{EXAMPLE_MARK}”开头，导入时自动跳过；可以删除，也可以保留。"],
        ["3. 导入前先检查整张表，全部正确才会写入；有错误时列出每一处错误的行号、列名和原因，不写入任何数据。"],
        ["4. 同一条记录再次导入时按编号等关键列更新，不会重复。"],
    ]
    return rows


def template_choices(kind: ImportKind) -> dict[str, list[str]]:
    return {column: list(values() if callable(values) else values) for column, values in kind.choices.items()}


def write_template(name: str, target) -> None:
    """The blank template: header row, one example row (skipped on import), drop-down lists for the columns
    with fixed values, and the 填写说明 sheet. The header row is the contract of SPEC §4.2."""
    kind = get_kind(name)
    write_template_xlsx(
        target,
        kind.headers,
        sheet_name=kind.label,
        notes=kind.notes,
        title=f"{kind.label}导入模板",
        example=kind.example,
        choices=template_choices(kind),
        open_choices=kind.open_choices,
        guide=template_guide(kind),
        guide_name=GUIDE_SHEET,
    )


def export_subtree(name: str, org, target, *, user=None) -> int:
    """Write the kind's rows for org's subtree in its template's columns; returns the row count."""
    kind = get_kind(name)
    if kind.export is None:
        raise ImportFailed([f"“{kind.label}”所属的功能模块尚未上线，暂不能导出"])
    rows = list(kind.export(org, user))
    write_xlsx(target, kind.headers, rows, sheet_name=kind.label, notes=kind.notes)
    return len(rows)
