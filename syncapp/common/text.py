"""Text from outside (FAC's values, MySQL's error messages quoting them, a name typed at the login) as
it goes into a log line, a mail or a run's record: one line, whatever it holds, read in its own order."""

import re

# C0, DEL and C1; the Unicode line and paragraph separators; and the bidirectional controls (the marks,
# embeddings, overrides and isolates), which reorder what a terminal or a mail shows: U+202E turns
# `user=admin‮04.03.02.01` into what reads as another address.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text: str) -> str:
    r"""Control characters written as escapes (`\n`, `\r`, `\t`, `\x1b`, `\u202e`…): no value can end a log
    line, start a forged one, move a terminal's cursor or reverse what follows it. Backslashes are doubled
    first, so that an escape read back is never ambiguous."""
    return CONTROL.sub(lambda m: NAMED.get(m.group(), code_point(m.group())), text.replace("\\", "\\\\"))


def code_point(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 256 else f"\\u{ord(char):04x}"


def quoted(text: str) -> str:
    """Escaped, and between double quotes (one inside written `\\"`): a value that holds spaces or
    `key=value` stays one field of its log line, so it cannot pass for the fields that follow it."""
    return '"' + escaped(text).replace('"', '\\"') + '"'
