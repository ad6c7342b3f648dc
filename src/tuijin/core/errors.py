"""Errors an action raises for a person to read (Chinese), naming the field where there is one."""


class ActionError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEdit(ActionError):
    """The record changed since the form was opened: nothing is saved, the user is told."""

    def __init__(self) -> None:
        super().__init__("该记录已被他人修改，您的修改未保存。请刷新页面查看最新内容后再修改。")
