"""The demo city X市: a realistic, uneven org tree with people, accounts and a campaign.

Used by `tuijin demo`, the tests' larger fixtures and `tuijin bench`. Orgs are inserted level
by level with bulk inserts (paths computed here), so `--scale city` (~6,000 orgs, 200,000
people) takes a minute or so, not hours. Later modules extend `generate()` with their records.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tuijin.core.scope import subtree_q
from tuijin.campaigns.actions import load_campaign
from tuijin.core import events
from tuijin.orgs import actions as org_actions
from tuijin.orgs.models import Org, OrgKind, Person, User
from tuijin.orgs.tree import step

DEMO_PASSWORD = "Tuijin@2026demo"
CAMPAIGN_DAYS = 153  # 9月1日 to 1月31日, as in the speech

SCALES = {
    # counties, units per county, branches per unit, people per branch (mean)
    "tiny": (2, 3, 3, 6),
    "small": (6, 6, 6, 10),
    "city": (10, 40, 13, 37),
    "province": (10, 40, 13, 37),  # PROVINCE_CITIES cities of the city's shape under one province
}
PROVINCE_CITIES = [
    ("XS", "X市"),
    ("AS", "A市"),
    ("BS", "B市"),
    ("CS", "C市"),
    ("DS", "D市"),
    ("ES", "E市"),
    ("FS", "F市"),
    ("GS", "G市"),
    ("HS", "H市"),
    ("JS", "J市"),
]

COUNTIES = [
    "东城区",
    "西城区",
    "南湖县",
    "北山县",
    "青河县",
    "石桥县",
    "云岭县",
    "清水县",
    "安平县",
    "梅溪县",
    "龙泉县",
    "桃源县",
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
    "自然资源局",
    "水利局",
    "文化和旅游局",
    "司法局",
    "退役军人事务局",
    "信访局",
]
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
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力海燕鹏云飞宇欣怡浩然子涵梓轩晨阳思远雨桐"
SCHOOL_KINDS = ["第一中学", "第二中学", "实验小学", "职业中学"]


@dataclass
class DemoInfo:
    scale: str
    orgs: int = 0
    people: int = 0
    problems: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, what they see)
    campaign: str = ""


def _step(i: int) -> str:
    return step(i)


class _Builder:
    def __init__(self, rng):
        self.rng = rng
        self.levels: list[list[tuple[Org, str | None]]] = [[] for _ in range(5)]  # (org, parent code)
        self.children: dict[str, int] = {}

    def add(self, parent: Org | None, code, name, kind, sector, batch="第二批") -> Org:
        if parent is None:
            path = _step(1)
        else:
            n = self.children.get(parent.code, 0) + 1
            self.children[parent.code] = n
            path = parent.path + _step(n)
        org = Org(
            code=code,
            name=name,
            kind=kind,
            sector=sector,
            batch=batch,
            path=path,
            depth=len(path) // Org.steplen,
            numchild=0,
        )
        self.levels[org.depth - 1].append((org, parent.code if parent else None))
        return org

    def save(self) -> list[Org]:
        by_code = {}
        for level in self.levels:
            objs = []
            for org, parent_code in level:
                org.numchild = self.children.get(org.code, 0)
                org.parent_id = by_code[parent_code].pk if parent_code else None
                objs.append(org)
            Org.objects.bulk_create(objs, batch_size=1000)
            by_code.update({o.code: o for o in objs})
        # bulk_create returns primary keys on PostgreSQL and SQLite ≥ 3.35; fetch them if not.
        if any(o.pk is None for o in by_code.values()):
            ids = dict(Org.objects.values_list("code", "pk"))
            for o in by_code.values():
                o.pk = o.id = ids[o.code]
        return list(by_code.values())


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng) -> str:
    return rng.choice(["138", "139", "150", "151", "158", "186", "187", "135"]) + f"{rng.randrange(10**8):08d}"


def build_tree(scale: str, rng) -> tuple[list[Org], dict]:
    """X市 at the root; at province scale, X省 at the root with X市 and nine more cities like it."""
    b = _Builder(rng)
    if scale != "province":
        notable = _build_city(b, None, "XS", "X市", scale, rng)
        notable["root"] = notable["city"]
        return b.save(), notable
    province = b.add(None, "XP", "中共X省委员会", "党委", "机关")
    notable = {}
    for code, name in PROVINCE_CITIES:
        found = _build_city(b, province, code, name, scale, rng)
        notable = notable or found  # X市 is the first: its accounts and showcase records
    notable["root"] = province
    return b.save(), notable


def _build_city(b, parent, code, name, scale, rng) -> dict:
    counties, units, branches, _ = SCALES[scale]
    city = b.add(parent, code, f"中共{name}委员会", "党委", "机关")
    notable = {"city": city}
    groups = [("SZ", "市直机关工委", "党工委", "机关")] + [
        (f"C{i + 1:02d}", f"中共{COUNTIES[i]}委员会", "党委", "机关") for i in range(counties)
    ]
    for gi, (gcode, gname, gkind, gsector) in enumerate(groups):
        county = b.add(city, f"{code}-{gcode}", gname, gkind, gsector)
        notable.setdefault("counties", []).append(county)
        short = COUNTIES[gi - 1] if gi else "市"
        for u in range(units):
            ucode = f"{county.code}-{u + 1:03d}"
            r = u % 5
            if gi == 0 or r in (0, 1):  # departments (市直 are all departments)
                dep = DEPARTMENTS[u % len(DEPARTMENTS)]
                name = f"中共{short}{dep}党组" + (f"（{u // len(DEPARTMENTS) + 1}）" if u >= len(DEPARTMENTS) else "")
                unit = b.add(county, ucode, name, "党组", "机关")
                sectors = ["机关"]
            elif r == 2:  # townships: village and community branches
                town = TOWNS[u % len(TOWNS)] + (f"{u // len(TOWNS) + 1}" if u >= len(TOWNS) else "")
                unit = b.add(county, ucode, f"中共{short}{town}委员会", "党委", "农村")
                sectors = ["农村", "农村", "社区"]
            elif r == 3:  # schools and hospitals
                if u % 2:
                    name = f"{short}{SCHOOL_KINDS[u % len(SCHOOL_KINDS)]}{u}党总支"
                    unit = b.add(county, ucode, f"中共{name}", "党总支", "学校")
                    sectors = ["学校"]
                else:
                    unit = b.add(county, ucode, f"中共{short}人民医院{u}党委", "党委", "医院")
                    sectors = ["医院"]
            else:  # state-owned and private enterprises
                kind_sector = rng.choice([("国有企业", "国有企业"), ("非公企业", "非公企业"), ("社会组织", "社会组织")])
                unit = b.add(county, ucode, f"中共{short}{kind_sector[0]}{u}委员会", "党委", kind_sector[1])
                sectors = [kind_sector[1]]
            # Unevenness: some units have only one branch (T2 then fails for 党委 units).
            n_branches = 1 if rng.random() < 0.08 else branches
            for k in range(n_branches):
                sector = sectors[k % len(sectors)]
                if sector == "农村":
                    bname = VILLAGES[k % len(VILLAGES)] + ("" if k < len(VILLAGES) else str(k))
                    label = f"{bname}党支部"
                elif sector == "社区":
                    label = f"第{k + 1}社区党支部"
                else:
                    label = f"第{k + 1}党支部"
                b.add(
                    unit,
                    f"{ucode}-{k + 1:02d}",
                    f"{unit.name.removeprefix('中共').removesuffix('委员会').removesuffix('党组').removesuffix('党委').removesuffix('党总支')}{label}",
                    OrgKind.BRANCH,
                    sector,
                )
    return notable


def build_people(orgs: list[Org], scale: str, rng) -> int:
    per_branch = SCALES[scale][3]
    batch, total, seq = [], 0, 0

    def flush():
        nonlocal batch, total
        Person.objects.bulk_create(batch, batch_size=5000)
        total += len(batch)
        batch = []

    for org in orgs:
        if org.kind == OrgKind.BRANCH:
            # Unevenness: a few branches below the 3 full members a branch needs.
            n = max(1, int(rng.gauss(per_branch, per_branch / 4)))
            full_members = 2 if rng.random() < 0.06 else n
            for i in range(n):
                seq += 1
                status = "正式党员" if i < full_members else ("预备党员" if i % 7 == 0 else "群众")
                if i >= full_members and rng.random() < 0.5:
                    status = "预备党员"
                batch.append(
                    Person(
                        number=f"P{seq:07d}",
                        name=_name(rng),
                        org_id=org.pk,
                        status=status,
                        post="党支部书记" if i == 0 else ("支部委员" if i < 3 else "党员"),
                        phone=_phone(rng) if rng.random() < 0.7 else "",
                    )
                )
        else:
            # Leading cadres sit at the committee level.
            level = "县处级" if org.depth <= 2 else "乡科级"
            for i in range(rng.randint(3, 5)):
                seq += 1
                batch.append(
                    Person(
                        number=f"P{seq:07d}",
                        name=_name(rng),
                        org_id=org.pk,
                        status="正式党员",
                        post=["书记", "副书记", "委员", "委员", "委员"][i],
                        is_leading_cadre=True,
                        cadre_level=level,
                        phone=_phone(rng),
                    )
                )
        if len(batch) >= 20000:
            flush()
    flush()
    return total


def campaign_text(today: dt.date, root: str = "XS") -> str:
    """The demo campaign with dates around today. Deployed by a province (root XP), the same tasks
    reach one level further down: `level` counts from the campaign's root."""
    start = today - dt.timedelta(days=round(0.6 * CAMPAIGN_DAYS) - 1)
    end = start + dt.timedelta(days=CAMPAIGN_DAYS - 1)
    text = (Path(__file__).with_name("campaign.toml")).read_text(encoding="utf-8")
    if root != "XS":
        text = text.replace('root = "XS"', f'root = "{root}"').replace("level = [2]", "level = [3]")
    return (
        text.replace("{start}", start.isoformat())
        .replace("{end}", end.isoformat())
        .replace("{t1}", (today + dt.timedelta(days=10)).isoformat())
        .replace("{t2}", (today + dt.timedelta(days=20)).isoformat())
    )


def _account(username, person=None):
    return org_actions.create_account(
        actor=None, username=username, password=DEMO_PASSWORD, person=person, validate_password=False
    )


def create_accounts(notable) -> list[tuple[str, str, str]]:
    city, counties = notable["city"], notable["counties"]
    county = counties[1]  # 东城区
    other = counties[2]
    # The reporter's branch is a complete one, so their home page shows a finished task.
    branch = next(
        b
        for b in Org.objects.filter(subtree_q("path", county.path), kind=OrgKind.BRANCH).order_by("path")
        if b.people.filter(status="正式党员").count() >= 3
    )
    member = Person.objects.filter(org=branch, status="正式党员").exclude(phone="").order_by("number").first()
    group = org_actions.create_guidance_group(actor=None, code="XS-G1", name="市委第一巡回指导组", orgs=counties[2:4])
    rows = []

    def grant(username, role, label, sees, person=None, **kw):
        user = _account(username, person)
        if person is None:  # the greeting and the event log show this name, not the login
            user.first_name = label
            user.save(update_fields=["first_name"])
        org_actions.grant_role(actor=None, user=user, role=role, **kw)
        rows.append((username, label, sees))

    grant("city_office", "office", "市委主题教育办", f"{city.name}全部", org=city)
    grant(
        "county_office",
        "office",
        f"{county.name.removeprefix('中共').removesuffix('委员会')}主题教育办",
        county.name,
        org=county,
    )
    grant("branch_reporter", "unit", "党支部填报员", branch.name, org=branch)
    assigned = list(group.orgs.order_by("path"))
    grant(
        "guide",
        "guidance",
        "巡回指导组成员",
        f"{group.name}联系的 {other.name}" + (f" 等 {len(assigned)} 个单位" if len(assigned) > 1 else ""),
        group=group,
    )
    grant("member", "member", "党员", f"本人（{member.name}）", person=member)
    grant("sysadmin", "sysadmin", "系统管理员", "账号（不看业务数据）")
    grant("secadmin", "secadmin", "安全管理员", "角色授权（不看业务数据）")
    grant("auditadmin", "auditadmin", "审计管理员", "操作记录（不看业务数据）")
    for username in ("sysadmin", "secadmin", "auditadmin"):
        enrol_demo_authenticator(User.objects.get(username=username))
    return rows


def enrol_demo_authenticator(user) -> None:
    """The three admin roles must pass a TOTP step; the demo binds them an authenticator whose key
    `tuijin demo` prints, and `tuijin totp-code USERNAME` shows the current code for it."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tuijin.orgs.mfa import DEMO_DEVICE_NAME

    device = org_actions.start_totp_enrolment(actor=user)
    org_actions.confirm_totp(actor=user, token=f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}")
    TOTPDevice.objects.filter(pk=device.pk).update(name=DEMO_DEVICE_NAME)


# ------------------------------------------------------------------ 检视整改: problem lists

# (category, description, measures) — what branches and units actually write down
PROBLEM_BANK = [
    ("理论学习", "理论学习不够系统深入，存在“学用脱节”现象", ["制定支部年度学习计划", "每月开展一次专题研讨"]),
    ("理论学习", "集体学习以读文件为主，交流研讨不充分", ["改进集体学习方式，增加交流发言环节", "建立学习台账"]),
    ("理论学习", "青年党员理论学习主动性不强", ["组建青年理论学习小组", "开展读书分享活动"]),
    ("政治素质", "落实“第一议题”制度不够及时", ["建立“第一议题”学习清单", "会后形成贯彻落实措施"]),
    ("政治素质", "组织生活会批评与自我批评辣味不足", ["会前开展谈心谈话", "上级党组织派员指导"]),
    ("能力本领", "运用新技术开展工作的本领不强", ["开展业务能力专题培训", "组织岗位练兵"]),
    ("能力本领", "应对突发事件的预案不完善", ["修订应急预案", "每季度开展一次应急演练"]),
    ("担当作为", "遇到难题绕着走，个别事项久拖不决", ["建立难题攻坚清单", "实行领导包案"]),
    ("担当作为", "推进重点项目办法不多、进度滞后", ["倒排工期挂图作战", "每周调度项目进展"]),
    ("工作作风", "调研走马观花，解决实际问题不够", ["蹲点调研不少于一周", "形成调研成果转化清单"]),
    ("工作作风", "会议多、文件多，基层负担较重", ["精简会议文件", "合并同类检查考核"]),
    ("工作作风", "窗口服务存在推诿扯皮现象", ["推行首问负责制", "公开办事流程和时限"]),
    ("廉洁自律", "公务用车管理不够规范", ["完善公务用车使用登记制度", "每月公示用车情况"]),
    ("廉洁自律", "廉政风险点排查不够全面", ["开展廉政风险点再排查", "签订廉政承诺书"]),
    ("服务群众", "群众反映的停车难问题解决不及时", ["增设临时停车位", "错时开放单位停车场"]),
    ("服务群众", "党员联系服务群众不够经常", ["落实党员联系户制度", "每月走访联系户一次"]),
    ("服务群众", "村（社区）便民服务点开放时间不合理", ["调整便民服务点开放时间", "推行预约和延时服务"]),
    ("其他", "党建档案资料整理不规范", ["按标准重新整理党建档案", "指定专人管理"]),
]
BULK_SOURCES = (
    ["集体查"] * 7 + ["个人纠"] * 3 + ["群众评"] * 2 + ["上级查"] * 2 + ["本级督", "下级提"] + ["调研发现"] * 3
)
RATING_COMMENTS = ["整改效果明显，点赞", "办事比以前方便多了", "希望长期坚持", "还有改进空间", "解决得很及时", ""]
# mean problems per org of each kind, by scale: ~30,000 at city, a few hundred at small
PROBLEM_DENSITY = {"tiny": (1.5, 2), "small": (1.5, 2), "city": (5.0, 3), "province": (5.0, 3)}


def demo_pdf(title: str) -> bytes:
    """A small but valid one-page PDF (correct xref offsets) standing in for a scanned report."""
    text = title.encode("ascii", "replace").decode().replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _bulk_problems(orgs, today, rng, scale, start, skip) -> int:
    """The bulk of the list, inserted in bulk with history: every state, uneven by unit."""
    from tuijin.core import files
    from tuijin.imports.bulk import insert_with_history
    from tuijin.rectification.models import ACTIVE_STATES, Evidence, Measure, Problem, State

    per_branch, per_unit = PROBLEM_DENSITY[scale]
    elapsed = max(1, (today - start).days)
    reports = [files.store(f"整改报告{i + 1}.pdf", demo_pdf(f"Rectification report {i + 1}")) for i in range(8)]
    plan = files.store("整改方案.pdf", demo_pdf("Special rectification plan"))
    diligence = {}  # unit path -> how far its problems have got (some units lag behind)
    problems, measures_of = [], []
    # 领导干部个人检视 (issue 16): a committee's first problems are its cadres' own, one each, except in a few
    # units whose cadres have listed none (the briefing names them: 领导干部个人检视问题缺失).
    cadres: dict[int, list[int]] = {}
    for org_id, pk in (
        Person.objects.filter(is_leading_cadre=True, active=True).order_by("number").values_list("org_id", "pk")
    ):
        cadres.setdefault(org_id, []).append(pk)
    for org in orgs:
        if org.pk in skip or org.depth < 2:
            continue
        mean = per_branch if org.kind == OrgKind.BRANCH else per_unit
        n = max(0, round(rng.gauss(mean, mean * 0.5)))
        unit_path = org.path[: 3 * Org.steplen]
        pace = diligence.setdefault(unit_path, rng.choice([0.3, 0.7, 1.0, 1.0, 1.2, 1.5]))
        if org.depth >= 3 and zlib.crc32(unit_path.encode()) % 17 == 0:
            continue  # a few units have found nothing yet: the briefing asks them for a second look
        owners = [] if zlib.crc32(unit_path.encode()) % 7 == 3 else cadres.get(org.pk, [])
        for i in range(n):
            category, description, texts = rng.choice(PROBLEM_BANK)
            found_on = start + dt.timedelta(days=rng.randrange(elapsed))
            deadline = found_on + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
            r = rng.random() * pace
            state = (
                State.OPEN
                if r < 0.2
                else State.IN_PROGRESS
                if r < 0.55
                else State.SUBMITTED
                if r < 0.65
                else State.CLOSED
                if rng.random() > 0.06
                else State.RELAPSED
            )
            closed_on = None
            if state == State.CLOSED:
                closed_on = min(today, found_on + dt.timedelta(days=rng.randrange(10, 80)))
            p = Problem(
                org_id=org.pk,
                number=f"{found_on.year}-{i + 1:03d}",
                category=category,
                source=rng.choice(BULK_SOURCES),
                description=description,
                responsible=_name(rng),
                deadline=deadline,
                is_special=rng.random() < 0.03,
                state=state,
                found_on=found_on,
                closed_on=closed_on,
                relapses=1 if state == State.RELAPSED else 0,
                withdrawn=state in ACTIVE_STATES and rng.random() < 0.01,
                owner_person_id=owners[i] if i < len(owners) else None,
            )
            if p.withdrawn:
                p.withdraw_reason = "与本支部其他问题重复，合并整改"
            problems.append(p)
            specs = []
            for k, text in enumerate(rng.sample(texts, rng.choice((1, 2, 2)))):
                specific = rng.random() > 0.15  # the rest are 措施不具体
                # 待验收/已销号 only with every measure done (transitions.py's guard)
                done = state in (State.CLOSED, State.SUBMITTED) or (state == State.IN_PROGRESS and rng.random() < 0.5)
                specs.append(
                    dict(
                        text=text,
                        position=k,
                        owner=_name(rng) if specific else "",
                        deadline=deadline - dt.timedelta(days=10) if specific else None,
                        done=done,
                        done_on=min(today, found_on + dt.timedelta(days=20)) if done else None,
                    )
                )
            measures_of.append(specs)
    created = insert_with_history(Problem, problems, reason="演示数据")
    insert_with_history(
        Measure,
        [Measure(problem_id=p.pk, **spec) for p, specs in zip(created, measures_of, strict=True) for spec in specs],
        reason="演示数据",
    )
    evidence = []
    for p in created:
        if p.state in (State.SUBMITTED, State.CLOSED, State.RELAPSED):
            f = reports[p.pk % len(reports)]
            evidence.append(
                Evidence(
                    problem_id=p.pk,
                    name=f.name,
                    content_type=f.content_type,
                    size=f.size,
                    sha256=f.sha256,
                    storage_name=f.storage_name,
                )
            )
            if p.is_special:
                evidence.append(
                    Evidence(
                        problem_id=p.pk,
                        kind=Evidence.Kind.PLAN,
                        name=plan.name,
                        content_type=plan.content_type,
                        size=plan.size,
                        sha256=plan.sha256,
                        storage_name=plan.storage_name,
                    )
                )
    Evidence.objects.bulk_create(evidence, batch_size=5000)
    return len(created)


def _showcase_problems(today, start) -> int:
    """A handful of items made through the real actions, so their events, history and files exist:
    the reporter's own list, a city hand-down to 东城区, escalations, closings with PDF evidence,
    relapses, institution rules and published items with public ratings."""
    from tuijin.orgs.models import RoleGrant, User
    from tuijin.rectification import actions as r
    from tuijin.rectification.models import Evidence

    users = {
        u.username: u for u in User.objects.filter(username__in=["city_office", "county_office", "branch_reporter"])
    }
    city_office, county_office, reporter = users["city_office"], users["county_office"], users["branch_reporter"]
    branch = RoleGrant.objects.get(user=reporter, role="unit").org
    county = Org.objects.get(code="XS-C01")
    units = list(Org.objects.filter(parent=county).order_by("path"))
    day = lambda n: start + dt.timedelta(days=n)  # noqa: E731
    made = 0

    def create(actor, org, description, *, found, deadline=None, measures=(), source="集体查", category="其他", **kw):
        nonlocal made
        made += 1
        return r.create_problem(
            actor=actor,
            org=org,
            description=description,
            source=source,
            category=category,
            found_on=day(found),
            deadline=deadline,
            measures=measures,
            **kw,
        )

    def evidence(actor, problem, name, kind=Evidence.Kind.SUPPORT):
        pdf = demo_pdf(f"{problem.org.code} {problem.number} {'plan' if kind == Evidence.Kind.PLAN else 'report'}")
        r.attach_evidence(problem, actor=actor, name=name, data=pdf, kind=kind)

    def submit(problem, actor):
        """Every measure done first: no 待验收 while a measure is open (transitions.py)."""
        for m in problem.measures.filter(done=False, set_aside=False):
            r.set_measure_done(m, actor=actor, done=True, as_of=today - dt.timedelta(days=4))
        r.submit_for_acceptance(problem, actor=actor)

    def close(problem, owner_actor, reviewer, name="整改完成情况报告.pdf", comment="整改到位，同意销号"):
        evidence(owner_actor, problem, name)
        submit(problem, owner_actor)
        first = problem.measures.order_by("position", "pk").first()
        done = first.text.replace("。", "，").rstrip("，")[:60] if first else ""
        change = f"落实“{done}”后，这项工作已按新的做法运行" if done else "整改措施落实后，这项工作已按新的做法运行"
        return r.close_problem(
            problem, actor=reviewer, as_of=today - dt.timedelta(days=3), comment=comment, change=change
        )

    # The branch reporter's own list: one in each working state, one vague measure, one overdue.
    soon = today + dt.timedelta(days=25)
    p1 = create(
        reporter,
        branch,
        "理论学习不够系统深入，存在“学用脱节”现象",
        found=5,
        category="理论学习",
        deadline=soon,
        responsible="支部书记",
        measures=[
            {"text": "制定支部学习计划，每月集中学习两次", "owner": "支部书记", "deadline": day(30)},
            {"text": "加强学习"},
        ],
    )
    r.start_rectification(p1, actor=reporter)
    p2 = create(
        reporter,
        branch,
        "组织生活会批评与自我批评辣味不足",
        found=8,
        category="政治素质",
        deadline=soon,
        measures=[{"text": "会前逐一开展谈心谈话", "owner": "组织委员", "deadline": day(40)}],
    )
    evidence(reporter, p2, "谈心谈话记录.pdf")
    submit(p2, reporter)
    create(
        reporter,
        branch,
        "党员联系服务群众不够经常，走访记录不全",
        found=12,
        category="服务群众",
        deadline=today - dt.timedelta(days=6),
        measures=[{"text": "落实党员联系户制度"}],
    )
    road = create(
        reporter,
        branch,
        "村内主干道破损严重，群众出行不便",
        found=20,
        source="群众评",
        category="服务群众",
        deadline=today + dt.timedelta(days=40),
    )
    r.escalate(road, actor=reporter, to=county, reason="涉及道路改造资金和规划审批，需区里统筹解决")

    # 上级交办 / 同题共答: the city issues one problem to units of 东城区; each gets its own child.
    parent = r.hand_down(
        actor=city_office,
        org=Org.objects.get(code="XS"),
        targets=units[:5],
        description="落实“第一议题”制度不到位，学习贯彻习近平总书记重要讲话精神跟进不及时",
        deadline=today + dt.timedelta(days=15),
        found_on=day(10),
        category="政治素质",
        measures=[{"text": "建立“第一议题”学习台账", "owner": "办公室主任", "deadline": day(60)}],
    )
    made += 1 + min(5, len(units))
    children = list(parent.children.order_by("org__path"))
    close(children[0], county_office, county_office)
    if len(children) > 1:
        evidence(county_office, children[1], "第一议题学习记录.pdf")
        submit(children[1], county_office)
    if len(children) > 2:
        r.start_rectification(children[2], actor=county_office)

    # Escalated from a branch of another county to that county.
    other = Org.objects.get(code="XS-C02")
    far_branch = Org.objects.filter(subtree_q("path", other.path), kind=OrgKind.BRANCH).order_by("path").first()
    school = create(
        city_office,
        far_branch,
        "学校周边上下学时段交通拥堵，存在安全隐患",
        found=15,
        source="调研发现",
        category="服务群众",
        deadline=today + dt.timedelta(days=30),
    )
    r.escalate(school, actor=city_office, to=other, reason="需交警、教育等部门协同解决")

    # Closed with PDF evidence in 东城区; some published for the public to rate.
    closed = []
    for k, (category, description, texts) in enumerate(PROBLEM_BANK[9:15]):
        unit = units[k % len(units)]
        problem = create(
            county_office,
            unit,
            description,
            found=3 + k,
            category=category,
            source="群众评" if k % 2 else "集体查",
            deadline=day(60),
            responsible="分管领导",
            measures=[{"text": t, "owner": "分管领导", "deadline": day(50)} for t in texts],
        )
        closed.append(close(problem, county_office, county_office))
    special = create(
        county_office,
        units[0],
        "基层减负专项整治：督查检查考核过多过频",
        found=4,
        category="工作作风",
        source="上级交办",
        is_special=True,
        deadline=day(70),
        measures=[{"text": "清理规范督查检查考核事项", "owner": "区委办", "deadline": day(60)}],
    )
    evidence(county_office, special, "专项整治方案.pdf", kind=Evidence.Kind.PLAN)
    closed.append(close(special, county_office, city_office))

    # Relapses (已反弹): one stays reopened, one is being rectified again.
    for k, problem in enumerate(closed[:2]):
        r.reopen_problem(problem, actor=city_office, reason="群众反映问题再次出现" if k == 0 else "回访发现整改不彻底")
        if k == 1:
            r.start_rectification(problem, actor=county_office)

    # 群众评: one item meets the threshold (11 of 12 satisfied), one does not (8 of 12), one lacks votes.
    for problem, votes in zip(
        closed[2:5],
        ([("满意", 9), ("基本满意", 2), ("不满意", 1)], [("满意", 5), ("基本满意", 3), ("不满意", 4)], [("满意", 5)]),
        strict=True,
    ):
        item = r.publish(problem, actor=county_office, summary="已按整改措施全部落实到位，欢迎群众评议")
        n = 0
        for choice, count in votes:
            for _ in range(count):
                n += 1
                r.rate(
                    item,
                    choice=choice,
                    comment=RATING_COMMENTS[n % len(RATING_COMMENTS)],
                    device=f"demo-device-{item.pk}-{n}",
                    ip=f"198.51.{item.pk % 250}.{n}",
                )

    # 建章立制, linked to the problems they close off.
    for title, doc, linked in [
        ("机关干部作风建设十条规定", "东发〔2026〕12号", closed[2:4]),
        ("“第一议题”学习制度", "东发〔2026〕15号", [children[0]]),
        ("基层减负若干措施", "东办发〔2026〕8号", [special]),
    ]:
        r.create_institution_rule(
            actor=county_office,
            org=county,
            title=title,
            doc_number=doc,
            issued_on=today - dt.timedelta(days=2),
            problems=linked,
        )

    made += _issue16_problems(city_office, today, day)
    from tuijin.demo import rectification as rect16

    made += rect16.build(
        rect16.Ctx(
            today=today,
            day=day,
            create=create,
            close=close,
            evidence=evidence,
            city_office=city_office,
            county_office=county_office,
            units=units,
        )
    )

    # 动态更新: one taken off the list with its reason.
    dup = create(county_office, units[1 % len(units)], "会议多、文件多，基层负担较重", found=30, category="工作作风")
    r.withdraw_problem(dup, actor=county_office, reason="与区委交办的基层减负专项整治问题重复，合并整改")
    return made


def _issue16_problems(actor, today, day) -> int:
    """Issue 16's boards, each in one demo unit: 就整改抓整改 (measures only meetings, study and a plan),
    立足自身主动改不够 (a list mostly found by 上级查/群众评) and 边学边改不够 (a branch whose problems all
    came in the last weeks)."""
    from tuijin.rectification import actions as r
    from tuijin.rectification.indicators import FOUND_BY_OTHERS
    from tuijin.rectification.models import Problem

    made = 0
    county = Org.objects.get(code="XS-C02")
    units = list(Org.objects.filter(parent=county).exclude(kind=OrgKind.BRANCH).order_by("path"))
    formal = [
        {"text": t, "owner": "分管领导", "deadline": day(60)}
        for t in ("召开专题会议研究部署整改工作", "组织集中学习2次", "制定整改方案")
    ]
    r.create_problem(
        actor=actor,
        org=units[0],
        description="为民服务窗口办事流程繁琐，群众多次跑腿",
        source="集体查",
        found_on=day(20),
        deadline=day(90),
        category="服务群众",
        measures=formal,
    )
    made += 1
    # A unit whose list is mostly found for it: 上级查 added until others found 70% of it.
    unit = units[1 % len(units)]
    mine = Problem.objects.filter(subtree_q("org__path", unit.path), withdrawn=False, is_hand_down=False)
    n, others = mine.count(), mine.filter(source__in=FOUND_BY_OTHERS).count()
    k = 0
    while k < 3 or (others + k) < 0.7 * (n + k):
        r.create_problem(
            actor=actor,
            org=unit,
            description=f"督导检查发现：{DEMO_INSPECTION[k % len(DEMO_INSPECTION)]}",
            number=f"SJC-{k + 1:02d}",
            source="上级查" if k % 3 else "群众评",
            found_on=day(10 + k),
            deadline=day(80),
            category="工作作风",
            measures=[
                {"text": "由办公室负责，逐项核实并于12月底前完成整改", "owner": "办公室主任", "deadline": day(80)}
            ],
        )
        k += 1
    made += k
    # A branch whose whole list was found for it (上级查、群众评): 立足自身主动改不够 at its plainest.
    # (outside this county: its one branch with an empty list is kept for 边学边改 below)
    others_only = next(
        b
        for b in Org.objects.filter(kind=OrgKind.BRANCH).exclude(subtree_q("path", county.path)).order_by("path")
        if not Problem.objects.filter(org=b).exists()
    )
    for k, (text, source) in enumerate(
        [
            ("区委督导组检查发现：支部“三会一课”签到表与会议记录不一致", "上级查"),
            ("群众反映：党员志愿服务活动次数少、覆盖面窄", "群众评"),
            ("区委督导组检查发现：发展党员材料归档不及时", "上级查"),
        ]
    ):
        r.create_problem(
            actor=actor,
            org=others_only,
            description=text,
            number=f"TWP-{k + 1:02d}",
            source=source,
            found_on=day(15 + 5 * k),
            deadline=day(85),
            category="工作作风",
            measures=[
                {"text": "由支部书记负责，逐项核实并于12月底前完成整改", "owner": "支部书记", "deadline": day(85)}
            ],
        )
        made += 1
    # A branch with nothing on its list until the last weeks (the late phase: the last quarter of the days).
    quiet = next(
        b
        for b in Org.objects.filter(subtree_q("path", county.path), kind=OrgKind.BRANCH).order_by("-path")
        if not Problem.objects.filter(org=b).exists() and not b.path.startswith(unit.path)
    )
    for k, (text, ago) in enumerate(
        [("支部“三会一课”记录不规范，会议内容与实际工作脱节", 6), ("党员发挥先锋模范作用不明显，服务群众意识不强", 3)]
    ):
        r.create_problem(
            actor=actor,
            org=quiet,
            description=text,
            source="集体查",
            found_on=today - dt.timedelta(days=ago),
            deadline=today + dt.timedelta(days=40),
            category="工作作风",
            measures=[
                {
                    "text": f"由支部书记负责，{k + 1}月内完成整改并报告",
                    "owner": "支部书记",
                    "deadline": today + dt.timedelta(days=40),
                }
            ],
        )
        made += 1
    return made


DEMO_INSPECTION = ["会议记录与实际不符", "整改台账更新不及时", "群众反映窗口办事推诿", "值班制度落实不到位"]


def build_problems(orgs, today, rng, scale) -> int:
    """检视整改 for the demo city: bulk rows for volume, real actions for the showcase items."""
    from tuijin.orgs.models import RoleGrant

    start = today - dt.timedelta(days=round(0.6 * CAMPAIGN_DAYS) - 1)
    reporter_branch = RoleGrant.objects.filter(user__username="branch_reporter", role="unit").values_list(
        "org_id", flat=True
    )
    n = _bulk_problems(orgs, today, rng, scale, start, skip=set(reporter_branch))
    return n + _showcase_problems(today, start)


def generate(scale: str = "small", *, today: dt.date, seed: int = 2026) -> DemoInfo:
    if scale not in SCALES:
        raise ValueError(f"未知的规模 {scale}（可用：{'、'.join(SCALES)}）")
    rng = random.Random(seed)
    info = DemoInfo(scale=scale)
    with transaction.atomic():
        orgs, notable = build_tree(scale, rng)
        info.orgs = len(orgs)
        info.people = build_people(orgs, scale, rng)
        info.accounts = create_accounts(notable)
        campaign = load_campaign(campaign_text(today, root=notable["root"].code), actor=None)
        info.campaign = campaign.name
        info.problems = build_problems(orgs, today, rng, scale)
        # Module demo data lives beside each module's generator (they import names from here).
        from .research import build_research
        from .study import build_followup, build_study

        build_research(orgs, campaign, today, rng, scale)
        build_study(orgs, Person.objects.all(), campaign, today, rng, scale)
        build_followup(orgs, campaign, today)
        from .supervision import build_supervision

        info.accounts += build_supervision(campaign, today, notable["counties"])
        from .publicity import build_publicity

        build_publicity(orgs, notable, campaign, today, rng, scale)
        from tuijin.rectification.models import Problem

        info.problems = Problem.objects.count()  # research findings turned into problems count too
        events.record(
            None,
            "demo.generate",
            ("demo", scale),
            org=notable["root"],
            summary=f"生成演示数据（{scale}）：{info.orgs} 个组织，{info.people} 人，{info.problems} 个问题",
        )
    return info
