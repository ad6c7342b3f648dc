"""Every change to orgs, people, accounts and grants. Each action checks permission, runs in
one transaction and writes a domain event; views, API, imports and the demo all call these."""

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from tuijin.core import derived, events
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import require
from tuijin.core.scope import forget

from .models import BUSINESS_ROLES, PHONE_RE, GuidanceGroup, Org, Person, Role, RoleGrant, User

ORG_FIELDS = ("name", "kind", "sector", "batch", "active")
PERSON_FIELDS = ("name", "status", "post", "is_leading_cadre", "cadre_level", "phone", "active")
# Fields no indicator or task rule reads: an edit of only these refreshes no counter, so twenty clerks
# correcting 职务 in one branch do not queue on that branch's counter lock (bench `load`).
UNCOUNTED_PERSON_FIELDS = {"name", "post", "phone"}


def _check_version(obj, version):
    if version is not None and int(version) != obj.version:
        raise StaleEdit()


def _clean(obj, names) -> None:
    """Trim the named text fields and check them against the model's rules. The first problem is
    raised for a clerk to read, in Chinese, naming the field; nothing has been saved yet."""
    for name in names:
        field = obj._meta.get_field(name)
        value, label = getattr(obj, field.attname), field.verbose_name
        if isinstance(value, str):
            value = value.strip()
            setattr(obj, field.attname, value)
        if (value is None and not field.null) or (value == "" and not field.blank):
            raise ActionError(f"{label}不能为空", field=name)
        allowed = [key for key, _ in field.choices or []]
        if allowed and value not in ("", None) and value not in allowed:
            raise ActionError(f"{label}“{value}”无效，应为：{'、'.join(allowed)}", field=name)
        if field.max_length and isinstance(value, str) and len(value) > field.max_length:
            raise ActionError(f"{label}太长（{len(value)} 字），最多 {field.max_length} 字", field=name)
        if name == "phone" and value and not PHONE_RE.match(value):
            raise ActionError(f"手机号“{value}”格式不对，应为 11 位手机号或带区号的固定电话", field=name)


def create_org(
    *, actor, parent: Org | None, code: str, name: str, kind: str, sector: str = "其他", batch: str = ""
) -> Org:
    with transaction.atomic():
        if parent is None:
            if actor is not None:
                raise ActionError("只有命令行可以创建根组织")
        else:
            require(actor, "org.manage", parent)
        org = Org(code=code, name=name, kind=kind, sector=sector, batch=batch, parent=parent)
        _clean(org, ("code", "name", "kind", "sector", "batch"))
        if Org.objects.filter(code=org.code).exists():
            raise ActionError(f"组织编码“{org.code}”已存在", field="code")
        org = (
            Org.objects.add_root(instance=org)
            if parent is None
            else Org.objects.add_child(Org.objects.get(pk=parent.pk), instance=org)
        )
        derived.refresh([org, parent])  # the parent counts its child orgs (task rules' "org" records)
        events.record(
            actor, "org.create", org, org=org, summary=f"新建组织 {org.name}（{org.code}）", after=events.snapshot(org)
        )
        return org


def update_org(org: Org, *, actor, version=None, **changes) -> Org:
    with transaction.atomic():
        org = Org.objects.select_for_update().get(pk=org.pk)
        require(actor, "org.manage", org)
        _check_version(org, version)
        before = events.snapshot(org, ORG_FIELDS)
        for key, value in changes.items():
            if key not in ORG_FIELDS:
                raise ActionError(f"不能修改字段 {key}")
            setattr(org, key, value)
        _clean(org, changes)
        org.version += 1  # the row is locked (select_for_update), so a plain increment is safe
        org.save()
        b, a = events.diff(before, events.snapshot(org, ORG_FIELDS))
        derived.refresh([org, org.parent])
        events.record(actor, "org.update", org, org=org, summary=f"修改组织 {org.name}", before=b, after=a)
        return org


def _reparent(org: Org, new_parent: Org) -> Org:
    """Move org's subtree under new_parent and keep the denormalized parent, through save() so
    that field history records the move."""
    Org.objects.move(org, Org.objects.get(pk=new_parent.pk), pos="last-child")
    org.refresh_from_db()
    org.parent = new_parent
    org.version += 1
    org.save()
    return org


def move_org(org: Org, *, actor, new_parent: Org, version=None) -> Org:
    """Move a subtree under another parent. History keeps the old parent in the event."""
    with transaction.atomic():
        org = Org.objects.select_for_update().get(pk=org.pk)
        new_parent = Org.objects.get(pk=new_parent.pk)
        require(actor, "org.manage", org)
        require(actor, "org.manage", new_parent)
        _check_version(org, version)
        if new_parent.path.startswith(org.path):
            raise ActionError("不能把组织移到它自己的下级组织之下", field="parent")
        if not new_parent.active:
            raise ActionError(f"“{new_parent.name}”已撤销，不能作为上级组织", field="parent")
        old_parent = org.parent
        org = _reparent(org, new_parent)
        derived.tree_changed()
        derived.refresh([org, old_parent, new_parent])
        events.record(
            actor,
            "org.move",
            org,
            org=org,
            summary=f"组织 {org.name} 从 {old_parent.name if old_parent else '（无）'} 移至 {new_parent.name}",
            before={"parent": old_parent.code if old_parent else None},
            after={"parent": new_parent.code},
        )
        return org


def merge_org(source: Org, *, actor, into: Org) -> Org:
    """Merge `source` into `into`: people and child orgs move over, source stays as an inactive
    record pointing at its successor (nothing is deleted)."""
    with transaction.atomic():
        source = Org.objects.get(pk=source.pk)
        into = Org.objects.get(pk=into.pk)
        require(actor, "org.manage", source)
        require(actor, "org.manage", into)
        if source.pk == into.pk or into.path.startswith(source.path):
            raise ActionError("不能并入自身或自身的下级组织", field="into")
        if not source.active:
            raise ActionError(f"“{source.name}”已撤销，不能再并入其他组织", field="source")
        if not into.active:
            raise ActionError(f"“{into.name}”已撤销，不能接收并入", field="into")
        # People and children move through the model (with history and a new version), not
        # with a bare update(), so each one's field history shows where it came from.
        people = list(source.people.select_for_update().order_by("number"))
        for person in people:
            person.org, person.version = into, person.version + 1
        bulk_update_with_history(
            people,
            Person,
            ["org", "version"],
            batch_size=500,
            default_user=actor if getattr(actor, "pk", None) else None,
        )
        moved_people = [p.number for p in people]
        moved_children = [_reparent(child, into).code for child in Org.objects.filter(parent=source)]
        source = Org.objects.get(pk=source.pk)
        source.active = False
        source.merged_into = into
        source.version += 1
        source.save()
        derived.tree_changed()
        derived.refresh([source, into, source.parent])
        events.record(
            actor,
            "org.merge",
            source,
            org=into,
            summary=f"组织 {source.name} 并入 {into.name}（转入 {len(moved_people)} 人）",
            before={"active": True},
            after={"active": False, "merged_into": into.code, "people": moved_people, "children": moved_children},
        )
        return Org.objects.get(pk=source.pk)


def create_person(*, actor, org: Org, number: str, name: str, **fields) -> Person:
    with transaction.atomic():
        require(actor, "people.manage", org)
        person = Person(org=org, number=number, name=name, **fields)
        _clean(person, ("number", "name", *fields))
        if Person.objects.filter(number=person.number).exists():
            raise ActionError(f"人员编号“{person.number}”已存在", field="number")
        person.save()
        derived.refresh([org])
        events.record(
            actor,
            "person.create",
            person,
            org=org,
            summary=f"新增人员 {person.name}（{person.number}）",
            after=events.snapshot(person, PERSON_FIELDS + ("number", "org")),
        )
        return person


def update_person(person: Person, *, actor, version=None, org: Org | None = None, **changes) -> Person:
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).select_related("org").get(pk=person.pk)
        old_org = person.org
        require(actor, "people.manage", person.org)
        if org is not None and org.pk != person.org_id:
            require(actor, "people.manage", org)
            changes["org_id"] = org.pk
        _check_version(person, version)
        before = events.snapshot(person, PERSON_FIELDS + ("org",))
        for key, value in changes.items():
            if key not in PERSON_FIELDS + ("org_id",):
                raise ActionError(f"不能修改字段 {key}")
            setattr(person, key, value)
        _clean(person, [key for key in changes if key != "org_id"])
        person.version += 1
        person.save()
        b, a = events.diff(before, events.snapshot(person, PERSON_FIELDS + ("org",)))
        if set(a or {}) - UNCOUNTED_PERSON_FIELDS:  # a name, a 职务 or a phone number counts nowhere
            derived.refresh([old_org, person.org])  # the org it left, when it moved
        events.record(
            actor, "person.update", person, org=person.org, summary=f"修改人员 {person.name}", before=b, after=a
        )
        return person


def create_account(
    *, actor, username: str, password: str | None, person: Person | None = None, validate_password: bool = True
) -> User:
    from django.contrib.auth.password_validation import validate_password as check

    with transaction.atomic():
        require(actor, "accounts.manage")
        if User.objects.filter(username=username).exists():
            raise ActionError(f"账号“{username}”已存在", field="username")
        user = User(username=username, person=person)
        if password and validate_password:
            check(password, user)
        user.set_password(password) if password else user.set_unusable_password()
        user.save()
        events.record(
            actor,
            "account.create",
            user,
            summary=f"新建账号 {username}",
            after={"username": username, "person": person.number if person else None},
        )
        return user


ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)


def _check_separation(actor, user: User, role: Role) -> None:
    """三员分立: no one grants a role to themselves; an account holds at most one of the three admin
    roles, and never an admin role together with a business role. Checked here, so pages, API,
    CLI and imports all refuse alike."""
    if actor is not None and actor.pk == user.pk:
        raise ActionError("不能给自己授予角色（三员分立：授权须由另一名安全管理员办理）", field="username")
    held = {Role(r) for r in RoleGrant.objects.filter(user=user).values_list("role", flat=True)}
    labels = "、".join(sorted(r.label for r in held))
    if role in ADMIN_ROLES:
        other_admin = held & set(ADMIN_ROLES) - {role}
        if other_admin:
            raise ActionError(
                f"账号 {user.username} 已是{labels}，三员分立：一个账号只能担任系统管理员、"
                f"安全管理员、审计管理员中的一个",
                field="role",
            )
        if held & BUSINESS_ROLES:
            raise ActionError(
                f"账号 {user.username} 已有业务角色（{labels}），三员分立：管理员账号不能同时担任业务角色，请另建账号",
                field="role",
            )
        if role in held:
            raise ActionError(f"账号 {user.username} 已是{role.label}", field="role")
    elif held & set(ADMIN_ROLES):
        raise ActionError(
            f"账号 {user.username} 是{labels}，三员分立：管理员账号不能同时担任业务角色，请另建账号", field="role"
        )


def grant_role(
    *,
    actor,
    user: User,
    role: str,
    org: Org | None = None,
    group: GuidanceGroup | None = None,
    manage_subtree: bool = False,
) -> RoleGrant:
    """Role grants are the security administrator's job (三员分立), never an office's. Every grant
    is a domain event; a business grant is marked so, and the audit administrator sees both."""
    with transaction.atomic():
        require(actor, "grants.manage")
        try:
            role = Role(role)
        except ValueError:
            raise ActionError(f"角色“{role}”无效，应为：{'、'.join(Role.labels)}", field="role") from None
        # Lock the account's row so two concurrent grants cannot both pass the separation check.
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_separation(actor, user, role)
        if role == Role.GUIDANCE and group is None:
            raise ActionError("指导组角色必须指定指导组", field="group")
        if role in (Role.OFFICE, Role.UNIT) and org is None:
            raise ActionError("办公室和单位角色必须指定组织", field="org")
        if role == Role.MEMBER and user.person_id is None:
            raise ActionError("党员角色的账号必须关联人员", field="user")
        grant = RoleGrant.objects.create(
            user=user,
            role=role,
            org=org if role in (Role.OFFICE, Role.UNIT) else None,
            group=group if role == Role.GUIDANCE else None,
            manage_subtree=manage_subtree,
        )
        forget(user)
        kind = "业务角色" if role in BUSINESS_ROLES else "管理员角色"
        events.record(
            actor,
            "grant.create",
            grant,
            org=org,
            summary=f"授予 {user.username} {kind}：{grant}",
            after={
                "role": role.value,
                "org": org.code if org else None,
                "group": group.code if group else None,
                "business": role in BUSINESS_ROLES,
            },
        )
        return grant


def create_guidance_group(*, actor, code: str, name: str, orgs=()) -> GuidanceGroup:
    with transaction.atomic():
        for org in orgs:
            require(actor, "org.manage", org)
        group = GuidanceGroup.objects.create(code=code, name=name)
        group.orgs.set(orgs)
        events.record(
            actor, "group.create", group, summary=f"新建指导组 {name}", after={"orgs": [o.code for o in orgs]}
        )
        return group


def issue_api_token(*, actor, user: User, name: str = "") -> str:
    """Create a token for `user` and return it in clear, once. Users issue their own; the
    system administrator may issue for anyone."""
    import hashlib
    import secrets

    from .models import ApiToken

    with transaction.atomic():
        if actor is not None and actor.pk != user.pk:
            require(actor, "accounts.manage")
        key = "tj_" + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:8], key_hash=hashlib.sha256(key.encode()).hexdigest()
        )
        events.record(actor, "token.create", token, summary=f"为 {user.username} 签发 API 令牌 {key[:8]}…")
        return key


def revoke_role(*, actor, grant: RoleGrant) -> None:
    with transaction.atomic():
        require(actor, "grants.manage")
        user, label = grant.user, str(grant)
        events.record(
            actor,
            "grant.revoke",
            grant,
            org=grant.org,
            summary=f"撤销 {user.username} 的授权：{label}",
            before={"role": grant.role, "org": grant.org.code if grant.org else None},
        )
        grant.delete()
        forget(user)


def set_account_active(*, actor, user: User, active: bool) -> User:
    with transaction.atomic():
        require(actor, "accounts.manage")
        user.is_active = active
        user.save(update_fields=["is_active"])
        events.record(
            actor,
            "account.activate" if active else "account.deactivate",
            user,
            summary=f"{'启用' if active else '停用'}账号 {user.username}",
            after={"is_active": active},
        )
        return user


# ------------------------------------------------------------------ two-factor login (TOTP, django-otp)

RECOVERY_CODES = 10


def _new_recovery_codes(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def start_totp_enrolment(*, actor):
    """The actor's pending (unconfirmed) authenticator, made once and reused until confirmed. Nothing
    is recorded: a pending key protects nothing until confirm_totp() checks a code from it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
            raise ActionError("已经绑定了身份验证器；如需更换，请联系安全管理员重置")
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("id").first()
        return device or TOTPDevice.objects.create(user=actor, name="身份验证器", confirmed=False)


def confirm_totp(*, actor, token: str) -> tuple[object, list[str]]:
    """Confirm the actor's pending authenticator with a code it shows; returns the device and ten
    one-time recovery codes (shown once, stored only as django-otp keeps them)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("id").first()
        if device is None:
            raise ActionError("没有待绑定的身份验证器，请刷新页面重新扫码")
        if not (token or "").strip().isdigit() or not device.verify_token(token.strip()):
            raise ActionError("验证码不正确：请输入身份验证器上当前显示的 6 位数字", field="token")
        device.confirmed = True
        device.save()
        codes = _new_recovery_codes(actor)
        events.record(actor, "mfa.enrol", actor, summary=f"{actor.username} 绑定身份验证器（双因素认证）")
        return device, codes


def regenerate_recovery_codes(*, actor) -> list[str]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
            raise ActionError("尚未绑定身份验证器")
        codes = _new_recovery_codes(actor)
        events.record(actor, "mfa.codes", actor, summary=f"{actor.username} 重新生成恢复码（旧恢复码作废）")
        return codes


def reset_mfa(*, actor, user: User) -> None:
    """The security administrator (or the command line) removes an account's authenticator and
    recovery codes, e.g. after a lost phone; the account enrols again at its next login."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        require(actor, "grants.manage")
        if actor is not None and actor.pk == user.pk:
            raise ActionError("不能重置自己的双因素认证：请由另一名安全管理员或服务器管理员（命令行）办理")
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        events.record(
            actor,
            "mfa.reset",
            user,
            summary=f"重置 {user.username} 的双因素认证（下次登录须重新绑定）",
            after={"removed_devices": removed},
        )
