"""Briefings from draft to issued (issue 9): the office of an org (or of a level above it) drafts the
briefing from the data, edits its paragraphs, and issues it under a number (〔2026〕5号) that is never
used twice; an issued briefing is kept read-only with the text and figures it went out with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tuijin.core import events
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import require
from tuijin.orgs.models import Org

from . import briefing as generator
from . import compare
from .models import BriefingDoc, BriefingNumber

MAX_PARAGRAPH = 3000
KINDS = dict(BriefingDoc.Kind.choices)


def kinds_available() -> list[str]:
    """The genres the generator writes: `outline` once briefing.build takes `kind`."""
    return list(KINDS) if "kind" in inspect.signature(generator.build).parameters else [BriefingDoc.Kind.NOTICE]


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, default=str))


def _build(org: Org, as_of: dt.date, kind: str):
    if "kind" in inspect.signature(generator.build).parameters:
        return generator.build(org, as_of, kind=kind)
    return generator.build(org, as_of)


def _findings(org: Org, as_of: dt.date) -> list:
    """The findings API's answer where it exists (evaluation/findings.py), JSON as stored."""
    try:
        from . import findings as module
    except ImportError:
        return []
    found = module.findings(org, as_of)
    return _json([dataclasses.asdict(f) if dataclasses.is_dataclass(f) else f for f in found])


def _content(b, comparisons) -> dict:
    sections = [
        {
            "heading": s.heading,
            "paragraphs": [{"text": c.text, "basis": _json(c.basis), "generated": c.text} for c in s.paragraphs],
        }
        for s in b.sections
    ]
    overall, behind = comparisons
    for i, extra in ((0, overall), (1, behind)):
        if extra and i < len(sections):
            sections[i]["paragraphs"].append({**extra, "basis": _json(extra["basis"]), "generated": extra["text"]})
    return {
        "title": b.title,
        "addressee": b.addressee,
        "opening": b.opening,
        "issuer": b.issuer,
        "date_text": b.date_text,
        "sections": sections,
    }


def draft_briefing(*, actor, org: Org, as_of: dt.date, kind: str = BriefingDoc.Kind.NOTICE) -> BriefingDoc:
    """Write the draft from the data at as_of, with what changed since the last issued briefing (or
    the nearest snapshot before as_of when the org has issued none)."""
    if kind not in kinds_available():
        raise ActionError(f"文种应为以下之一：{'、'.join(KINDS[k] for k in kinds_available())}", field="kind")
    with transaction.atomic():
        require(actor, "campaign.manage", org)
        b = _build(org, as_of, kind)
        now = compare.figures(org, as_of)
        base = compare.baseline(org, as_of)
        comparisons = compare.comparison(now, base) if base else (None, None)
        doc = BriefingDoc.objects.create(
            org=org,
            kind=kind,
            as_of=as_of,
            content=_content(b, comparisons),
            figures=now,
            findings=_findings(org, as_of),
            baseline={k: v for k, v in (base or {}).items() if k != "figures"},
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        events.record(
            actor,
            "briefing.draft",
            doc,
            org=org,
            summary=f"起草{KINDS[kind]}“{b.title}”（数据截至{as_of.isoformat()}）",
            after={"kind": kind, "as_of": as_of, "baseline": doc.baseline},
        )
        return doc


def _locked(doc: BriefingDoc, version) -> BriefingDoc:
    doc = BriefingDoc.objects.select_for_update(of=("self",)).select_related("org").get(pk=doc.pk)
    if version is not None and int(version) != doc.version:
        raise StaleEdit()
    return doc


def _draft(doc: BriefingDoc) -> None:
    if doc.status != BriefingDoc.Status.DRAFT:
        raise ActionError(f"该{KINDS[doc.kind]}{doc.get_status_display()}，不能再修改")


def edit_briefing(doc: BriefingDoc, *, actor, texts: dict[tuple[int, int], str], version=None) -> BriefingDoc:
    """Change paragraph texts of a draft, by (section, paragraph) index. Each paragraph keeps its data
    basis; the generated text stays beside it so the change can be seen."""
    with transaction.atomic():
        doc = _locked(doc, version)
        require(actor, "campaign.manage", doc.org)
        _draft(doc)
        content = doc.content
        changed = []
        for (s, p), text in texts.items():
            try:
                paragraph = content["sections"][s]["paragraphs"][p]
            except (IndexError, KeyError, TypeError):
                raise ActionError(f"第{s + 1}部分第{p + 1}段不存在", field="text") from None
            text = " ".join((text or "").split())
            if not text:
                raise ActionError(f"{content['sections'][s]['heading']} 第{p + 1}段不能为空", field="text")
            if len(text) > MAX_PARAGRAPH:
                raise ActionError(
                    f"{content['sections'][s]['heading']} 第{p + 1}段太长（{len(text)} 字），最多 {MAX_PARAGRAPH} 字",
                    field="text",
                )
            if text != paragraph["text"]:
                changed.append({"section": s, "paragraph": p, "before": paragraph["text"], "after": text})
                paragraph["text"] = text
        if not changed:
            return doc
        doc.content = content
        doc.version += 1
        doc.save(update_fields=["content", "version"])
        events.record(
            actor,
            "briefing.edit",
            doc,
            org=doc.org,
            summary=f"修改{KINDS[doc.kind]}草稿“{doc.title}”{len(changed)}段",
            before={"paragraphs": [{k: c[k] for k in ("section", "paragraph", "before")} for c in changed]},
            after={"paragraphs": [{k: c[k] for k in ("section", "paragraph", "after")} for c in changed]},
        )
        return doc


def next_number(org: Org, year: int) -> int:
    """The org's next serial for the year. Inside the caller's transaction: the UPDATE holds the row
    (PostgreSQL) or the database (SQLite) until commit, so two issues never read the same value."""
    try:
        with transaction.atomic():
            BriefingNumber.objects.get_or_create(org=org, year=year)
    except IntegrityError:  # created by a concurrent issue between our read and insert
        pass
    BriefingNumber.objects.filter(org=org, year=year).update(last=F("last") + 1)
    return BriefingNumber.objects.get(org=org, year=year).last


def number_text(year: int, serial: int) -> str:
    return f"〔{year}〕{serial}号"


def issue_briefing(doc: BriefingDoc, *, actor, on: dt.date, version=None) -> BriefingDoc:
    """Number and issue a draft. The number is the org's next for the year of `on` (the issue date)."""
    with transaction.atomic():
        doc = _locked(doc, version)
        require(actor, "campaign.manage", doc.org)
        _draft(doc)
        serial = next_number(doc.org, on.year)
        doc.year, doc.serial, doc.number = on.year, serial, number_text(on.year, serial)
        doc.content = {**doc.content, "date_text": generator.cn_date(on)}  # 成文日期: the day it is issued
        now = timezone.localtime()
        # 签发 on the day the number and 成文日期 name (the demo issues one back-dated; a page, today)
        issued_at = now if on == now.date() else now.replace(year=on.year, month=on.month, day=on.day)
        doc.status, doc.issued_at = BriefingDoc.Status.ISSUED, issued_at
        doc.issued_by = actor if getattr(actor, "pk", None) else None
        doc.version += 1
        doc.save()
        events.record(
            actor,
            "briefing.issue",
            doc,
            org=doc.org,
            summary=f"签发{KINDS[doc.kind]}“{doc.title}”{doc.number}",
            after={"number": doc.number, "as_of": doc.as_of, "kind": doc.kind},
        )
        return doc


def discard_briefing(doc: BriefingDoc, *, actor, version=None) -> BriefingDoc:
    """Set a draft aside. It held no number, so none is lost; it stays in the log, not in the list."""
    with transaction.atomic():
        doc = _locked(doc, version)
        require(actor, "campaign.manage", doc.org)
        _draft(doc)
        doc.status = BriefingDoc.Status.DISCARDED
        doc.version += 1
        doc.save(update_fields=["status", "version"])
        events.record(actor, "briefing.discard", doc, org=doc.org, summary=f"废弃{KINDS[doc.kind]}草稿“{doc.title}”")
        return doc


def as_briefing(doc: BriefingDoc):
    """The stored text as the generator's Briefing, for docx.render and to_markdown."""
    c = doc.content
    sections = [
        generator.Section(s["heading"], [generator.Claim(p["text"], p.get("basis") or []) for p in s["paragraphs"]])
        for s in c.get("sections", [])
    ]
    fields = dict(
        org=doc.org,
        as_of=doc.as_of,
        title=c.get("title", ""),
        addressee=c.get("addressee", ""),
        opening=c.get("opening", ""),
        sections=sections,
        issuer=c.get("issuer", ""),
        date_text=c.get("date_text", ""),
    )
    if "kind" in {f.name for f in dataclasses.fields(generator.Briefing)}:
        fields["kind"] = doc.kind
    b = generator.Briefing(**fields)
    b.number = doc.number  # read by docx.render
    return b


def markdown(doc: BriefingDoc) -> str:
    """The stored text as Markdown, with its number under the title and each paragraph's basis."""
    text = generator.to_markdown(as_briefing(doc))
    if doc.number:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{doc.number}\n{rest}"
    return text
