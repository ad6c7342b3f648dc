import datetime as dt

from django.core.management.base import BaseCommand

from tuijin.core.calendar import today
from tuijin.core.cli_support import actor_from, fail
from tuijin.evaluation.briefing import cn_date
from tuijin.orgs.models import Org
from tuijin.supervision import letters
from tuijin.supervision.actions import issuer_of, supervisor_grant


class Command(BaseCommand):
    help = "生成提示函草稿：tuijin letter --org CODE [--as-of DATE] --out FILE.docx|.md（不编号、不发送）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="截至日期（YYYY-MM-DD），默认今天")
        parser.add_argument("--out", required=True, help="输出文件：.docx（公文格式）或 .md")
        parser.add_argument("--issuer", help="发文机关，默认为 --as 账号所在指导组或办公室")
        parser.add_argument("--as", dest="as_user", help="以该账号起草：只允许其联系或管辖的组织")

    def handle(self, org, as_of, out, issuer, as_user, **options):
        user = actor_from(as_user)
        target = Org.objects.filter(code=org).first()
        grant = supervisor_grant(user, target) if target is not None else None
        if target is None or grant is None:
            fail(self, [f"组织编码“{org}”不存在" + ("或不在该账号联系、管辖的范围内" if user else "")])
        if not out.endswith((".docx", ".md")):
            fail(self, ["--out 应以 .docx 或 .md 结尾"])
        as_of = as_of or today()
        d = letters.draft(target, as_of, issuer=issuer or issuer_of(grant if user else None))
        if d is None:
            self.stdout.write(
                f"截至{cn_date(as_of)}，{target.name}各项指标均未滞后于时间进度，无需发提示函，未生成文件。"
            )
            return
        if out.endswith(".md"):
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(
                    letters.to_markdown(
                        d.title, d.addressee, d.body, d.issuer, cn_date(as_of), basis=[f.as_dict() for f in d.findings]
                    )
                )
        else:
            letters.render_docx(d.title, d.addressee, d.body, d.issuer, cn_date(as_of), "", out)
        self.stdout.write(
            f"已生成提示函草稿《{d.title}》：{out}（{len(d.findings)} 项滞后，未编号，须在系统中编号发送）"
        )
