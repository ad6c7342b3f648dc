"""疑似泛化: does a practical project (办实事) read like routine duty, or name no need and no beneficiaries?

The speech's complaint: 把办实事泛化、简单化，将日常工作与解决群众“急难愁盼”问题混为一谈. The rules are
data, so an office can extend them without touching the logic:

- ROUTINE: phrases of routine duty, each a pattern over the project name and the reason shown to
  the clerk. `unless_people` spares a name that also says which people outside the office it serves
  ("组织技能培训帮助200名失业人员再就业" is work for the unemployed, "组织业务培训" is not).
- PEOPLE: words that name the people a need belongs to (a need must say whose need it is).
- CHECKS: functions (Subject -> list of reasons); append one to add a rule.

`check(...)` returns the reasons, in a stable order; an empty list means the project is not flagged.
The flag is for supervision (an office reviews it), never a refusal to save.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from tuijin.core.phrases import compiled, normalize

MIN_NEED_CHARS = 6


@dataclass(frozen=True)
class Routine:
    phrase: str  # as shown to the clerk: 召开会议
    pattern: str  # regex searched in the normalized name
    reason: str
    unless_people: bool = False

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern)


ROUTINE: list[Routine] = [
    Routine("召开会议", r"召开.{0,20}会|^开会", "召开会议是推进工作的方式，不是为群众解决的具体问题"),
    Routine("日常巡查", r"(日常|例行|常规|定期|常态化).{0,6}(巡查|巡逻|巡检)", "日常巡查是职责范围内的常规工作"),
    Routine("例行检查", r"(例行|日常|常规|定期).{0,6}(检查|督查|抽查)", "例行检查是职责范围内的常规工作"),
    Routine(
        "完成年度任务",
        r"完成.{0,12}(年度|全年|上级|既定|目标).{0,8}(任务|目标|指标)",
        "完成年度任务是本职工作，不是专门为群众办的实事",
    ),
    Routine("年度考核", r"(年度|季度|半年|绩效|目标).{0,4}考核", "考核是内部管理工作"),
    Routine(
        "开展学习",
        r"(开展|组织|加强|深化|集中).{0,12}(学习|研讨)",
        "开展学习是主题教育的规定动作，不是办实事",
        unless_people=True,
    ),
    Routine("组织培训", r"(组织|开展|举办|参加).{0,12}培训", "组织培训是日常业务工作", unless_people=True),
    Routine("常规工作", r"常规工作|日常工作|本职工作|日常管理|日常业务|日常事务", "常规工作不能算作办实事"),
    Routine("撰写报告", r"(撰写|起草|编写|报送|上报).{0,12}(报告|材料|总结|简报|信息)", "撰写、报送材料是内部事务"),
    Routine(
        "制定方案",
        r"(制定|印发|修订|完善).{0,12}(方案|计划|制度|办法|规定)",
        "制定方案、制度是工作手段（建章立制请在问题整改中登记），本身不是为群众办成的实事",
    ),
    Routine(
        "组织生活",
        r"主题党日|党日活动|三会一课|组织生活会|民主生活会|讲党课|上党课",
        "党内组织生活是党建常规工作，不是为群众办的实事",
    ),
    Routine("宣传宣讲", r"(开展|加强|做好|组织).{0,10}(宣传|宣讲)", "宣传宣讲是工作方式，不是解决群众的实际困难"),
    Routine("整理台账", r"(整理|规范|完善|建立).{0,8}(台账|档案|资料)", "整理台账资料是内部事务"),
    Routine("加强党建", r"(加强|推进|抓好|提升).{0,6}党建|党建工作", "党的建设是本职工作"),
    Routine("开展调研", r"开展.{0,10}调研|调查研究", "调研请登记为调研记录，它不是办实事项目"),
]

# Words that say whose need it is. A number followed by 户/人/名… counts too ("32户").
PEOPLE: list[str] = [
    "群众",
    "居民",
    "村民",
    "农户",
    "农民",
    "市民",
    "百姓",
    "人民",
    "老人",
    "老年",
    "长者",
    "儿童",
    "学生",
    "家长",
    "师生",
    "幼儿",
    "婴幼儿",
    "患者",
    "病人",
    "孕产妇",
    "残疾",
    "困难",
    "低保",
    "特困",
    "独居",
    "留守",
    "空巢",
    "妇女",
    "青年",
    "毕业生",
    "失业",
    "务工",
    "职工",
    "工人",
    "农民工",
    "退役军人",
    "住户",
    "业主",
    "租户",
    "商户",
    "经营户",
    "个体户",
    "企业",
    "乘客",
    "游客",
    "司机",
    "骑手",
    "快递员",
    "家庭",
    # a need that came from people names them implicitly
    "反映",
    "诉求",
    "投诉",
    "来信",
    "来访",
]
_COUNTED_PEOPLE = r"\d+\s*(户|人|名|位|家|所|个村|个小区)"


@dataclass(frozen=True)
class Subject:
    """What the rules look at, normalized once."""

    name: str
    need: str
    need_category: str
    beneficiaries: int | None


# Shared with rectification's 措施不具体 check (core/phrases.py).
_compiled = compiled


@functools.lru_cache(maxsize=16)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern:
    """One regex that matches where any of the patterns does: a name most rules miss is searched once."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@functools.lru_cache(maxsize=16)
def _people(words: tuple[str, ...]) -> re.Pattern:
    return _any_of((*map(re.escape, words), _COUNTED_PEOPLE))


def names_people(text: str) -> bool:
    return bool(_people(tuple(PEOPLE)).search(normalize(text)))


# ------------------------------------------------------------------ the checks


def routine_name(s: Subject) -> list[str]:
    """The name reads like routine duty. A name that is nothing but the routine phrase says so."""
    name = s.name.strip("。.，,；;！!")
    reasons: list[str] = []
    if not _any_of(tuple(rule.pattern for rule in ROUTINE)).search(name):
        return reasons  # no rule matches anywhere in the name
    for rule in ROUTINE:
        match = rule.regex.search(name)
        if match is None:
            continue
        if rule.unless_people and names_people(name):
            continue
        if rule.regex.fullmatch(name) or len(name) - (match.end() - match.start()) <= 2:
            reasons.append(f"项目名称就是一项常规工作（{rule.phrase}），没有写明为谁、解决什么问题")
        else:
            reasons.append(f"名称像日常工作“{rule.phrase}”：{rule.reason}")
    return reasons


def no_need(s: Subject) -> list[str]:
    if s.need:
        return []
    if s.need_category and s.need_category != "其他":
        return [f"只选了所属领域“{s.need_category}”，未写明群众的具体需求（急难愁盼）"]
    return ["未写明群众需求（急难愁盼）"]


def need_detail(s: Subject) -> list[str]:
    if not s.need:
        return []  # already reported by no_need
    if len(s.need) < MIN_NEED_CHARS:
        return [f"群众需求写得太简单（少于 {MIN_NEED_CHARS} 个字），看不出要解决群众的什么问题"]
    if not names_people(s.need):
        return ["群众需求没有写明是哪些群众的需求（如居民、老人、学生、农户，或“32户”这样的数量）"]
    return []


def no_beneficiaries(s: Subject) -> list[str]:
    if s.beneficiaries is None:
        return ["未填写受益人数"]
    if s.beneficiaries <= 0:
        return ["受益人数为 0"]
    return []


CHECKS: list[Callable[[Subject], list[str]]] = [routine_name, no_need, need_detail, no_beneficiaries]

RULES = {"routine": ROUTINE, "people": PEOPLE, "checks": CHECKS, "min_need_chars": MIN_NEED_CHARS}


def check(name: str, need: str = "", need_category: str = "", beneficiaries: int | None = None) -> list[str]:
    """Reasons the project is 疑似泛化; empty when it reads like a real answer to a people's need."""
    subject = Subject(normalize(name), normalize(need), (need_category or "").strip(), beneficiaries)
    reasons: list[str] = []
    for rule in CHECKS:
        for reason in rule(subject):
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def check_project(project) -> list[str]:
    return check(project.name, project.need, project.need_category, project.beneficiaries)
