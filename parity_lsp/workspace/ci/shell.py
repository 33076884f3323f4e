"""Shell text → simple commands with their lines; words with quoting removed.

Invariant: pure functions over `str`, no IO, never raise. This is not a shell: it knows just
enough (quotes, `\\` continuations, comments, `&&`/`||`/`;`/`|`/`&`, subshells, here-docs,
`$(…)`/`${…}`/backticks) to find the simple commands a CI script runs and where they start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that open or close a compound command; they are not programs.
_LEADING_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "{"}
_CLOSING_WORDS = {"fi", "done", "esac", "}", "then", "do", "else", ";;"}
# Headers whose text is not a command that runs anything we care about.
_HEADER_WORDS = {"for", "case", "select", "function"}


@dataclass(frozen=True, slots=True)
class ShellCommand:
    text: str  # whitespace-folded command text (quotes kept as written)
    line: int  # 0-based line, relative to the start of the script, where the command starts
    depth: int = 0  # subshell nesting depth: `(cd x && y)` does not change the outer cwd


def _read_quoted(s: str, i: int, quote: str) -> int:
    """Index just past the closing quote of the quoted string starting at s[i] (a `$(…)` inside
    double quotes is read whole); len(s) when unterminated: the rest is the string."""
    return _read_to_end(s, i, quote)


def _read_nested(s: str, i: int, open_: str, close: str) -> int:
    """s[i] is `open_` (`(` or `{`, `close` its closer); index just past its matching `close`
    (quotes respected inside parentheses), or len(s)."""
    return _read_to_end(s, i, open_)


_CLOSER = {"(": ")", "{": "}"}


def _read_to_end(s: str, i: int, kind: str) -> int:
    """Where the quoted string (`kind` a quote) or the bracketed text (`kind` `(` or `{`) that
    starts at s[i] ends. Quotes and `$(…)` nest in each other (`"$(a "$(b)")"`): the enclosing
    ones wait on a stack, not on the call stack (100,000 levels must not overflow it)."""
    n = len(s)
    stack: list[tuple[str, int]] = []  # enclosing (kind, depth)
    depth = 0  # of `kind` brackets
    j = i + 1 if kind in _QUOTES else i
    while j < n:
        c = s[j]
        if kind in _QUOTES:
            if kind == '"' and c == "\\":
                j += 2
                continue
            if kind == '"' and c == "$" and s.startswith("$(", j):
                stack.append((kind, depth))
                kind, depth, j = "(", 0, j + 1
                continue
            j += 1
            if c == kind:  # closed
                if not stack:
                    return j
                kind, depth = stack.pop()
            continue
        if kind == "(" and c in "'\"":
            stack.append((kind, depth))
            kind, depth, j = c, 0, j + 1
            continue
        if c == "\\":
            j += 2
            continue
        j += 1
        if c == kind:
            depth += 1
        elif c == _CLOSER[kind]:
            depth -= 1
            if depth == 0:  # closed
                if not stack:
                    return j
                kind, depth = stack.pop()
    return n


_QUOTES = frozenset("'\"`")


_HEREDOC = re.compile(r"<<(-?)\s*(?:'([^']*)'|\"([^\"]*)\"|\\?([A-Za-z0-9_.\-]+))")


def split_commands(script: str) -> list[ShellCommand]:
    """Split a script into simple commands. Here-doc bodies and comments are skipped."""
    s = script.replace("\r\n", "\n").replace("\r", "\n")
    out: list[ShellCommand] = []
    buf: list[str] = []
    start_line = 0
    line = 0
    depth = 0
    pending_heredocs: list[tuple[str, bool]] = []
    started = False  # the current command has a non-blank character
    i = 0
    n = len(s)

    def flush() -> None:
        nonlocal started
        text = " ".join("".join(buf).split())
        buf.clear()
        started = False
        cmd = _clean(text)
        if cmd:
            out.append(ShellCommand(cmd, start_line, depth))

    def begin() -> None:
        nonlocal start_line, started
        if not started:
            start_line, started = line, True

    while i < n:
        c = s[i]
        if c == "\n":
            flush()
            line += 1
            i += 1
            if pending_heredocs:
                i, line = _skip_heredocs(s, i, line, pending_heredocs)
                pending_heredocs = []
            continue
        if c == "\\":
            if i + 1 < n and s[i + 1] == "\n":  # continuation: join the lines
                buf.append(" ")
                line += 1
                i += 2
                continue
            begin()
            buf.append(s[i : i + 2])
            i += 2
            continue
        if c in "'\"`":
            begin()
            end = _read_quoted(s, i, c)
            chunk = s[i:end]
            buf.append(chunk)
            line += chunk.count("\n")
            i = end
            continue
        if c == "$" and i + 1 < n and s[i + 1] in "({":
            begin()
            end = _read_nested(s, i + 1, s[i + 1], ")" if s[i + 1] == "(" else "}")
            chunk = s[i:end]
            buf.append(chunk)
            line += chunk.count("\n")
            i = end
            continue
        if c == "#" and (not started or buf[-1][-1:].isspace()):
            while i < n and s[i] != "\n":  # comment to end of line
                i += 1
            continue
        if c == "<" and s.startswith("<<", i) and not s.startswith("<<<", i):
            m = _HEREDOC.match(s, i)
            if m:
                delim = m.group(2) or m.group(3) or m.group(4) or ""
                pending_heredocs.append((delim, m.group(1) == "-"))
                begin()
                buf.append(m.group(0))
                i = m.end()
                continue
        if c == ";":
            flush()
            i += 2 if s.startswith(";;", i) else 1
            continue
        if c == "&":
            prev = buf[-1][-1:] if buf else ""
            if s.startswith("&&", i):
                flush()
                i += 2
                continue
            if prev in (">", "<") or s.startswith("&>", i):  # redirection: 2>&1, &>file
                buf.append(c)
                i += 1
                continue
            flush()  # background job separator
            i += 1
            continue
        if c == "|":
            flush()
            i += 2 if s.startswith(("||", "|&"), i) else 1
            continue
        if c == "(" and not started:
            depth += 1  # subshell
            i += 1
            continue
        if c == ")" and depth > 0:
            flush()
            depth -= 1
            i += 1
            continue
        if not c.isspace():
            begin()
        buf.append(c)
        i += 1
    flush()
    return out


def _skip_heredocs(s: str, i: int, line: int, docs: list[tuple[str, bool]]) -> tuple[int, int]:
    """Skip here-document bodies (starting at s[i]) until each delimiter line."""
    n = len(s)
    for delim, _strip_tabs in docs:
        while i < n:
            end = s.find("\n", i)
            end = n if end == -1 else end
            body_line = s[i:end]
            i = min(end + 1, n)
            line += 1
            # Lenient: YAML indentation and `<<-` tabs both leave leading whitespace.
            if body_line.strip() == delim:
                break
    return i, line


def _clean(text: str) -> str:
    """Drop compound-command keywords around a simple command; '' when nothing is left."""
    words = text.split(" ") if text else []
    lead = 0
    while lead < len(words) and words[lead] in _LEADING_KEYWORDS:
        lead += 1
    if lead:
        del words[:lead]  # at once: `{ { { …` popped from the front one by one was quadratic
    while words and words[-1] in ("}", ")"):
        words.pop()
    if not words or (len(words) == 1 and words[0] in _CLOSING_WORDS):
        return ""
    if words[0] in _HEADER_WORDS or words[0].endswith("()"):
        return ""
    return " ".join(words)


# --- words ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    value: str  # quotes removed; expansions kept as written
    dynamic: bool = False  # holds `$VAR`, `$(…)`, `${{ … }}`: its value is only known at run time


def split_words(text: str) -> list[Word]:
    """Split one command into words like a POSIX shell would, without expanding anything."""
    words: list[Word] = []
    cur: list[str] = []
    dynamic = False
    in_word = False
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            if in_word:
                words.append(Word("".join(cur), dynamic))
                cur, dynamic, in_word = [], False, False
            i += 1
            continue
        in_word = True
        if c == "\\":
            if i + 1 < n:
                cur.append(text[i + 1])
            i += 2
            continue
        if c == "'":
            end = text.find("'", i + 1)
            end = n if end == -1 else end
            cur.append(text[i + 1 : end])
            i = end + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\$`':
                    cur.append(text[j + 1])
                    j += 2
                    continue
                if text[j] in "$`":
                    dynamic = True
                cur.append(text[j])
                j += 1
            i = j + 1
            continue
        if (
            c == "$"
            and i + 1 < n
            and (text[i + 1] in "({" or text[i + 1].isalnum() or text[i + 1] in "_@*#?!")
        ):
            dynamic = True
            if text[i + 1] in "({":
                end = _read_nested(text, i + 1, text[i + 1], ")" if text[i + 1] == "(" else "}")
                cur.append(text[i:end])
                i = end
                continue
        if c == "`":
            dynamic = True
            end = _read_quoted(text, i, "`")
            cur.append(text[i:end])
            i = end
            continue
        cur.append(c)
        i += 1
    if in_word:
        words.append(Word("".join(cur), dynamic))
    return words


# --- working directory ----------------------------------------------------------------------

_WORKSPACE_VAR = re.compile(
    r"^(?:\$GITHUB_WORKSPACE|\$\{GITHUB_WORKSPACE\}|\$\{\{\s*github\.workspace\s*\}\})(/|$)"
)


MAX_DIRECTORY_DEPTH = 64  # a deeper directory is not followed (`(cd a && (cd a && …` 100,000 times)


def join_dir(cwd: str | None, arg: str) -> str | None:
    """Workspace-relative directory after `cd arg` from `cwd`; None when unknowable, outside,
    or more than MAX_DIRECTORY_DEPTH deep (each command's directory is kept: nested `cd`s
    would make them quadratic)."""
    if cwd is None:
        return None
    m = _WORKSPACE_VAR.match(arg)
    if m:
        cwd, arg = "", arg[m.end() :]
    elif arg.startswith(("/", "~", "-")) or "$" in arg or "`" in arg:
        return None
    parts = [p for p in cwd.split("/") if p]
    for part in arg.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
            if len(parts) > MAX_DIRECTORY_DEPTH:
                return None
    return "/".join(parts)


def with_directories(commands: list[ShellCommand], cwd: str | None) -> list[tuple[ShellCommand, str | None]]:
    """Pair each command with the directory it runs in, following `cd`, `pushd` and `popd`."""
    out: list[tuple[ShellCommand, str | None]] = []
    # The directory set at each subshell depth where a `cd` ran, deepest last (all at or above
    # the current depth): a command runs in the last one.
    levels: list[tuple[int, str | None]] = [(0, cwd)]
    stack: list[str | None] = []
    for cmd in commands:
        while levels[-1][0] > cmd.depth:  # left a subshell: its cd is forgotten
            levels.pop()
        here = levels[-1][1]
        out.append((cmd, here))
        words = split_words(cmd.text)
        if not words:
            continue
        prog = words[0].value
        if prog not in ("cd", "pushd", "popd"):
            continue
        if prog == "popd":
            now = stack.pop() if stack else None
        else:
            target = words[1] if len(words) > 1 else None
            if prog == "pushd":
                stack.append(here)
            if target is None:
                now = None  # `cd` alone: $HOME
            elif target.dynamic and not _WORKSPACE_VAR.match(target.value):
                now = None
            else:
                now = join_dir(here, target.value)
        if levels[-1][0] == cmd.depth:
            levels[-1] = (cmd.depth, now)
        else:
            levels.append((cmd.depth, now))
    return out
