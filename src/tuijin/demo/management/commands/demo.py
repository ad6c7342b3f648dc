import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tuijin.campaigns.models import Campaign
from tuijin.core.calendar import today
from tuijin.demo.generate import DEMO_PASSWORD, SCALES, generate
from tuijin.evaluation.jobs import backfill
from tuijin.orgs.models import Org, User


class Command(BaseCommand):
    help = (
        "建库、生成演示城市 X市 并启动服务：tuijin demo [--scale small|city] [--no-server] [--port N] [--reset]。"
        "--scale province 生成 X省（含 X市 在内的 10 个市，供 tuijin bench 比较），只建当日快照"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="small", choices=list(SCALES))
        parser.add_argument("--no-server", action="store_true", help="只生成数据，不启动服务")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--reset", action="store_true", help="清空数据库后重新生成")

    def handle(self, scale, no_server, port, reset, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if Org.objects.filter(code="XS").exists():
            self.stdout.write("演示数据已存在，直接使用（加 --reset 可重新生成）。")
            accounts = [
                (u.username, "、".join(g.get_role_display() for g in u.grants.all()), "")
                for u in User.objects.filter(grants__isnull=False).distinct().order_by("pk")
            ]
        else:
            started = time.monotonic()
            info = generate(scale, today=today())
            self.stdout.write(
                f"已生成演示城市 X市（{scale}）：{info.orgs} 个组织，{info.people} 人，"
                f"用时 {time.monotonic() - started:.1f} 秒"
            )
            started = time.monotonic()
            campaign = Campaign.objects.get(name=info.campaign)
            # A province is for measuring: today's counters and snapshot, not fourteen weeks of history.
            days = backfill(today() if scale == "province" else campaign.start, today(), every_days=7)
            self.stdout.write(
                f"已补齐 {len(days)} 个每周快照（趋势图）并建立指标计数，用时 {time.monotonic() - started:.1f} 秒"
            )
            if scale != "province" and len(days) >= 3:
                issued = issue_earlier_briefing(days[-3])
                self.stdout.write(
                    f"市委主题教育办已签发截至{issued.as_of.month}月{issued.as_of.day}日的通报 {issued.number}；"
                    "新起草的通报与它比较"
                )
            self.stdout.write(f"主题教育：{info.campaign}")
            accounts = info.accounts
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label, sees in accounts:
            self.stdout.write(f"  {username:<16} {label}{'：' + sees if sees else ''}")
        self._print_authenticators()
        if no_server:
            return
        self.stdout.write("")
        self.stdout.write(f"打开 http://127.0.0.1:{port}/ 登录（Ctrl+C 停止）")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _print_authenticators(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tuijin.orgs.mfa import DEMO_DEVICE_NAME, base32_secret

        devices = TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME, confirmed=True).select_related("user")
        if not devices:
            return
        self.stdout.write("")
        self.stdout.write("三员账号登录时还要输入动态验证码（双因素认证）：在手机身份验证器里添加下面的密钥，")
        self.stdout.write("或在另一个终端运行 `tuijin totp-code 账号` 查看当前的 6 位验证码。")
        for device in devices.order_by("user__pk"):
            self.stdout.write(f"  {device.user.username:<16} 密钥 {base32_secret(device)}")


def issue_earlier_briefing(day):
    """The city office's briefing of one to two weeks ago, issued as it was then (a snapshot date: it reads
    the snapshot): the next draft says what changed since (issue 9)."""
    from tuijin.evaluation import actions as briefings

    office = User.objects.get(username="city_office")
    doc = briefings.draft_briefing(actor=office, org=Org.objects.get(code="XS"), as_of=day)
    return briefings.issue_briefing(doc, actor=office, on=day)
