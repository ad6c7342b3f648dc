"""Phrase rules over Chinese text that more than one module reads (the 泛化 machinery).

`normalize` and `compiled` are shared with research/genericness.py (疑似泛化 projects). `vague_measure`
is its counterpart for 整改措施 (措施不具体): a measure whose every clause is only a general verb —
"加强理论学习，提高思想认识", "进一步改进作风" — with no number, time, owner or concrete act in it.
The patterns are data (lists below), so an office can extend them without touching the logic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_CACHE: dict[str, re.Pattern] = {}


def normalize(text: str | None) -> str:
    """Full-width to half-width, no whitespace: "日常 巡查" and "日常巡查" read the same."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def compiled(pattern: str) -> re.Pattern:
    if pattern not in _CACHE:
        _CACHE[pattern] = re.compile(pattern)
    return _CACHE[pattern]


# A clause that opens with one of these (after optional adverbs) says what to strengthen, not what to do.
VAGUE_ADVERBS = ["进一步", "切实", "认真", "持续", "不断", "努力", "着力", "全面", "深入", "继续", "更加", "积极"]
VAGUE_VERBS = [
    "加强",
    "提高",
    "提升",
    "强化",
    "深化",
    "增强",
    "改进",
    "加大",
    "注重",
    "重视",
    "抓好",
    "做好",
    "落实",
    "规范",
    "完善",
    "健全",
    "树牢",
    "筑牢",
    "端正",
    "转变",
]
# Anything of these makes a clause concrete: a figure, a time, who does it, or a concrete act.
CONCRETE = [
    r"\d",
    r"[一二两三四五六七八九十百千]+(次|个|项|名|人|户|期|场|篇|条|盏|处|所|家)",
    r"每(周|月|季|年|半年)",
    r"(年|月|日)底?(前|以前|之前)",
    r"年底|月底|季度末",
    r"负责|牵头|责任人",
    r"召开|举办|开设|配备|设立|安装|更换|维修|改造|修建|新建|印发|出台|修订|制定.{0,10}(办法|制度|规定|方案)",
]


def _vague_clause(clause: str) -> bool:
    head = rf"^({'|'.join(VAGUE_ADVERBS)})*({'|'.join(VAGUE_VERBS)})"
    if not compiled(head).search(clause):
        return False
    return not any(compiled(p).search(clause) for p in CONCRETE)


def vague_measure(text: str | None) -> bool:
    """True when every clause of the measure is only a general verb ("加强…", "提高…", "进一步…")."""
    clauses = [c for c in re.split(r"[，,；;、。.！!\n]+", normalize(text)) if c]
    return bool(clauses) and all(_vague_clause(c) for c in clauses)


# 就整改抓整改 (issue 16): a measure that is only a meeting, study or a plan changes nothing in the work
# itself. A clause is *formal* when it names one of FORMAL and none of CHANGE; a clause that only says who
# or by when (OWNER_OR_TIME) says nothing either way.
FORMAL = [
    r"召开.{0,20}(会|座谈)",
    r"(会议|座谈会|专题会|部署会).{0,6}(研究|部署|学习)",
    r"研究部署|动员部署|安排部署",
    r"学习|研讨|培训|讲.{0,2}党课|警示教育|谈心谈话",
    r"(制定|研究制定|印发|拟定).{0,12}(方案|计划|清单)",
]
CHANGE = [
    r"安装|更换|维修|改造|修建|新建|建成|解决|办结|清理|清退|整治|拆除|配备|设立|开通|上线|减少|压缩|缩短|退还|补发"
    r"|修订.{0,10}(制度|办法|规定|规程)|出台.{0,10}(制度|办法|规定|规程)|(制定|建立).{0,10}(制度|办法|规定|规程|机制)"
]
OWNER_OR_TIME = [
    r"^由?[^，,]{0,12}(负责|牵头)(落实|实施)?$",
    r"^(\d{4}年)?(\d{1,2}月(\d{1,2}日)?|年底|月底|季度末)(底)?(前|以前|之前)?(完成|落实)?$",
]


def _formal_clause(clause: str) -> bool | None:
    """True: only a meeting, study or plan; False: a real act; None: only who or by when."""
    if any(compiled(p).search(clause) for p in OWNER_OR_TIME):
        return None
    if any(compiled(p).search(clause) for p in CHANGE):
        return False
    return any(compiled(p).search(clause) for p in FORMAL)


def formal_measure(text: str | None) -> bool:
    """True when the measure is only meetings, study or "制定方案" ("召开专题会议研究整改，组织集中学习")."""
    verdicts = [_formal_clause(c) for c in re.split(r"[，,；;、。.！!\n]+", normalize(text)) if c]
    said = [v for v in verdicts if v is not None]
    return bool(said) and all(said)


def formal_rectification(measure_texts: Iterable[str | None]) -> bool:
    """就整改抓整改: a problem with measures, every one of them only a meeting, study or plan."""
    texts = list(measure_texts)
    return bool(texts) and all(formal_measure(t) for t in texts)
