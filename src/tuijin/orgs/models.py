"""Organizations (a tree of any depth), people, accounts and their role grants (SPEC §2.1)."""

import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from tuijin.core.scope import ScopedQuerySetMixin


class OrgKind(models.TextChoices):
    """组织类别: code names the kind (`OrgKind.BRANCH`), never the literal."""

    COMMITTEE = "党委", "党委"
    WORKING_COMMITTEE = "党工委", "党工委"
    LEADING_GROUP = "党组", "党组"
    GENERAL_BRANCH = "党总支", "党总支"
    BRANCH = "党支部", "党支部"


ORG_KINDS = OrgKind.values
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")  # a mobile or a landline with area code
SECTORS = ["机关", "事业单位", "国有企业", "学校", "医院", "农村", "社区", "非公企业", "社会组织", "其他"]
BATCHES = ["第一批", "第二批"]
PERSON_STATUSES = ["正式党员", "预备党员", "群众"]
CADRE_LEVELS = ["省部级", "厅局级", "县处级", "乡科级", "其他"]


def _choices(values):
    return [(v, v) for v in values]


class OrgQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    pass


class OrgManager(MP_NodeManager):
    # treebeard's manager builds its own MP_NodeQuerySet; ours adds visible_to().
    def get_queryset(self):
        return OrgQuerySet(self.model).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)


class Org(MP_Node):
    """A party organization. Its materialized path makes a subtree one prefix scan."""

    code = models.CharField("组织编码", max_length=40, unique=True)
    name = models.CharField("组织名称", max_length=120, db_index=True)
    kind = models.CharField("组织类别", max_length=10, choices=_choices(ORG_KINDS))
    sector = models.CharField("所属领域", max_length=10, choices=_choices(SECTORS), default="其他")
    batch = models.CharField("批次", max_length=10, choices=_choices(BATCHES), blank=True)
    active = models.BooleanField("有效", default=True)
    # Denormalized from the path, kept by the actions that create and move orgs: makes
    # "children of X" a plain foreign-key filter for pages, the API and task rules.
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children_set"
    )
    merged_into = models.ForeignKey(
        "self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["numchild"])

    objects = OrgManager()
    scope_path_field = "path"

    class Meta:
        verbose_name = verbose_name_plural = "组织"

    def __str__(self):
        return self.name

    @classmethod
    def scope_member_q(cls, user):
        person = getattr(user, "person", None)
        return Q(pk=person.org_id) if person else Q(pk__in=[])

    def is_branch(self) -> bool:
        return self.kind == OrgKind.BRANCH


class PersonQuerySet(ScopedQuerySetMixin, models.QuerySet):
    pass


class Person(models.Model):
    number = models.CharField("人员编号", max_length=40, unique=True)
    name = models.CharField("姓名", max_length=60, db_index=True)
    org = models.ForeignKey(Org, verbose_name="所在组织", on_delete=models.PROTECT, related_name="people")
    status = models.CharField("政治面貌", max_length=10, choices=_choices(PERSON_STATUSES), default="正式党员")
    post = models.CharField("职务", max_length=60, blank=True)
    is_leading_cadre = models.BooleanField("是否领导干部", default=False)
    cadre_level = models.CharField("干部层级", max_length=10, choices=_choices(CADRE_LEVELS), blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    active = models.BooleanField("有效", default=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()
    scope_path_field = "org__path"

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        indexes = [models.Index(fields=["org", "is_leading_cadre"])]

    def __str__(self):
        return f"{self.name}（{self.number}）"

    @classmethod
    def scope_member_q(cls, user):
        return Q(pk=user.person_id) if user.person_id else Q(pk__in=[])

    @property
    def masked_phone(self) -> str:
        p = self.phone
        if not p:
            return ""
        return p[:3] + "****" + p[-4:] if len(p) >= 7 else "*" * len(p)


class GuidanceGroup(models.Model):
    """A roving guidance group (巡回指导组): sees only the orgs assigned to it, with their subtrees."""

    code = models.CharField("编号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=120)
    orgs = models.ManyToManyField(Org, verbose_name="联系单位", related_name="guidance_groups", blank=True)
    history = HistoricalRecords(m2m_fields=[orgs])

    class Meta:
        verbose_name = verbose_name_plural = "指导组"

    def __str__(self):
        return self.name


class User(AbstractUser):
    person = models.OneToOneField(
        Person, verbose_name="对应人员", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )

    class Meta:
        verbose_name = verbose_name_plural = "账号"

    @property
    def display_name(self) -> str:
        if self.person_id:
            return self.person.name
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    OFFICE = "office", "办公室"
    GUIDANCE = "guidance", "指导组"
    UNIT = "unit", "单位"
    MEMBER = "member", "党员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITADMIN = "auditadmin", "审计管理员"


BUSINESS_ROLES = {Role.OFFICE, Role.GUIDANCE, Role.UNIT, Role.MEMBER}
ADMIN_ROLES_SET = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN}  # 三员: one per account, never with a business role


class RoleGrant(models.Model):
    """One role held by a user, bound to an org (office, unit) or a guidance group."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    org = models.ForeignKey(Org, verbose_name="组织", null=True, blank=True, on_delete=models.PROTECT)
    group = models.ForeignKey(GuidanceGroup, verbose_name="指导组", null=True, blank=True, on_delete=models.PROTECT)
    manage_subtree = models.BooleanField("可维护下级组织数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        constraints = [
            models.CheckConstraint(
                name="grant_binding",
                condition=(
                    Q(role="guidance", group__isnull=False, org__isnull=True)
                    | Q(role__in=["office", "unit"], org__isnull=False, group__isnull=True)
                    | Q(role__in=["member", "sysadmin", "secadmin", "auditadmin"], group__isnull=True)
                ),
            )
        ]

    def __str__(self):
        where = self.group or self.org or ""
        return f"{self.get_role_display()} {where}".strip()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=80, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"


class LoginThrottle(models.Model):
    """Failed logins counted per account and, separately, per client address — never per pair, so
    changing addresses does not reset an account's count and one address's failures do not stop other
    people's accounts. Past a limit each further failure doubles the wait (see orgs/throttle.py)."""

    key = models.CharField(max_length=200, unique=True)  # "account:<username>" or "address:<ip>"
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录失败计数"
