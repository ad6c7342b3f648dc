from django.core.management.base import BaseCommand

from tuijin.core.cli_support import fail
from tuijin.imports.registry import KINDS, write_template


class Command(BaseCommand):
    help = "生成空白导入模板：tuijin export-template KIND [--out FILE.xlsx]；KIND 为 all 时生成全部模板"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"模板类型：{', '.join(KINDS)} 或 all")
        parser.add_argument("--out", help="输出文件（默认：KIND-模板.xlsx；all 时为目录）")

    def handle(self, kind, out, **options):
        from pathlib import Path

        if kind == "all":
            folder = Path(out or ".")
            folder.mkdir(parents=True, exist_ok=True)
            for name in KINDS:
                write_template(name, folder / f"{name}-模板.xlsx")
                self.stdout.write(str(folder / f"{name}-模板.xlsx"))
            return
        if kind not in KINDS:
            fail(self, [f"未知的模板类型“{kind}”（可用：{'、'.join(KINDS)}）"])
        target = out or f"{kind}-模板.xlsx"
        write_template(kind, target)
        self.stdout.write(f"已生成模板 {target}")
