"""Importing and exporting submissions and publicity items (templates `submissions` and `publicity`
of SPEC §4.2; the header names are the contract).

Natural keys make a re-import match instead of duplicate: a submission is (组织编码, 报送日期, 标题),
a publicity item is (组织编码, 宣传渠道, 日期, 标题或内容). A matched row updates what its columns say
(a column left out of the sheet changes nothing); a row equal to what is stored counts as unchanged.
A review result (采用, 退回, quality) is not in the template: an import never changes it.

Every row is checked first; only a wholly valid sheet is written, in bulk with history rows, in one
transaction recorded as one event. Relevance flags are computed for every written submission and
each flagged row is reported as a warning.
"""

from __future__ import annotations

from simple_history.utils import bulk_update_with_history

from tuijin.core.scope import subtree_q
from tuijin.core import events
from tuijin.core.calendar import today
from tuijin.imports.base import all_or_nothing, keyed_rows
from tuijin.imports.bulk import default_history_user, insert_with_history
from tuijin.imports.normalize import RowErrors, clean_text, parse_choice, parse_date
from tuijin.imports.registry import ImportFailed, ImportResult, register_loader
from tuijin.imports.fields import check_row_orgs, check_set_aside_orgs

from .actions import MAX_BODY, MAX_TITLE, apply_relevance, date_problem, link_problem
from .models import (
    CHANNELS,
    TYPES,
    PublicityItem,
    Solicitation,
    SolicitationTarget,
    Submission,
)

BATCH = 2000


def _text(row, column, errors, *, required=False, max_length=200):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return ""
    if len(value) > max_length:
        errors.add(row.number, column, f"太长（{len(value)} 字），最多 {max_length} 字")
    return value


def _choice(row, column, choices, errors, default=""):
    if clean_text(row.get(column)) is None:
        return default
    try:
        return parse_choice(row.get(column), choices)
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return default


def _date(row, column, errors, as_of):
    if clean_text(row.get(column)) is None:
        errors.add(row.number, column, "不能为空")
        return None
    try:
        value = parse_date(row.get(column))
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return None
    if message := date_problem(value, as_of):
        errors.add(row.number, column, message)
        return None
    return value


def _code(row, column, errors, *, required=True):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return None
    return value


def _history(actor):
    return {"default_user": actor if getattr(actor, "pk", None) else None, "default_change_reason": "导入"}


# ------------------------------------------------------------------ submissions

SUBMISSION_COLUMNS = {"body": "正文", "type": "信息类型", "solicitation_id": "约稿编号"}


def load_submissions(sheet, *, actor, dry_run=False) -> ImportResult:
    as_of = today()
    errors = RowErrors()

    def read(row):  # key (组织编码, 报送日期, 标题)
        code = _code(row, "组织编码", errors)
        title = _text(row, "标题", errors, required=True, max_length=MAX_TITLE)
        date = _date(row, "报送日期", errors, as_of)
        data = {
            "body": _text(row, "正文", errors, max_length=MAX_BODY),
            "type": _choice(row, "信息类型", TYPES, errors, default="工作动态"),
            "number": _code(row, "约稿编号", errors, required=False),
            "code": code,
        }
        return ((code, date, title) if code and title and date else None), data

    rows, set_aside = keyed_rows(
        sheet,
        read,
        errors,
        repeated=lambda key, row, first: ("标题", f"与第{first}行是同一条信息（组织、报送日期、标题都相同）"),
    )
    keyed = dict(rows)
    orgs = check_row_orgs(rows, actor, errors, what="信息报送")
    check_set_aside_orgs(set_aside, actor, errors, what="信息报送")
    set_aside += [d for key, d in keyed.items() if key not in rows]  # org wrong: 约稿编号 still checked

    numbers = {d["number"] for d in [*rows.values(), *set_aside] if d["number"]}
    sols = {s.number: s for s in Solicitation.objects.filter(number__in=numbers)}
    target_paths: dict[int, list[str]] = {}
    for sid, path in SolicitationTarget.objects.filter(solicitation__in=sols.values()).values_list(
        "solicitation_id", "org__path"
    ):
        target_paths.setdefault(sid, []).append(path)
    for d in set_aside:  # a key cell already reported: an unknown 约稿编号 is reported all the same
        if d["number"] and d["number"] not in sols:
            errors.add(d["row"], "约稿编号", f"约稿编号“{d['number']}”不存在")
    for (code, _, _), d in rows.items():
        d["solicitation_id"] = None
        if not d["number"]:
            continue
        s = sols.get(d["number"])
        org = orgs[code]
        if s is None:
            errors.add(d["row"], "约稿编号", f"约稿编号“{d['number']}”不存在")
        elif not any(org.path.startswith(p) for p in target_paths.get(s.pk, [])):
            errors.add(d["row"], "约稿编号", f"约稿“{s.number}”没有向{org.name}约稿")
        else:
            d["solicitation_id"] = s.pk

    stored: dict[tuple, Submission] = {}
    org_ids = list({orgs[code].pk for code, _, _ in rows})
    for i in range(0, len(org_ids), 500):
        for known in Submission.objects.filter(org_id__in=org_ids[i : i + 500]):
            stored[(known.org_id, known.date, known.title)] = known
    fields = [f for f, column in SUBMISSION_COLUMNS.items() if column in sheet.columns]
    result = ImportResult()
    creates: list[Submission] = []
    updates: list[Submission] = []
    flagged: list[str] = []
    for (code, date, title), d in rows.items():
        org = orgs[code]
        sub = stored.get((org.pk, date, title))
        if sub is None:
            sub = apply_relevance(
                Submission(
                    org=org,
                    title=title,
                    date=date,
                    body=d["body"],
                    type=d["type"],
                    solicitation_id=d["solicitation_id"],
                )
            )
            creates.append(sub)
        else:
            changed = [f for f in fields if getattr(sub, f) != d[f]]
            if not changed:
                result.unchanged += 1
                continue
            for f in changed:
                setattr(sub, f, d[f])
            sub.version += 1
            apply_relevance(sub)
            updates.append(sub)
        if sub.relevance_flagged:
            flagged.append(
                f"第{d['row']}行 标题: “{title[:30]}”与学习教育关联不紧密（{'；'.join(sub.relevance_reasons)}）"
            )
    if errors:
        raise ImportFailed(errors)  # before the relevance warnings, which only a valid sheet reports
    result.created, result.updated = len(creates), len(updates)
    result.warnings += flagged
    history = _history(actor)

    def write():
        insert_with_history(
            Submission, creates, user=history["default_user"] or default_history_user(Submission), reason="导入"
        )
        bulk_update_with_history(
            updates,
            Submission,
            fields + ["version", "relevance_flagged", "relevance_reasons"],
            batch_size=BATCH,
            **history,
        )
        events.record(
            actor,
            "import.submissions",
            ("imports", "submissions"),
            summary=f"导入信息报送：{result.summary()}",
            after={
                "created": [f"{s.org.code} {s.date} {s.title[:30]}" for s in creates][:200],
                "updated": [s.pk for s in updates][:200],
                "flagged": len(flagged),
            },
        )
        events.touched(list({s.org_id: s.org for s in creates + updates}.values()))

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_submissions(org, user):
    qs = Submission.objects.filter(subtree_q("org__path", org.path)).select_related("org", "solicitation")
    if user is not None:
        qs = qs.visible_to(user)
    for s in qs.order_by("org__path", "date", "id").iterator(chunk_size=2000):
        yield [s.org.code, s.title, s.body, s.type, s.date, s.solicitation.number if s.solicitation else ""]


# ------------------------------------------------------------------ publicity items

ITEM_COLUMNS = {"outlet": "媒体或地点", "link": "链接"}


def load_items(sheet, *, actor, dry_run=False) -> ImportResult:
    as_of = today()
    errors = RowErrors()

    def read(row):  # key (组织编码, 宣传渠道, 日期, 标题或内容)
        code = _code(row, "组织编码", errors)
        channel = _choice(row, "宣传渠道", CHANNELS, errors)
        if clean_text(row.get("宣传渠道")) is None:
            errors.add(row.number, "宣传渠道", "不能为空")
        date = _date(row, "日期", errors, as_of)
        title = _text(row, "标题或内容", errors, required=True, max_length=500)
        link = _text(row, "链接", errors, max_length=500)
        if message := link_problem(link):
            errors.add(row.number, "链接", message)
        data = {"outlet": _text(row, "媒体或地点", errors, max_length=200), "link": link, "code": code}
        return ((code, channel, date, title) if code and channel and date and title else None), data

    rows, set_aside = keyed_rows(
        sheet,
        read,
        errors,
        repeated=lambda key, row, first: ("标题或内容", f"与第{first}行重复（组织、渠道、日期、标题或内容都相同）"),
    )
    orgs = check_row_orgs(rows, actor, errors, what="宣传报道")
    check_set_aside_orgs(set_aside, actor, errors, what="宣传报道")
    stored: dict[tuple, PublicityItem] = {}
    org_ids = list({orgs[k[0]].pk for k in rows})
    for i in range(0, len(org_ids), 500):
        for known in PublicityItem.objects.filter(org_id__in=org_ids[i : i + 500]):
            stored[(known.org_id, known.channel, known.date, known.title)] = known
    fields = [f for f, column in ITEM_COLUMNS.items() if column in sheet.columns]
    result = ImportResult()
    creates: list[PublicityItem] = []
    updates: list[PublicityItem] = []
    for (code, channel, date, title), d in rows.items():
        org = orgs[code]
        item = stored.get((org.pk, channel, date, title))
        if item is None:
            creates.append(
                PublicityItem(org=org, channel=channel, date=date, title=title, outlet=d["outlet"], link=d["link"])
            )
            continue
        changed = [f for f in fields if getattr(item, f) != d[f]]
        if not changed:
            result.unchanged += 1
            continue
        for f in changed:
            setattr(item, f, d[f])
        item.version += 1
        updates.append(item)
    result.created, result.updated = len(creates), len(updates)
    history = _history(actor)

    def write():
        insert_with_history(
            PublicityItem, creates, user=history["default_user"] or default_history_user(PublicityItem), reason="导入"
        )
        bulk_update_with_history(updates, PublicityItem, fields + ["version"], batch_size=BATCH, **history)
        events.record(
            actor,
            "import.publicity",
            ("imports", "publicity"),
            summary=f"导入宣传报道：{result.summary()}",
            after={
                "created": [f"{i.org.code} {i.channel} {i.date}" for i in creates][:200],
                "updated": [i.pk for i in updates][:200],
            },
        )
        events.touched(list({i.org_id: i.org for i in creates + updates}.values()))

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_items(org, user):
    qs = PublicityItem.objects.filter(subtree_q("org__path", org.path)).select_related("org")
    if user is not None:
        qs = qs.visible_to(user)
    for i in qs.order_by("org__path", "date", "id").iterator(chunk_size=2000):
        yield [i.org.code, i.channel, i.outlet, i.title, i.date, i.link]


register_loader("submissions", load=load_submissions, export=export_submissions, choices={"信息类型": TYPES})
register_loader("publicity", load=load_items, export=export_items, choices={"宣传渠道": CHANNELS})
