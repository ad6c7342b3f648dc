"""Bench scenarios of the copied-materials check (材料雷同, SPEC §2.9): the engine on synthetic texts in
memory, sized to the database's org count (a city of ~6,000 orgs: 200,000 心得 and 30,000 problem
texts; the tiny test city: a few thousand), so the figure is the engine's, not the database's.

- copies_city_check: a full check (normalize, 4-grams, MinHash, LSH index, candidate verification)
  over every text; 1% of the texts are light-edit copies of another unit's text, 10% are one of a few
  bank phrases typed by many;
- copies_one_text: checking one new text against the index built once (what saving a text would cost).
"""

from __future__ import annotations

import datetime as dt
import random

WORDS = [
    "学习",
    "贯彻",
    "思想",
    "主题",
    "教育",
    "理论",
    "实践",
    "群众",
    "服务",
    "基层",
    "党员",
    "干部",
    "问题",
    "整改",
    "调研",
    "落实",
    "责任",
    "作风",
    "推进",
    "工作",
    "发展",
    "民生",
    "就业",
    "养老",
    "医疗",
    "教育",
    "住房",
    "交通",
    "环境",
    "安全",
    "乡村",
    "振兴",
    "社区",
    "治理",
    "创新",
    "制度",
    "机制",
    "监督",
    "廉洁",
    "担当",
    "作为",
    "本领",
    "能力",
    "素质",
    "初心",
    "使命",
    "宗旨",
    "意识",
    "团结",
    "奋斗",
    "实干",
    "成效",
    "台账",
    "清单",
    "走访",
    "座谈",
    "收集",
    "意见",
    "建议",
    "反馈",
    "提升",
    "改进",
    "完善",
    "健全",
    "规范",
    "强化",
    "深化",
    "巩固",
    "拓展",
    "带头",
    "示范",
    "引领",
    "岗位",
    "先锋",
    "模范",
    "困难",
    "帮扶",
    "需求",
    "解决",
    "办理",
]
BANK = [
    "通过这次主题教育集中学习，进一步加深了对党的创新理论的理解，要把学习成果转化为做好本职工作的实际行动，"
    "在岗位上建功立业。",
    "重温这一篇，深刻体会到坚持以人民为中心的重要性，今后要多到群众中去，倾听群众呼声，解决群众急难愁盼的实际问题。",
]


def _texts(n_reflections: int, n_problems: int, seed: int = 7):
    from tuijin.publicity.copies import Text

    rng = random.Random(seed)
    day = dt.date(2026, 9, 1)
    out: list[Text] = []
    orgs = max(10, n_reflections // 35)
    for i in range(n_reflections + n_problems):
        source = "self_study" if i < n_reflections else "problem"
        roll = rng.random()
        if roll < 0.10:
            text = rng.choice(BANK)
        elif roll < 0.11 and out:
            original = rng.choice(out).text
            cut = rng.randrange(max(1, len(original) - 4))
            text = original[:cut] + rng.choice(WORDS) + original[cut + 2 :]  # a light edit
        else:
            text = (
                "，".join(
                    "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 6))) for _ in range(rng.randint(4, 7))
                )
                + "。"
            )
        out.append(Text((source, i), rng.randrange(orgs), day + dt.timedelta(days=i % 120), text))
    return out


def _sizes():
    from tuijin.orgs.models import Org

    share = min(1.0, max(0.01, Org.objects.count() / 6000))
    return int(200_000 * share), int(30_000 * share)


def city_check(runs: int, options: dict):
    from tuijin.publicity import copies

    from .measure import timed

    texts = _texts(*_sizes())
    found = []
    outcome = timed(lambda: found.append(len(copies.find_pairs(texts))), runs)
    outcome.extra = {"texts": len(texts), "pairs": found[-1]}
    return outcome


def one_text(runs: int, options: dict):
    from tuijin.publicity import copies

    from .measure import timed

    texts = _texts(*_sizes())
    index = copies.Index()
    index.add(texts)
    later = texts[len(texts) // 2 :]
    # the first long text; the tiny test city may have none of 80 characters: then the longest
    long_text = (
        next((t.text for t in later if len(copies.normalize(t.text)) >= 80), None)
        or max(later, key=lambda t: len(copies.normalize(t.text))).text
    )
    probe = copies.Text(("submission", -1), -1, dt.date(2026, 12, 1), long_text[:-6] + "此外我们还要")
    outcome = timed(lambda: index.match(probe), runs)
    outcome.extra = {"texts": len(texts)}
    return outcome
