"""Text from outside (FAC's values, MySQL's error messages quoting them, a name typed at the login) as
it goes into a log line, a mail or a run's record: one line, whatever it holds."""

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escaped(text: str) -> str:
    r"""Control characters written as escapes (`\n`, `\r`, `\t`, `\x1b`…): no value can end a log line,
    start a forged one, or move a terminal's cursor. Backslashes are doubled first, so that an escape
    read back is never ambiguous."""
    names = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    text = text.replace("\\", "\\\\")
    return CONTROL.sub(lambda m: names.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else
                                          f"\\u{ord(m.group()):04x}"), text)  # fmt: skip
