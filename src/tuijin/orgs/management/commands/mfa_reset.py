"""`tuijin mfa-reset USERNAME`: the server operator removes an account's authenticator and recovery
codes (e.g. the only security administrator lost the phone). Recorded like the page's reset."""

from django.core.management.base import BaseCommand, CommandError

from tuijin.core.errors import ActionError
from tuijin.orgs.actions import reset_mfa
from tuijin.orgs.models import User


class Command(BaseCommand):
    help = "重置账号的双因素认证（下次登录须重新绑定身份验证器）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        try:
            reset_mfa(actor=None, user=user)
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已重置 {username} 的双因素认证，其下次登录时须重新绑定身份验证器")
