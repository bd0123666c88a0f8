"""Stage 1: read YAML files safely and check them against the declared schema.

Returns plain validated dicts, or raises InvalidInput with every problem found as
`file:line: key.path: expected …, got …`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidInput
from .schema import Problems, Spec, format_problems, line_of

_SAFE_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


# libyaml's parser when PyYAML was built with it: same nodes and line marks, five times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file; a BOM and Windows line ends are fine, other encodings are not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput([f"{display_path(path)}: file not found"]) from None
    except OSError as exc:
        raise InvalidInput([f"{display_path(path)}: cannot read: {exc.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput([
            f"{display_path(path)}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); "
            "save the file as UTF-8 (in Notepad: Save as > Encoding: UTF-8)"
        ]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def compose(path: Path, text: str) -> yaml.Node | None:
    """Parse to a node tree (no objects are built, so no tag can run code)."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        raise InvalidInput([f"{display_path(path)}: nested too deeply to read; "
                            "expected the shape of a meeting.yaml"]) from None
    except yaml.MarkedYAMLError as exc:
        raise InvalidInput([syntax_problem(display_path(path), text, exc)]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([f"{display_path(path)}: YAML error: {exc}"]) from None


# What people type that YAML reads differently: a tab or a non-breaking space (Alt+Space on a
# Mac, copied from Word) where YAML wants a plain space.
_TAB_INDENT = re.compile(r"^[ \u00a0]*\t")
_NBSP_INDENT = re.compile(r"^[ \t]*\u00a0")
_NBSP_AFTER_KEY = re.compile(r"^\s*(?:-\s+)?([^\s#:'\"][^:#]*?):\u00a0")


def typed_wrong(line: str) -> str | None:
    """What is wrong with one line as typed, or None: a tab or a non-breaking space in the
    indentation, a non-breaking space after 'key:'."""
    if _TAB_INDENT.match(line):
        return "a tab character in the indentation; use spaces, not tabs, to indent YAML (replace the tab)"
    if _NBSP_INDENT.match(line):
        return "a non-breaking space in the indentation; YAML indents with plain spaces (retype it)"
    key = _NBSP_AFTER_KEY.match(line)
    if key:
        return (f"a non-breaking space after '{key.group(1).strip()}:'; YAML needs a plain space after the colon "
                "(delete it and type a normal space)")
    return None


def syntax_problem(label: str, text: str, exc: yaml.MarkedYAMLError) -> str:
    """One line for a YAML syntax error: a tab or non-breaking space that caused it, by name;
    otherwise where the construct opened (the context mark: an unclosed quote or bracket)
    as well as where the parser noticed."""
    problem = exc.problem_mark or exc.context_mark
    at = problem.line + 1 if problem else 1
    lines = text.split("\n")
    opened = exc.context_mark
    first = max(1, min(at - 2, opened.line + 1 if opened else at))
    for number in range(min(at, len(lines)), first - 1, -1):  # the cause is at or just above where it was noticed
        why = typed_wrong(lines[number - 1])
        if why:
            return f"{label}:{number}: {why}"
    reason = exc.problem or exc.context or "syntax error"
    if not (exc.context and "quoted" in exc.context):
        opening = _unclosed_quote(lines, at)
        if opening:  # closed by the next quote in the file: the parser stumbles later
            return f"{label}:{opening}: YAML syntax error: a quoted value that starts at line {opening} is not " \
                   f"closed (a closing quote is missing): {reason} at line {at}"
    hint = ""
    if "mapping values are not allowed" in reason:
        hint = " (a value containing ': ' must be quoted)"
    if exc.context and opened is not None and opened.line + 1 != at:
        start = opened.line + 1
        construct = exc.context.removeprefix("while ").replace("scanning ", "").replace("parsing ", "").replace(
            "scalar", "value")
        if "quoted" in construct or "flow" in construct:  # the fix is where it opened
            closing = "quote" if "quoted" in construct else "bracket"
            return f"{label}:{start}: YAML syntax error: {construct} that starts at line {start} is not closed " \
                   f"(a closing {closing} is missing): {reason} at line {at}"
        return f"{label}:{at}: YAML syntax error: {reason}, in {construct} that starts at line {start}{hint}"
    return f"{label}:{at}: YAML syntax error: {reason}{hint}"


_QUOTED_VALUE = re.compile(r"^\s*(?:-\s+)?(?:[^\s#'\"][^:#]*:\s+)?([\"'])(.*)$")


def _unclosed_quote(lines: list[str], at: int) -> int | None:
    """The last line at or above `at` where a quoted value opens and does not close on it."""
    for number in range(min(at, len(lines)), 0, -1):
        match = _QUOTED_VALUE.match(lines[number - 1])
        if not match:
            continue
        quote, rest = match.groups()
        closed = rest.replace("''", "") if quote == "'" else rest.replace('\\\\', "").replace('\\"', "")
        if quote not in closed:
            return number
    return None


def _typed_in_values(node: yaml.Node, problems: Problems) -> None:
    """Plain values that hold a non-breaking space after 'key:': YAML read the line as text,
    not as a key and its value."""
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and "\u00a0" in node.value:
            why = typed_wrong(node.value)
            if why:
                problems.append((line_of(node), "", why))
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _typed_in_values(child, problems)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _typed_in_values(key, problems)
            _typed_in_values(value, problems)


MAX_DEPTH = 40  # meeting.yaml needs 5 levels; far deeper nesting is a mistake (or an attack)


def _unsafe_nodes(root: yaml.Node, problems: Problems) -> None:
    """Aliases, tags other than the plain ones, and nesting deeper than MAX_DEPTH (walked
    without recursion, so no input can exhaust the stack)."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            problems.append((line_of(node), "", "YAML aliases (*name) are not supported here; write the value out"))
            continue
        seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            problems.append((line_of(node), "", f"YAML tag '{node.tag}' is not allowed"))
            continue
        if depth > MAX_DEPTH:
            problems.append((line_of(node), "", f"nested more than {MAX_DEPTH} levels deep; expected the shape "
                             "of meeting.yaml"))
            return
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend([(value, depth + 1), (key, depth + 1)])


def parse_yaml(path: Path, spec: Spec) -> tuple[dict[str, Any], yaml.Node, Problems]:
    """Read, parse and check one YAML file against `spec`.

    A file that cannot be read or parsed raises InvalidInput at once. Otherwise returns the
    checked dict (None where a value was wrong), the node tree and the problems found, so
    that the caller can add its own checks and report everything together.
    """
    text = read_text(path)
    node = compose(path, text)
    if node is None:
        raise InvalidInput([f"{display_path(path)}:1: the file is empty"])
    problems: Problems = []
    _unsafe_nodes(node, problems)
    if not problems:
        _typed_in_values(node, problems)
    if problems:
        raise InvalidInput(format_problems(display_path(path), problems))
    value = spec.check(node, "", problems)
    if value is None:
        raise InvalidInput(format_problems(display_path(path), problems))
    return value, node, problems


def load_yaml(path: Path, spec: Spec) -> tuple[dict[str, Any], yaml.Node]:
    """parse_yaml, raising InvalidInput with every problem if there is any."""
    value, node, problems = parse_yaml(path, spec)
    if problems:
        raise InvalidInput(format_problems(display_path(path), problems))
    return value, node


def node_at(root: yaml.Node, path: str) -> yaml.Node:
    """The node at a key path like `cases[2].presenter`, or the nearest parent that exists."""
    node = root
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and isinstance(node, yaml.SequenceNode):
            index = int(part[1:-1])
            if index >= len(node.value):
                return node
            node = node.value[index]
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    node = value
                    break
            else:
                return node
        else:
            return node
    return node
