"""Stage 1: read YAML files safely and check them against the declared schema.

Returns plain validated dicts, or raises InvalidInput with every problem found as
`file:line: key.path: expected …, got …`.
"""

from __future__ import annotations

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
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = exc.problem or exc.context or "syntax error"
        hint = ""
        if "tab" in reason:
            hint = " (use spaces, not tabs, for indentation)"
        elif "mapping values are not allowed" in reason:
            hint = " (a value containing ': ' must be quoted)"
        raise InvalidInput([f"{display_path(path)}:{line}: YAML syntax error: {reason}{hint}"]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([f"{display_path(path)}: YAML error: {exc}"]) from None


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
