"""Changes to campaigns: loading a file (create or update by name), editing the reading list.

None of them refreshes the counters (core.derived.refresh): a campaign's file and reading list are
counted at every org it covers (reading coverage is members × chapters; tasks), so what a change would
refresh is the whole subtree, which costs what the daily rebuild costs (minutes for a city), inside an
office's request. The counters follow at the next daily rebuild; a task changed since then is
evaluated live (its fingerprint in CounterDate.tasks)."""

from django.db import transaction
from django.db.models import ProtectedError

from tuijin.core import events
from tuijin.core.errors import ActionError
from tuijin.core.permissions import require

from .loader import CampaignFileError, CampaignSpec, parse
from .models import Campaign, Chapter, ReadingItem, Task


def load_campaign(spec: CampaignSpec | str, *, actor) -> Campaign:
    """Create or update the campaign named in the file. Reading items and tasks are matched by
    code: re-loading the same file changes nothing, and a task dropped from the file is removed."""
    if isinstance(spec, str):
        spec = parse(spec)
    with transaction.atomic():
        require(actor, "campaign.manage", spec.root)
        campaign = Campaign.objects.filter(name=spec.campaign["name"]).first()
        created = campaign is None
        campaign = campaign or Campaign(name=spec.campaign["name"])
        for key, value in spec.campaign.items():
            setattr(campaign, key, value)
        campaign.root = spec.root
        campaign.save()
        keep_items = []
        for pos, item in enumerate(spec.reading):
            obj, _ = ReadingItem.objects.update_or_create(
                campaign=campaign, code=item["code"], defaults={"title": item["title"], "position": pos}
            )
            keep_items.append(obj.pk)
            keep = []
            for cpos, (code, title) in enumerate(item["chapters"]):
                ch, _ = Chapter.objects.update_or_create(
                    item=obj, code=code, defaults={"title": title, "position": cpos}
                )
                keep.append(ch.pk)
            _delete_unused(obj.chapters.exclude(pk__in=keep))
        _delete_unused(Chapter.objects.filter(item__campaign=campaign).exclude(item__pk__in=keep_items))
        campaign.reading.exclude(pk__in=keep_items).delete()
        keep_tasks = []
        for t in spec.tasks:
            obj, _ = Task.objects.update_or_create(
                campaign=campaign,
                code=t["code"],
                defaults={
                    "title": t["title"],
                    "applies_to": t["applies_to"],
                    "deadline": t["deadline"],
                    "rule": t["rule"],
                },
            )
            keep_tasks.append(obj.pk)
        campaign.tasks.exclude(pk__in=keep_tasks).delete()
        events.record(
            actor,
            "campaign.load",
            campaign,
            org=spec.root,
            summary=f"{'载入' if created else '更新'}主题教育“{campaign.name}”："
            f"{len(spec.reading)} 种书目，{len(spec.tasks)} 项部署任务",
            after={"start": campaign.start, "end": campaign.end, "tasks": [t["code"] for t in spec.tasks]},
        )
        return campaign


def _delete_unused(chapters) -> None:
    """Chapters dropped from the file go, unless study records point at them: then the file is
    refused (nothing is written) and the clerk is told which chapters to keep."""
    doomed = list(chapters.select_related("item"))
    if not doomed:
        return
    try:
        with transaction.atomic():
            chapters.model.objects.filter(pk__in=[c.pk for c in doomed]).delete()
    except ProtectedError as exc:
        used = {getattr(o, "chapter_id", None) for o in exc.protected_objects}
        names = [f"{c.code} {c.title}" for c in doomed if c.pk in used] or [f"{c.code} {c.title}" for c in doomed]
        raise CampaignFileError(
            [f"学习篇目“{name}”已有学习记录，不能从文件中删去；请在文件中保留该篇目（可改标题）" for name in names]
        ) from exc


def add_chapter(item: ReadingItem, *, actor, code: str, title: str) -> Chapter:
    with transaction.atomic():
        require(actor, "campaign.manage", item.campaign.root)
        if Chapter.objects.filter(item__campaign=item.campaign, code=code).exists():
            raise ActionError(f"篇目编码“{code}”已存在", field="code")
        chapter = Chapter.objects.create(item=item, code=code, title=title, position=item.chapters.count())
        events.record(
            actor,
            "chapter.create",
            chapter,
            org=item.campaign.root,
            summary=f"书目《{item.title}》新增篇目 {code} {title}",
        )
        return chapter


# ------------------------------------------------------------------ editing the reading list in the app
# Codes are what imports and exports use, so they are set once and never renamed; titles may change.


def add_reading_item(campaign: Campaign, *, actor, code: str, title: str) -> ReadingItem:
    with transaction.atomic():
        require(actor, "campaign.manage", campaign.root)
        code, title = (code or "").strip(), (title or "").strip()
        if not code:
            raise ActionError("书目编码不能为空", field="code")
        if not title:
            raise ActionError("书目名称不能为空", field="title")
        if campaign.reading.filter(code=code).exists():
            raise ActionError(f"书目编码“{code}”已存在", field="code")
        item = ReadingItem.objects.create(campaign=campaign, code=code, title=title, position=campaign.reading.count())
        events.record(actor, "reading.create", item, org=campaign.root, summary=f"新增指定书目 {code}《{title}》")
        return item


def followup_window_problem(campaign: Campaign, opens_on, due_on) -> tuple[str, str] | None:
    """(field, message) when a 跟进学习 item's window does not fit: it opens within the campaign and ends
    on or after it opens, no later than the campaign's last day."""
    if opens_on is None:
        return "opens_on", "请填写学习开始日期"
    if due_on is None:
        return "due_on", "请填写学习截止日期（如“两周内”即开始日期后第14天）"
    if opens_on < campaign.start or opens_on > campaign.end:
        return "opens_on", (
            f"学习开始日期 {opens_on:%Y-%m-%d} 不在主题教育期间（{campaign.start:%Y-%m-%d} 至 {campaign.end:%Y-%m-%d}）"
        )
    if due_on < opens_on:
        return "due_on", f"学习截止日期 {due_on:%Y-%m-%d} 早于开始日期 {opens_on:%Y-%m-%d}"
    if due_on > campaign.end:
        return "due_on", f"学习截止日期 {due_on:%Y-%m-%d} 晚于主题教育结束日期 {campaign.end:%Y-%m-%d}"
    return None


def add_followup_item(
    campaign: Campaign, *, actor, code: str, title: str, opens_on, due_on, chapter_title: str = ""
) -> ReadingItem:
    """跟进学习（第一议题）: the office adds a newly published speech or article during the campaign, with
    its own window ("两周内学完"). The item gets one chapter (code CODE-01) that sessions and self-study
    name like any other; units are measured on it against its own window (study.followup)."""
    with transaction.atomic():
        require(actor, "campaign.manage", campaign.root)
        code, title, chapter_title = (code or "").strip(), (title or "").strip(), (chapter_title or "").strip()
        if not code:
            raise ActionError("书目编码不能为空", field="code")
        if not title:
            raise ActionError("学习内容名称不能为空", field="title")
        if campaign.reading.filter(code=code).exists():
            raise ActionError(f"书目编码“{code}”已存在", field="code")
        problem = followup_window_problem(campaign, opens_on, due_on)
        if problem:
            raise ActionError(problem[1], field=problem[0])
        chapter_code = f"{code}-01"
        if Chapter.objects.filter(item__campaign=campaign, code=chapter_code).exists():
            raise ActionError(f"篇目编码“{chapter_code}”已存在，请换一个书目编码", field="code")
        item = ReadingItem.objects.create(
            campaign=campaign,
            code=code,
            title=title,
            opens_on=opens_on,
            due_on=due_on,
            position=campaign.reading.count(),
        )
        Chapter.objects.create(item=item, code=chapter_code, title=chapter_title or title, position=0)
        events.record(
            actor,
            "reading.followup.create",
            item,
            org=campaign.root,
            summary=f"新增跟进学习《{title}》，{opens_on:%Y-%m-%d} 至 {due_on:%Y-%m-%d} 学完",
            after={"code": code, "title": title, "opens_on": opens_on, "due_on": due_on, "chapter": chapter_code},
        )
        return item


def rename_reading_item(item: ReadingItem, *, actor, title: str) -> ReadingItem:
    with transaction.atomic():
        require(actor, "campaign.manage", item.campaign.root)
        title = (title or "").strip()
        if not title:
            raise ActionError("书目名称不能为空", field="title")
        before = item.title
        item.title = title
        item.save(update_fields=["title"])
        events.record(
            actor,
            "reading.rename",
            item,
            org=item.campaign.root,
            summary=f"书目 {item.code} 改名为《{title}》",
            before={"title": before},
            after={"title": title},
        )
        return item


def rename_chapter(chapter: Chapter, *, actor, title: str) -> Chapter:
    with transaction.atomic():
        require(actor, "campaign.manage", chapter.item.campaign.root)
        title = (title or "").strip()
        if not title:
            raise ActionError("篇目名称不能为空", field="title")
        before = chapter.title
        chapter.title = title
        chapter.save(update_fields=["title"])
        events.record(
            actor,
            "chapter.rename",
            chapter,
            org=chapter.item.campaign.root,
            summary=f"篇目 {chapter.code} 改名为“{title}”",
            before={"title": before},
            after={"title": title},
        )
        return chapter
