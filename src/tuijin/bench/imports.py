"""Import scenarios of `tuijin bench`: one per import kind (SPEC §4.2), each timing the import of N rows.

Each scenario builds, in memory, a realistic and valid sheet of N rows for its kind, consistent with
the demo city: the rows sit in a scratch county (BENCH) under the city XS, the people they name
exist, chapters come from the reading list of the campaign covering XS and dates fall between its
start and today. What the sheet needs (the scratch orgs, their people) is imported first, inside the
same transaction, untimed; only the `run_import` of the measured sheet is timed. The transaction is
then rolled back, so the database is left as it was.

Each run also times the scenario's floor on the same sheet, in the same transaction, before the import
(`floors`: python-calamine and one executemany per table, rolled back to a savepoint), and records the
peak memory of both: the report gives the import's ratio to its floor, for time and for memory.

A kind whose module has no loader yet is reported as skipped (模块未上线); its sheet generator is
ready for the day the loader arrives.

"""

from __future__ import annotations

import datetime as dt
import gc
import io
import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from tuijin.imports.registry import KINDS, run_import
from tuijin.imports.writer import write_xlsx
from tuijin.orgs.models import OrgKind

from . import floors
from .measure import Outcome

ROOT = "XS"  # the demo city the scratch county is put under
SCRATCH = "BENCH"
DEFAULT_ROWS = 100_000
IMPORT_RUNS = 3
BRANCHES_PER_UNIT = 20
SEED = 2026

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力海燕鹏云飞宇欣怡浩然子涵梓轩晨阳思远雨桐"
TOWNS = [
    "城关镇",
    "新华镇",
    "李家镇",
    "马坊镇",
    "白沙镇",
    "青石镇",
    "桥头镇",
    "河口镇",
    "柳林镇",
    "杨庄镇",
    "石门乡",
    "东风乡",
    "红旗乡",
    "张庄乡",
    "高桥乡",
]
VILLAGES = [
    "东村",
    "西村",
    "南庄",
    "北庄",
    "前营村",
    "后营村",
    "大王村",
    "小王村",
    "河湾村",
    "新民村",
    "胜利村",
    "团结村",
    "光明村",
    "和平村",
    "幸福村",
]
# (kind, sector, name) of the scratch county's units, in turn
UNIT_KINDS = [
    ("党组", "机关", "中共基准县{dept}{n}党组"),
    ("党委", "农村", "中共基准县{town}{n}委员会"),
    ("党总支", "学校", "中共基准县第{n}中学党总支"),
    ("党委", "医院", "中共基准县第{n}人民医院委员会"),
    ("党委", "国有企业", "中共基准县第{n}国有企业委员会"),
]
DEPARTMENTS = [
    "组织部",
    "宣传部",
    "教育局",
    "卫生健康局",
    "民政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "生态环境局",
    "应急管理局",
    "市场监督管理局",
    "医疗保障局",
    "财政局",
]


@dataclass
class Prepared:
    """What one scenario imports: set-up sheets (untimed, as the command line) and the measured sheet."""

    sheet: bytes
    rows: int
    setup: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Context:
    today: dt.date
    dates: list[dt.date]  # days the campaign covering XS has run, up to today
    chapters: list[str]  # its reading list's chapter codes


def _xlsx(kind: str, rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, KINDS[kind].headers, rows, sheet_name=KINDS[kind].label)
    return buffer.getvalue()


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng) -> str:
    return rng.choice(["138", "139", "150", "151", "158", "186", "187", "135"]) + f"{rng.randrange(10**8):08d}"


# ------------------------------------------------------------------ the scratch county


def _tree(units: int, branches: int) -> list[list]:
    """Orgs sheet rows: the scratch county under XS, `units` units and `branches` branches spread
    over them, each unit followed by its branches (the order of an export)."""
    rows = [[SCRATCH, "中共基准县委员会（基准测试）", ROOT, "党委", "机关", "第二批"]]
    for u in range(units):
        kind, sector, pattern = UNIT_KINDS[u % len(UNIT_KINDS)]
        code = f"{SCRATCH}-{u + 1:04d}"
        name = pattern.format(n=u + 1, dept=DEPARTMENTS[u % len(DEPARTMENTS)], town=TOWNS[u % len(TOWNS)])
        rows.append([code, name, SCRATCH, kind, sector, "第二批"])
        for k in range(branches // units + (1 if u < branches % units else 0)):
            label = f"{VILLAGES[k % len(VILLAGES)]}党支部" if sector == "农村" else f"第{k + 1}党支部"
            short = name.removeprefix("中共").removesuffix("党组").removesuffix("委员会").removesuffix("党总支")
            rows.append([f"{code}-{k + 1:02d}", f"{short}{label}", code, OrgKind.BRANCH, sector, "第二批"])
    return rows


def _tree_with(branches: int) -> tuple[bytes, list[str]]:
    """The scratch county with this many branches, as an orgs sheet, and the branches' codes."""
    rows = _tree(math.ceil(branches / BRANCHES_PER_UNIT), branches)
    return _xlsx("orgs", rows), [r[0] for r in rows if r[3] == OrgKind.BRANCH]


def _people(branches: list[str], per_branch: int, rng) -> list[list]:
    """People sheet rows: per_branch members in each branch, numbered BENCH-P0000001 …"""
    rows, seq = [], 0
    for code in branches:
        for i in range(per_branch):
            seq += 1
            status = "正式党员" if i < per_branch - 2 or rng.random() < 0.5 else rng.choice(["预备党员", "群众"])
            post = "党支部书记" if i == 0 else ("支部委员" if i < 3 else "党员")
            rows.append(
                [
                    f"{SCRATCH}-P{seq:07d}",
                    _name(rng),
                    code,
                    status,
                    post,
                    "否",
                    "",
                    _phone(rng) if rng.random() < 0.7 else "",
                ]
            )
    return rows


def _with_people(persons: int, per_branch: int, rng) -> tuple[list[tuple[str, bytes]], list[list]]:
    """Set-up sheets (scratch orgs, then `persons` people in them) and the people rows."""
    orgs, branches = _tree_with(math.ceil(persons / per_branch))
    people = _people(branches, per_branch, rng)[:persons]
    return [("orgs", orgs), ("people", _xlsx("people", people))], people


# ------------------------------------------------------------------ one sheet per kind


def orgs_sheet(rows: int, ctx: Context | None = None) -> Prepared:
    """Exactly `rows` orgs: the scratch county, its units, and branches under them."""
    units = math.ceil((rows - 1) / (BRANCHES_PER_UNIT + 1)) if rows > 1 else 0
    return Prepared(_xlsx("orgs", _tree(units, rows - 1 - units)), rows)


def people_sheet(rows: int, ctx: Context | None = None) -> Prepared:
    """`rows` new people, 50 a branch, with phones and the usual mix of statuses and posts."""
    per_branch = 50
    orgs, branches = _tree_with(math.ceil(rows / per_branch))
    people = _people(branches, per_branch, random.Random(SEED))[:rows]
    return Prepared(_xlsx("people", people), rows, [("orgs", orgs)])


def self_study_sheet(rows: int, ctx: Context) -> Prepared:
    """Ten logs per scratch member, each a distinct chapter (or day) of the reading list."""
    from tuijin.demo.study import REFLECTIONS

    chapters, dates = ctx.chapters, ctx.dates
    rng, per_person = random.Random(SEED), min(10, len(chapters) * len(dates))
    setup, people = _with_people(math.ceil(rows / per_person), 50, rng)
    data, keys = [], set()
    for i in range(rows):
        j, m = divmod(i, per_person)
        c, d = (j + m) % len(chapters), (j * 7 + m * 3) % len(dates)
        while (j, d, c) in keys:  # (person, day, chapter) is the natural key: a short reading list repeats
            d, c = (d + 1) % len(dates), (c + (d + 1) // len(dates)) % len(chapters)
        keys.add((j, d, c))
        data.append(
            [
                people[j][0],
                dates[d],
                chapters[c],
                rng.choice([20, 30, 45, 60, 90]),
                rng.choice(REFLECTIONS) if rng.random() < 0.6 else "",
            ]
        )
    return Prepared(_xlsx("self-study", data), rows, setup)


def research_sheet(rows: int, ctx: Context) -> Prepared:
    """Ten visits per scratch person, with 0–2 findings each."""
    from tuijin.demo.research import FINDINGS, OUTCOMES, TOPICS

    rng, per_person = random.Random(SEED), 10
    setup, people = _with_people(math.ceil(rows / per_person), 50, rng)
    data, keys = [], set()
    for i in range(rows):
        j, m = divmod(i, per_person)
        place = TOWNS[(j + m) % len(TOWNS)] + VILLAGES[(j // len(TOWNS) + m) % len(VILLAGES)]
        date, topic = ctx.dates[(j * 3 + m * 5) % len(ctx.dates)], TOPICS[m % len(TOPICS)].format(place=place)
        while (j, date, topic) in keys:  # the natural key (person, date, topic) must stay unique
            topic += "（续）"
        keys.add((j, date, topic))
        findings = "；".join(rng.sample(FINDINGS, rng.choice([0, 1, 1, 2])))
        data.append([people[j][0], date, place, topic, findings, rng.choice(OUTCOMES).format(n=rng.randint(2, 6))])
    return Prepared(_xlsx("research", data), rows, setup)


def study_sessions_sheet(rows: int, ctx: Context) -> Prepared:
    """Twenty sessions per scratch branch, each with its chapters and 3–8 of the branch's 8 members."""
    from tuijin.demo.study import BRANCH_TOPICS, LECTURERS, SEMINAR_TOPICS, WARNING_TOPICS

    rng, per_branch, members = random.Random(SEED), 20, 8
    orgs, branches = _tree_with(math.ceil(rows / per_branch))
    people = _people(branches, members, rng)
    setup = [("orgs", orgs), ("people", _xlsx("people", people))]
    forms = [("支部学习", BRANCH_TOPICS)] * 6 + [
        ("专题研讨", SEMINAR_TOPICS),
        ("读书班", BRANCH_TOPICS),
        ("宣讲报告", BRANCH_TOPICS),
        ("警示教育", WARNING_TOPICS),
    ]
    data = []
    for i in range(rows):
        b, k = divmod(i, per_branch)
        form, topics = forms[k % len(forms)]
        # (org, date, form, topic) is the natural key: the session's number keeps it unique.
        topic = f"{topics[(b + k) % len(topics)]}（第{k + 1}次）"
        date = ctx.dates[(b + k * 4) % len(ctx.dates)]
        wanted = 0 if form == "警示教育" else (1 if form == "专题研讨" else 2)
        chapters = rng.sample(ctx.chapters, min(len(ctx.chapters), wanted))
        attendees = [p[0] for p in rng.sample(people[b * members : (b + 1) * members], rng.randint(3, members))]
        speaker, affiliation, category = "", "", ""
        if form == "宣讲报告":
            speaker, affiliation, category = rng.choice(LECTURERS), "市委党校", "党校专家"
        elif form == "专题研讨":
            speaker, category = people[b * members][1], "本单位领导"
        data.append(
            [
                branches[b],
                date,
                form,
                topic,
                speaker,
                affiliation,
                category,
                chapters,
                attendees,
                len(attendees) + rng.choice([0, 0, 1, 2]),
                rng.choice([1, 1.5, 2, 3]),
            ]
        )
    return Prepared(_xlsx("study-sessions", data), rows, setup)


def problems_sheet(rows: int, ctx: Context) -> Prepared:
    """Twenty problems per scratch branch, each with two measures (one with owner and deadline)."""
    per_branch = 20
    orgs, branches = _tree_with(math.ceil(rows / per_branch))
    deadline = ctx.today + dt.timedelta(days=60)
    data = []
    for i in range(rows):
        b, k = divmod(i, per_branch)
        data.append(
            [
                branches[b],
                f"2026-{k + 1:03d}",
                "工作作风",
                "集体查",
                f"第{k + 1}个问题：调研走马观花，解决实际问题不够",
                f"蹲点调研不少于一周（责任人：张三，时限：{deadline}）；形成调研成果转化清单{i % 7}",
                "李四",
                deadline,
                "整改中" if i % 3 else "",
                "否",
            ]
        )
    return Prepared(_xlsx("problems", data), rows, [("orgs", orgs)])


def projects_sheet(rows: int, ctx: Context) -> Prepared:
    """Twenty practical projects per scratch branch; one in twenty reads like routine work (疑似泛化)."""
    from tuijin.demo.research import GOOD, ROUTINE

    rng, per_branch = random.Random(SEED), 20
    orgs, branches = _tree_with(math.ceil(rows / per_branch))
    data = []
    for i in range(rows):
        b, k = divmod(i, per_branch)
        # Every GOOD name names its place: another town for each round of the list keeps names unique.
        place = TOWNS[(b + k // len(GOOD)) % len(TOWNS)] + VILLAGES[b % len(VILLAGES)]
        if k == per_branch - 1:  # names in ROUTINE are few: one per branch keeps (org, name) unique
            name, need, category, beneficiaries = ROUTINE[b % len(ROUTINE)]
        else:
            name, need, category, span = GOOD[k % len(GOOD)]
            name, need = name.format(place=place, h=rng.randint(20, 90)), need.format(place=place)
            beneficiaries = rng.randint(*span)
        status = rng.choice(["未开始", "推进中", "推进中", ""])
        data.append(
            [
                branches[b],
                name,
                need,
                category,
                f"{beneficiaries}人" if beneficiaries and rng.random() < 0.3 else beneficiaries,
                ctx.today + dt.timedelta(days=rng.randint(15, 90)),
                status,
            ]
        )
    return Prepared(_xlsx("projects", data), rows, [("orgs", orgs)])


def submissions_sheet(rows: int, ctx: Context) -> Prepared:
    """Ten submissions per scratch branch (the module is not built yet: the template's columns)."""
    per_branch = 10
    orgs, branches = _tree_with(math.ceil(rows / per_branch))
    types = ["工作动态", "经验做法", "典型案例", "创新举措"]
    data = [
        [
            branches[i // per_branch],
            f"{branches[i // per_branch]}扎实推进主题教育（{i % per_branch + 1}）",
            "本单位坚持学思用贯通、知信行统一，推动主题教育走深走实。",
            types[i % len(types)],
            ctx.dates[i % len(ctx.dates)],
            "",
        ]
        for i in range(rows)
    ]
    return Prepared(_xlsx("submissions", data), rows, [("orgs", orgs)])


def publicity_sheet(rows: int, ctx: Context) -> Prepared:
    """Ten publicity items per scratch branch (the module is not built yet: the template's columns)."""
    per_branch = 10
    orgs, branches = _tree_with(math.ceil(rows / per_branch))
    channels = [("网络", "X市新闻网"), ("新媒体", "微信公众号"), ("重点路段", "人民路"), ("单位内部", "宣传栏")]
    data = []
    for i in range(rows):
        channel, place = channels[i % len(channels)]
        data.append(
            [
                branches[i // per_branch],
                channel,
                place,
                f"主题教育宣传（{i % per_branch + 1}）",
                ctx.dates[i % len(ctx.dates)],
                "https://example.org/news" if channel == "网络" else "",
            ]
        )
    return Prepared(_xlsx("publicity", data), rows, [("orgs", orgs)])


SHEETS: dict[str, Callable[[int, Context], Prepared]] = {
    "orgs": orgs_sheet,
    "people": people_sheet,
    "study-sessions": study_sessions_sheet,
    "self-study": self_study_sheet,
    "problems": problems_sheet,
    "research": research_sheet,
    "projects": projects_sheet,
    "submissions": submissions_sheet,
    "publicity": publicity_sheet,
}


# ------------------------------------------------------------------ running


def context() -> Context | str:
    """Dates and chapters of the campaign covering XS, or why this is not a demo database."""
    from tuijin.campaigns.models import Campaign, Chapter
    from tuijin.core.calendar import today

    now = today()
    campaigns = list(Campaign.objects.filter(root__code=ROOT).order_by("-start"))
    # As study.imports.ReadingLists: the campaign started latest by today, else the covering one.
    campaign = next((c for c in campaigns if c.start <= now), campaigns[0] if campaigns else None)
    if campaign is None:
        return f"没有以 {ROOT} 为范围的主题教育（不是演示数据库）"
    chapters = list(
        Chapter.objects.filter(item__campaign=campaign)
        .order_by("item__position", "position")
        .values_list("code", flat=True)
    )
    if not chapters:
        return f"主题教育“{campaign.name}”没有指定书目"
    first = min(campaign.start, now)
    dates = [first + dt.timedelta(days=d) for d in range((now - first).days + 1)]
    return Context(today=now, dates=dates, chapters=chapters)


def _actor():
    """An office of the city, as a web upload would run; the command line (None) without one."""
    from tuijin.orgs.models import User

    return User.objects.filter(username="city_office").first()


@dataclass
class ImportScenario:
    """Has what `measure.Scenario` has (name, label, run, default_runs), and the kind it imports."""

    name: str
    label: str
    kind: str
    default_runs: int = IMPORT_RUNS

    def run(self, runs: int, options: dict):
        from tuijin.orgs.models import Org

        if KINDS[self.kind].load is None:
            return Outcome(skipped="模块未上线")
        if self.kind not in SHEETS:
            return Outcome(skipped=f"还没有生成“{KINDS[self.kind].label}”表格的程序（见 tuijin.bench.imports.SHEETS）")
        if not Org.objects.filter(code=ROOT).exists():
            return Outcome(skipped=f"没有组织 {ROOT}（不是演示数据库）")
        if Org.objects.filter(code=SCRATCH).exists():
            return Outcome(skipped=f"数据库中已有组织编码 {SCRATCH}，基准测试的临时县委无法建立")
        ctx = context()
        if isinstance(ctx, str):
            return Outcome(skipped=ctx)
        rows = options.get("rows") or DEFAULT_ROWS
        prepared = SHEETS[self.kind](rows, ctx)
        actor = _actor()
        out, floor = Outcome(), Outcome()
        peaks, floor_peaks = [], []
        for _ in range(runs):
            with transaction.atomic():
                for kind, sheet in prepared.setup:  # untimed: what the measured sheet refers to
                    run_import(kind, io.BytesIO(sheet), actor=None)
                # The floor first (python-calamine + one executemany per table, rolled back to here), then
                # the import of the same sheet, each with its peak memory.
                savepoint = transaction.savepoint()
                with Peak() as peak:
                    wall, cpu = time.perf_counter(), time.process_time()
                    has_floor = floors.floor(self.kind, prepared.sheet)
                    floor.add(wall, cpu)
                transaction.savepoint_rollback(savepoint)
                if has_floor:
                    floor_peaks.append(peak.mb)
                with Peak() as peak:
                    wall, cpu = time.perf_counter(), time.process_time()
                    result = run_import(self.kind, io.BytesIO(prepared.sheet), actor=actor)
                    out.add(wall, cpu)
                peaks.append(peak.mb)
                assert result.created == prepared.rows, result.summary()
                transaction.set_rollback(True)  # leave the database as it was
        out.extra = _memory_and_floor(out, peaks, floor if floor_peaks else None, floor_peaks)
        return out


class Peak:
    """Peak memory of a block: how far the process's resident set rose above where it stood when the
    block began (Linux: the high-water mark is reset on entry through /proc/self/clear_refs), in MB;
    None where that cannot be read. Unlike tracemalloc it costs nothing while the block runs, and it
    counts what the C parts (calamine, the database driver) hold too."""

    mb: float | None = None
    start: int | None = None

    def __enter__(self):
        gc.collect()
        self.mb = None
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            self.start = _status("VmRSS")
        except OSError:
            self.start = None
        return self

    def __exit__(self, *exc):
        if self.start is not None:
            self.mb = round((_status("VmHWM") - self.start) / 1024, 1)
        return False


def _status(key: str) -> int:
    """A kB figure of /proc/self/status."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise OSError(key)


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def _memory_and_floor(out: Outcome, peaks, floor: Outcome | None, floor_peaks) -> dict:
    """The import's peak memory, and its floor's time and memory with the ratios the targets are
    (import / floor: ≤ 2 for time and for memory, issue 15)."""
    extra: dict = {"peak_mb": _median(peaks)}
    if floor is None:
        return extra
    import_ms, floor_ms = statistics.median(out.durations_ms), statistics.median(floor.durations_ms)
    floor_mb = _median(floor_peaks)
    extra |= {
        "floor_median_ms": round(floor_ms, 1),
        "floor_cpu_median_ms": round(statistics.median(floor.cpu_ms), 1),
        "floor_peak_mb": floor_mb,
        "floor_ratio": round(import_ms / floor_ms, 2) if floor_ms else None,
        "memory_ratio": round(extra["peak_mb"] / floor_mb, 2) if floor_mb and extra["peak_mb"] is not None else None,
    }
    return extra


# One per kind of SPEC §4.2, in the registry's order: import_orgs, import_people, import_study_sessions, …
IMPORT_SCENARIOS = [
    ImportScenario(f"import_{name.replace('-', '_')}", f"导入{kind.label}（在事务中进行，随后回滚）", name)
    for name, kind in KINDS.items()
]
