"""Changes to campaigns: loading a file (create or update by name), editing the reading list."""
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
                campaign=campaign, code=item["code"], defaults={"title": item["title"], "position": pos})
            keep_items.append(obj.pk)
            keep = []
            for cpos, (code, title) in enumerate(item["chapters"]):
                ch, _ = Chapter.objects.update_or_create(item=obj, code=code,
                                                         defaults={"title": title, "position": cpos})
                keep.append(ch.pk)
            _delete_unused(obj.chapters.exclude(pk__in=keep))
        _delete_unused(Chapter.objects.filter(item__campaign=campaign).exclude(item__pk__in=keep_items))
        campaign.reading.exclude(pk__in=keep_items).delete()
        keep_tasks = []
        for t in spec.tasks:
            obj, _ = Task.objects.update_or_create(
                campaign=campaign, code=t["code"],
                defaults={"title": t["title"], "applies_to": t["applies_to"], "deadline": t["deadline"],
                          "rule": t["rule"]})
            keep_tasks.append(obj.pk)
        campaign.tasks.exclude(pk__in=keep_tasks).delete()
        events.record(actor, "campaign.load", campaign, org=spec.root,
                      summary=f"{'载入' if created else '更新'}主题教育“{campaign.name}”："
                              f"{len(spec.reading)} 种书目，{len(spec.tasks)} 项部署任务",
                      after={"start": campaign.start, "end": campaign.end, "tasks": [t["code"] for t in spec.tasks]})
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
        raise CampaignFileError([
            f"学习篇目“{name}”已有学习记录，不能从文件中删去；请在文件中保留该篇目（可改标题）" for name in names]) from exc


def add_chapter(item: ReadingItem, *, actor, code: str, title: str) -> Chapter:
    with transaction.atomic():
        require(actor, "campaign.manage", item.campaign.root)
        if Chapter.objects.filter(item__campaign=item.campaign, code=code).exists():
            raise ActionError(f"篇目编码“{code}”已存在", field="code")
        chapter = Chapter.objects.create(item=item, code=code, title=title, position=item.chapters.count())
        events.record(actor, "chapter.create", chapter, org=item.campaign.root,
                      summary=f"书目《{item.title}》新增篇目 {code} {title}")
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
        item = ReadingItem.objects.create(campaign=campaign, code=code, title=title,
                                          position=campaign.reading.count())
        events.record(actor, "reading.create", item, org=campaign.root, summary=f"新增指定书目 {code}《{title}》")
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
        events.record(actor, "reading.rename", item, org=item.campaign.root,
                      summary=f"书目 {item.code} 改名为《{title}》", before={"title": before}, after={"title": title})
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
        events.record(actor, "chapter.rename", chapter, org=chapter.item.campaign.root,
                      summary=f"篇目 {chapter.code} 改名为“{title}”", before={"title": before}, after={"title": title})
        return chapter
