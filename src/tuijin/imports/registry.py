"""Import kinds (SPEC §4.2): their template columns, and the loader and exporter a module registers.

The header names are the contract: other offices' sheets and systems depend on them exactly.
Every kind has a template from the start; a kind's loader arrives with its module.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .sheet import SheetError, read_sheet
from .writer import write_xlsx

LIST_NOTE = "多项用“；”“;”“、”或换行分隔"
DATE_NOTE = "如 2026-11-27、2026/11/27 或 2026年11月27日"


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
    """Nothing was written; `errors` lists every problem as 第N行 列名: 原因."""

    def __init__(self, errors: list[str], warnings: list[str] | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.warnings = warnings or []


KINDS: dict[str, ImportKind] = {}


def _kind(name, label, headers, required, notes=None, aliases=None):
    KINDS[name] = ImportKind(name, label, headers, required, notes or {}, aliases or {})


_kind("orgs", "组织", ["组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "批次"],
      ["组织编码", "组织名称", "组织类别"],
      {"组织编码": "唯一且固定不变，重复导入按此更新", "上级组织编码": "最上级组织留空；可以是本表中前后任一行的组织",
       "组织类别": "党委/党工委/党组/党总支/党支部",
       "所属领域": "机关/事业单位/国有企业/学校/医院/农村/社区/非公企业/社会组织/其他", "批次": "第一批/第二批"},
      {"上级组织代码": "上级组织编码", "组织代码": "组织编码", "单位名称": "组织名称"})
_kind("people", "人员", ["人员编号", "姓名", "所在组织编码", "政治面貌", "职务", "是否领导干部", "干部层级", "手机号"],
      ["人员编号", "姓名", "所在组织编码"],
      {"人员编号": "唯一，重复导入按此更新；不要填身份证号", "政治面貌": "正式党员/预备党员/群众",
       "是否领导干部": "是/否", "干部层级": "县处级/乡科级/…", "手机号": "11 位手机号，页面上只显示部分"},
      {"所在组织代码": "所在组织编码", "党员编号": "人员编号", "手机号码": "手机号", "联系电话": "手机号"})
_kind("study-sessions", "集体学习",
      ["组织编码", "日期", "学习形式", "主题", "主讲人", "主讲人单位", "主讲人类别", "学习篇目", "参加人员编号",
       "参加人数", "时长（小时）"], ["组织编码", "日期", "学习形式", "主题"],
      {"日期": DATE_NOTE, "学习形式": "中心组学习/支部学习/专题研讨/读书班/宣讲报告/警示教育/现场教学/外出学习",
       "主讲人类别": "党校专家/本单位领导/其他", "学习篇目": LIST_NOTE + "，填篇目编码", "参加人员编号": LIST_NOTE})
_kind("self-study", "个人自学", ["人员编号", "日期", "篇目编码", "时长（分钟）", "学习心得"],
      ["人员编号", "日期", "篇目编码"], {"日期": DATE_NOTE, "时长（分钟）": "可不填，不计分"})
_kind("problems", "问题清单",
      ["组织编码", "问题编号", "问题类别", "问题来源", "问题描述", "整改措施", "责任人", "整改时限", "整改状态", "是否专项整治"],
      ["组织编码", "问题编号", "问题描述"],
      {"问题编号": "本组织内唯一，重复导入按此更新",
       "问题来源": "集体查/个人纠/群众评/上级查/本级督/下级提/上级交办/调研发现",
       "整改措施": LIST_NOTE, "整改时限": DATE_NOTE, "整改状态": "待整改/整改中/待验收/已销号/已反弹",
       "是否专项整治": "是/否"})
_kind("research", "调查研究", ["人员编号", "日期", "调研地点", "调研主题", "发现问题", "调研成果"],
      ["人员编号", "日期", "调研主题"], {"日期": DATE_NOTE, "发现问题": LIST_NOTE})
_kind("projects", "办实事项目", ["组织编码", "项目名称", "群众需求", "所属领域", "受益人数", "计划完成时间", "状态"],
      ["组织编码", "项目名称"],
      {"群众需求": "写明群众的急难愁盼", "所属领域": "就业/教育/医疗/养老/住房/交通/环境/安全/…",
       "计划完成时间": DATE_NOTE})
_kind("submissions", "信息报送", ["组织编码", "标题", "正文", "信息类型", "报送日期", "约稿编号"],
      ["组织编码", "标题", "报送日期"], {"信息类型": "工作动态/经验做法/典型案例/创新举措", "报送日期": DATE_NOTE})
_kind("publicity", "宣传报道", ["组织编码", "宣传渠道", "媒体或地点", "标题或内容", "日期", "链接"],
      ["组织编码", "宣传渠道", "日期"], {"宣传渠道": "电视/报刊/网络/新媒体/重点路段/公共场所/单位内部", "日期": DATE_NOTE})


def register_loader(name: str, *, load: Callable, export: Callable | None = None) -> None:
    KINDS[name].load = load
    KINDS[name].export = export


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
    if not sheet.rows:
        raise ImportFailed([f"第{sheet.header_row + 1}行 {kind.headers[0]}: 表头下面没有数据"], sheet.warnings)
    if progress:
        progress(f"已读取 {len(sheet.rows)} 行，正在逐行检查{'' if dry_run else '并写入'}", 40)
    result = kind.load(sheet, actor=actor, dry_run=dry_run)
    result.warnings = sheet.warnings + result.warnings
    result.dry_run = dry_run
    return result


def write_template(name: str, target) -> None:
    kind = get_kind(name)
    write_xlsx(target, kind.headers, [], sheet_name=kind.label, notes=kind.notes, title=f"{kind.label}导入模板")


def export_subtree(name: str, org, target, *, user=None) -> int:
    """Write the kind's rows for org's subtree in its template's columns; returns the row count."""
    kind = get_kind(name)
    if kind.export is None:
        raise ImportFailed([f"“{kind.label}”所属的功能模块尚未上线，暂不能导出"])
    rows = list(kind.export(org, user))
    write_xlsx(target, kind.headers, rows, sheet_name=kind.label, notes=kind.notes)
    return len(rows)
