import datetime as dt

from django.core.management.base import BaseCommand

from tuijin.core.calendar import today
from tuijin.core.cli_support import actor_from, fail
from tuijin.evaluation import briefing, docx
from tuijin.orgs.models import Org


class Command(BaseCommand):
    help = (
        "生成讲评通报或讲话提纲：tuijin briefing --org CODE [--as-of DATE] [--kind notice|outline] --out FILE.docx|.md"
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="截至日期（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--kind",
            choices=briefing.KINDS,
            default="notice",
            help="notice：通报（默认）；outline：推进会讲话提纲。两者出自同一组短板检测结果",
        )
        parser.add_argument("--out", required=True, help="输出文件：.docx（公文格式）或 .md")
        parser.add_argument("--as", dest="as_user", help="只允许该账号范围内的组织")

    def handle(self, org, as_of, out, as_user, kind="notice", **options):
        qs = Org.objects.all()
        user = actor_from(as_user)
        if user is not None:
            qs = qs.visible_to(user)
        target = qs.filter(code=org).first()
        if target is None:
            fail(self, [f"组织编码“{org}”不存在" + ("或不在该账号的范围内" if user else "")])
        if not out.endswith((".docx", ".md")):
            fail(self, ["--out 应以 .docx 或 .md 结尾"])
        b = briefing.build(target, as_of or today(), kind=kind)
        if out.endswith(".md"):
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(briefing.to_markdown(b))
        else:
            docx.render(b, out)
        self.stdout.write(f"已生成《{b.title}》：{out}（{len(b.claims())} 段，每段附数据依据）")
