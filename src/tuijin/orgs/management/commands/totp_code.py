"""`tuijin totp-code USERNAME`: the current 6-digit code of a demo admin account's authenticator.

Only for the authenticators the demo binds (named orgs.mfa.DEMO_DEVICE_NAME), so a newcomer can try
the admin pages without a phone; a real account's code is never shown.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuijin.orgs.mfa import DEMO_DEVICE_NAME


class Command(BaseCommand):
    help = "显示演示账号（三员）身份验证器当前的动态验证码"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"账号 {username} 没有绑定身份验证器")
        if device.name != DEMO_DEVICE_NAME:
            raise CommandError("只能查看演示数据绑定的验证码；真实账号的验证码只在本人手机上")
        clock = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        clock.time = timezone.now().timestamp()
        left = device.step - int(clock.time - device.t0) % device.step
        self.stdout.write(f"{clock.token():0{device.digits}d}  （{left} 秒内有效）")
