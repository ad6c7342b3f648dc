"""Loading a campaign from its TOML file (SPEC §4.3): validate everything, then write in one action."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field

from tuijin.core import detectors
from tuijin.orgs.models import Org

from . import rules
from .models import CATEGORY_MAX_LENGTH, DEFAULT_PROBLEM_CATEGORIES

CAMPAIGN_KEYS = {
    "name",
    "start",
    "end",
    "root",
    "satisfaction_threshold",
    "satisfaction_min_votes",
    "participants",
    "lag_threshold",
    "severe_lag_threshold",
    "problem_categories",
}
READING_KEYS = {"code", "title", "chapters"}
TASK_KEYS = {"code", "title", "applies_to", "deadline", "rule"}


class CampaignFileError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class CampaignSpec:
    campaign: dict
    root: Org
    reading: list[dict] = field(default_factory=list)  # {code, title, chapters: [(code, title)]}
    tasks: list[dict] = field(default_factory=list)


def _date(value, where, errors):
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"{where}: 日期应写成 2026-09-01，实际为“{value}”")
    return None


def _categories(value, errors) -> list[str]:
    where = "[campaign] problem_categories"
    if not isinstance(value, list) or not value:
        errors.append(f'{where}: 应为非空的类别列表，如 ["理论学习", "工作作风", "其他"]')
        return []
    categories = []
    for item in value:
        name = item.strip() if isinstance(item, str) else ""
        if not name:
            errors.append(f"{where}: 类别应为非空文字，实际为“{item}”")
        elif len(name) > CATEGORY_MAX_LENGTH:
            errors.append(f"{where}: 类别“{name}”太长（{len(name)} 字），最多 {CATEGORY_MAX_LENGTH} 字")
        elif name in categories:
            errors.append(f"{where}: 类别“{name}”重复")
        else:
            categories.append(name)
    return categories


RECTIFICATION_KEYS = {"recheck_days"}


def _rectification(table, errors) -> int:
    """[rectification]: recheck_days (回头看: days after 销号, 1–365, default 60)."""
    if not isinstance(table, dict):
        errors.append("[rectification]: 应为表，如 [rectification] 下写 recheck_days = 60")
        return 60
    for key in sorted(set(table) - RECTIFICATION_KEYS):
        errors.append(f"[rectification]: 未知的字段“{key}”，可用的有：recheck_days")
    days = table.get("recheck_days", 60)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        errors.append(f"[rectification] recheck_days: 回头看间隔天数应为 1 到 365 之间的整数，实际为“{days}”")
        return 60
    return days


def parse(text: str) -> CampaignSpec:
    """Parse and validate a campaign file. Raises CampaignFileError listing every problem."""
    errors: list[str] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignFileError([f"TOML 格式错误：{exc}"]) from exc
    unknown_sections = set(data) - {"campaign", "reading", "task", "detectors", "rectification"}
    if unknown_sections:
        errors.append(f"未知的节：{'、'.join(sorted(unknown_sections))}")
    c = data.get("campaign")
    if not isinstance(c, dict):
        raise CampaignFileError(errors + ["缺少 [campaign] 节"])
    for key in sorted(set(c) - CAMPAIGN_KEYS):
        errors.append(f"[campaign]: 未知的字段“{key}”")
    for key in ("name", "start", "end", "root"):
        if key not in c:
            errors.append(f"[campaign]: 缺少 {key}")
    start = _date(c.get("start"), "[campaign] start", errors) if "start" in c else None
    end = _date(c.get("end"), "[campaign] end", errors) if "end" in c else None
    if start and end and end <= start:
        errors.append("[campaign]: end 应晚于 start")
    root = Org.objects.filter(code=str(c.get("root", ""))).first()
    if "root" in c and root is None:
        errors.append(f"[campaign] root: 组织编码“{c['root']}”不存在，请先导入组织")
    threshold = c.get("satisfaction_threshold", 0.9)
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        errors.append("[campaign] satisfaction_threshold: 应为 0 到 1 之间的小数，如 0.9")
    min_votes = c.get("satisfaction_min_votes", 10)
    if not isinstance(min_votes, int) or min_votes < 1:
        errors.append("[campaign] satisfaction_min_votes: 应为正整数")
    errors += [f"[campaign] participants: {e}" for e in rules.validate_applies_to(c.get("participants", {}))]
    categories = _categories(c.get("problem_categories", DEFAULT_PROBLEM_CATEGORIES), errors)

    reading, seen_codes = [], set()
    for i, item in enumerate(data.get("reading", []), start=1):
        where = f"[[reading]] 第{i}项"
        for key in sorted(set(item) - READING_KEYS):
            errors.append(f"{where}: 未知的字段“{key}”")
        if not item.get("code") or not item.get("title"):
            errors.append(f"{where}: 缺少 code 或 title")
        chapters = []
        for raw in item.get("chapters", []):
            code, _, title = str(raw).strip().partition(" ")
            if not title.strip():
                errors.append(f'{where}: 篇目“{raw}”应写成“编码 标题”，如 "R1-01 第一部分"')
            if code in seen_codes:
                errors.append(f"{where}: 编码“{code}”重复")
            seen_codes.add(code)
            chapters.append((code, title.strip()))
        reading.append({"code": str(item.get("code", "")), "title": item.get("title", ""), "chapters": chapters})

    tasks, task_codes = [], set()
    for i, t in enumerate(data.get("task", []), start=1):
        where = f"[[task]] {t.get('code') or f'第{i}项'}"
        for key in sorted(set(t) - TASK_KEYS):
            errors.append(f"{where}: 未知的字段“{key}”")
        for key in ("code", "title", "deadline", "rule"):
            if key not in t:
                errors.append(f"{where}: 缺少 {key}")
        if t.get("code") in task_codes:
            errors.append(f"{where}: 任务编码重复")
        task_codes.add(t.get("code"))
        deadline = _date(t["deadline"], f"{where} deadline", errors) if "deadline" in t else None
        applies_to = t.get("applies_to", {})
        errors += [f"{where} applies_to: {e}" for e in rules.validate_applies_to(applies_to)]
        rule = t.get("rule")
        if rule is not None:
            if not isinstance(rule, dict):
                errors.append(f"{where} rule: 应为表")
            else:
                rule_errors = rules.validate_rule(rule)
                errors += [f"{where} rule: {e}" for e in rule_errors]
                if not rule_errors:
                    errors += [f"{where} rule: {e}" for e in rules.check_where_values(rule["count"], rule.get("where"))]
        tasks.append(
            {
                "code": str(t.get("code", "")),
                "title": t.get("title", ""),
                "applies_to": applies_to,
                "deadline": deadline,
                "rule": rule,
            }
        )
    detector_config = data.get("detectors", {})
    errors += detectors.validate(detector_config)
    recheck_days = _rectification(data.get("rectification", {}), errors)
    if errors:
        raise CampaignFileError(errors)
    campaign = {
        "name": c["name"],
        "start": start,
        "end": end,
        "participants": c.get("participants", {}),
        "satisfaction_threshold": float(threshold),
        "satisfaction_min_votes": min_votes,
        "lag_threshold": float(c.get("lag_threshold", 0.10)),
        "severe_lag_threshold": float(c.get("severe_lag_threshold", 0.25)),
        "detectors": detector_config,
        "problem_categories": categories,
        "recheck_days": recheck_days,
    }
    return CampaignSpec(campaign=campaign, root=root, reading=reading, tasks=tasks)
