from django.core.management.base import BaseCommand

from tuijin.core.cli_support import actor_from, fail
from tuijin.imports.registry import KINDS, ImportFailed, run_import


class Command(BaseCommand):
    help = "从 Excel 导入数据：tuijin import KIND FILE.xlsx [--dry-run]。有错误时逐行列出、退出码 2、不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"导入类型：{', '.join(KINDS)}")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--as", dest="as_user", help="以该账号的权限导入（默认：命令行操作员）")

    def handle(self, kind, file, dry_run, as_user, **options):
        try:
            with open(file, "rb") as fh:
                result = run_import(kind, fh, actor=actor_from(as_user), dry_run=dry_run)
        except FileNotFoundError:
            fail(self, [f"文件不存在：{file}"])
        except OSError as exc:  # a folder, no permission, …: still exit 2 with a message, not a traceback
            fail(self, [f"无法打开文件：{file}（{exc.strerror}）"])
        except ImportFailed as exc:
            for w in exc.warnings:
                self.stderr.write(f"提示 {w}")
            fail(self, [*exc.errors, f"共 {exc.total} 处错误，未写入任何数据。"])
        for w in result.warnings:
            self.stdout.write(f"提示 {w}")
        self.stdout.write(result.summary())
