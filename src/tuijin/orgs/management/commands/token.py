from django.core.management.base import BaseCommand, CommandError

from tuijin.orgs.actions import issue_api_token
from tuijin.orgs.models import User


class Command(BaseCommand):
    help = "为账号签发 REST API 令牌（只显示一次）：tuijin token USERNAME [--name 用途]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在")
        self.stdout.write(issue_api_token(actor=None, user=user, name=name))
