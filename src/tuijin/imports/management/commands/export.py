from django.core.management.base import BaseCommand

from tuijin.core.cli_support import actor_from, fail
from tuijin.imports.registry import KINDS, ImportFailed, export_subtree
from tuijin.orgs.models import Org


class Command(BaseCommand):
    help = "导出一个组织及其下级的数据，列与导入模板一致：tuijin export KIND --org CODE --out FILE.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"类型：{', '.join(KINDS)}")
        parser.add_argument("--org", required=True, help="组织编码")
        parser.add_argument("--out", required=True)
        parser.add_argument("--as", dest="as_user", help="只导出该账号可见的数据")

    def handle(self, kind, org, out, as_user, **options):
        user = actor_from(as_user)
        # With --as, an org outside the user's scope reads like a missing one (SPEC §1: 404, not 403).
        orgs = Org.objects.all() if user is None else Org.objects.visible_to(user)
        root = orgs.filter(code=org).first()
        if root is None:
            fail(self, [f"组织编码“{org}”不存在" + ("" if user is None else "，或不在该账号的查看范围内")])
        try:
            n = export_subtree(kind, root, out, user=user)
        except ImportFailed as exc:
            fail(self, exc.errors)
        self.stdout.write(f"已导出 {n} 行到 {out}")
