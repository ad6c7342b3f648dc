"""The demo city X市: a realistic, uneven org tree with people, accounts and a campaign.

Used by `tuijin demo`, the tests' larger fixtures and `tuijin bench`. Orgs are inserted level
by level with bulk inserts (paths computed here), so `--scale city` (~6,000 orgs, 200,000
people) takes a minute or so, not hours. Later modules extend `generate()` with their records.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tuijin.campaigns.actions import load_campaign
from tuijin.core import events
from tuijin.orgs import actions as org_actions
from tuijin.orgs.models import Org, Person

DEMO_PASSWORD = "Tuijin@2026demo"
CAMPAIGN_DAYS = 153  # 9月1日 to 1月31日, as in the speech

SCALES = {
    # counties, units per county, branches per unit, people per branch (mean)
    "tiny": (2, 3, 3, 6),
    "small": (6, 6, 6, 10),
    "city": (10, 40, 13, 37),
}

COUNTIES = ["东城区", "西城区", "南湖县", "北山县", "青河县", "石桥县", "云岭县", "清水县", "安平县", "梅溪县",
            "龙泉县", "桃源县"]
DEPARTMENTS = ["组织部", "宣传部", "教育局", "卫生健康局", "民政局", "人力资源和社会保障局", "住房和城乡建设局",
               "交通运输局", "农业农村局", "生态环境局", "应急管理局", "市场监督管理局", "医疗保障局", "财政局",
               "自然资源局", "水利局", "文化和旅游局", "司法局", "退役军人事务局", "信访局"]
TOWNS = ["城关镇", "新华镇", "李家镇", "马坊镇", "白沙镇", "青石镇", "桥头镇", "河口镇", "柳林镇", "杨庄镇",
         "石门乡", "东风乡", "红旗乡", "张庄乡", "高桥乡"]
VILLAGES = ["东村", "西村", "南庄", "北庄", "前营村", "后营村", "大王村", "小王村", "河湾村", "新民村", "胜利村",
            "团结村", "光明村", "和平村", "幸福村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力海燕鹏云飞宇欣怡浩然子涵梓轩晨阳思远雨桐"
SCHOOL_KINDS = ["第一中学", "第二中学", "实验小学", "职业中学"]


@dataclass
class DemoInfo:
    scale: str
    orgs: int = 0
    people: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, what they see)
    campaign: str = ""


def _step(i: int) -> str:
    return Org._int2str(i).rjust(Org.steplen, "0")


class _Builder:
    def __init__(self, rng):
        self.rng = rng
        self.levels: list[list[tuple[Org, str | None]]] = [[], [], [], []]  # (org, parent code)
        self.children: dict[str, int] = {}

    def add(self, level, parent: Org | None, code, name, kind, sector, batch="第二批") -> Org:
        if parent is None:
            path = _step(1)
        else:
            n = self.children.get(parent.code, 0) + 1
            self.children[parent.code] = n
            path = parent.path + _step(n)
        org = Org(code=code, name=name, kind=kind, sector=sector, batch=batch, path=path,
                  depth=len(path) // Org.steplen, numchild=0)
        self.levels[level].append((org, parent.code if parent else None))
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
    counties, units, branches, _ = SCALES[scale]
    b = _Builder(rng)
    city = b.add(0, None, "XS", "中共X市委员会", "党委", "机关")
    notable = {"city": city}
    groups = [("SZ", "市直机关工委", "党工委", "机关")] + [
        (f"C{i + 1:02d}", f"中共{COUNTIES[i]}委员会", "党委", "机关") for i in range(counties)]
    for gi, (gcode, gname, gkind, gsector) in enumerate(groups):
        county = b.add(1, city, f"XS-{gcode}", gname, gkind, gsector)
        notable.setdefault("counties", []).append(county)
        short = COUNTIES[gi - 1] if gi else "市"
        for u in range(units):
            ucode = f"{county.code}-{u + 1:03d}"
            r = u % 5
            if gi == 0 or r in (0, 1):  # departments (市直 are all departments)
                dep = DEPARTMENTS[u % len(DEPARTMENTS)]
                name = f"中共{short}{dep}党组" + (f"（{u // len(DEPARTMENTS) + 1}）" if u >= len(DEPARTMENTS) else "")
                unit = b.add(2, county, ucode, name, "党组", "机关")
                sectors = ["机关"]
            elif r == 2:  # townships: village and community branches
                town = TOWNS[u % len(TOWNS)] + (f"{u // len(TOWNS) + 1}" if u >= len(TOWNS) else "")
                unit = b.add(2, county, ucode, f"中共{short}{town}委员会", "党委", "农村")
                sectors = ["农村", "农村", "社区"]
            elif r == 3:  # schools and hospitals
                if u % 2:
                    name = f"{short}{SCHOOL_KINDS[u % len(SCHOOL_KINDS)]}{u}党总支"
                    unit = b.add(2, county, ucode, f"中共{name}", "党总支", "学校")
                    sectors = ["学校"]
                else:
                    unit = b.add(2, county, ucode, f"中共{short}人民医院{u}党委", "党委", "医院")
                    sectors = ["医院"]
            else:  # state-owned and private enterprises
                kind_sector = rng.choice([("国有企业", "国有企业"), ("非公企业", "非公企业"), ("社会组织", "社会组织")])
                unit = b.add(2, county, ucode, f"中共{short}{kind_sector[0]}{u}委员会", "党委", kind_sector[1])
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
                b.add(3, unit, f"{ucode}-{k + 1:02d}", f"{unit.name.removeprefix('中共').removesuffix('委员会').removesuffix('党组').removesuffix('党委').removesuffix('党总支')}{label}",
                      "党支部", sector)
    return b.save(), notable


def build_people(orgs: list[Org], scale: str, rng) -> int:
    per_branch = SCALES[scale][3]
    batch, total, seq = [], 0, 0

    def flush():
        nonlocal batch, total
        Person.objects.bulk_create(batch, batch_size=5000)
        total += len(batch)
        batch = []

    for org in orgs:
        if org.kind == "党支部":
            # Unevenness: a few branches below the 3 full members a branch needs.
            n = max(1, int(rng.gauss(per_branch, per_branch / 4)))
            full_members = 2 if rng.random() < 0.06 else n
            for i in range(n):
                seq += 1
                status = "正式党员" if i < full_members else ("预备党员" if i % 7 == 0 else "群众")
                if i >= full_members and rng.random() < 0.5:
                    status = "预备党员"
                batch.append(Person(number=f"P{seq:07d}", name=_name(rng), org_id=org.pk, status=status,
                                    post="党支部书记" if i == 0 else ("支部委员" if i < 3 else "党员"),
                                    phone=_phone(rng) if rng.random() < 0.7 else ""))
        else:
            # Leading cadres sit at the committee level.
            level = "县处级" if org.depth <= 2 else "乡科级"
            for i in range(rng.randint(3, 5)):
                seq += 1
                batch.append(Person(number=f"P{seq:07d}", name=_name(rng), org_id=org.pk, status="正式党员",
                                    post=["书记", "副书记", "委员", "委员", "委员"][i], is_leading_cadre=True,
                                    cadre_level=level, phone=_phone(rng)))
        if len(batch) >= 20000:
            flush()
    flush()
    return total


def campaign_text(today: dt.date) -> str:
    start = today - dt.timedelta(days=round(0.6 * CAMPAIGN_DAYS) - 1)
    end = start + dt.timedelta(days=CAMPAIGN_DAYS - 1)
    text = (Path(__file__).with_name("campaign.toml")).read_text(encoding="utf-8")
    return (text.replace("{start}", start.isoformat()).replace("{end}", end.isoformat())
            .replace("{t1}", (today + dt.timedelta(days=10)).isoformat())
            .replace("{t2}", (today + dt.timedelta(days=20)).isoformat()))


def _account(username, person=None):
    return org_actions.create_account(actor=None, username=username, password=DEMO_PASSWORD, person=person,
                                      validate_password=False)


def create_accounts(notable) -> list[tuple[str, str, str]]:
    city, counties = notable["city"], notable["counties"]
    county = counties[1]  # 东城区
    other = counties[2]
    # The reporter's branch is a complete one, so their home page shows a finished task.
    branch = next(b for b in Org.objects.filter(path__startswith=county.path, kind="党支部").order_by("path")
                  if b.people.filter(status="正式党员").count() >= 3)
    member = Person.objects.filter(org=branch, status="正式党员").exclude(phone="").order_by("number").first()
    group = org_actions.create_guidance_group(actor=None, code="XS-G1", name="市委第一巡回指导组",
                                              orgs=counties[2:4])
    rows = []

    def grant(username, role, label, sees, person=None, **kw):
        user = _account(username, person)
        org_actions.grant_role(actor=None, user=user, role=role, **kw)
        rows.append((username, label, sees))

    grant("city_office", "office", "市委主题教育办", f"{city.name}全部", org=city)
    grant("county_office", "office", f"{county.name.removeprefix('中共').removesuffix('委员会')}主题教育办",
          county.name, org=county)
    grant("branch_reporter", "unit", "党支部填报员", branch.name, org=branch)
    grant("guide", "guidance", "巡回指导组成员", f"{group.name}联系的 {other.name} 等 2 个单位", group=group)
    grant("member", "member", "党员", f"本人（{member.name}）", person=member)
    grant("sysadmin", "sysadmin", "系统管理员", "账号（不看业务数据）")
    grant("secadmin", "secadmin", "安全管理员", "角色授权（不看业务数据）")
    grant("auditadmin", "auditadmin", "审计管理员", "操作记录（不看业务数据）")
    return rows


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
        info.campaign = load_campaign(campaign_text(today), actor=None).name
        events.record(None, "demo.generate", ("demo", scale), org=notable["city"],
                      summary=f"生成演示数据（{scale}）：{info.orgs} 个组织，{info.people} 人")
    return info
