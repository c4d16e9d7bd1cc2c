"""The small YAML subset TML uses, written and read with the standard library only.

Written: block mappings and sequences, JSON-quoted strings where plain ones would be misread. Read: that,
plus plain and single-quoted scalars, ``|``/``>`` block scalars, ``#`` comment lines and one-line flow
lists/mappings of scalars. Anything else is a ValueError (a TML import answers it with a per-object ERROR).
"""

from __future__ import annotations

import json
import re

_PLAIN = re.compile(r"^[A-Za-z_][\w .()/@-]*$")
_SPECIAL = {"true", "false", "null", "yes", "no", "on", "off", "~"}


def dump(value: object) -> str:
    """Write ``value`` (dicts, lists, str, int, float, bool, None) as block YAML."""
    return "".join(_lines(value, 0)) or "{}\n"


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _SPECIAL and text == text.strip():
        return text
    return json.dumps(text)


def _lines(value: object, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_scalar(key)}:\n")
                out.extend(_lines(item, indent + 2))
            else:
                out.append(f"{pad}{_scalar(key)}: {_empty(item)}\n")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                nested = _lines(item, indent + 2)
                out.append(f"{pad}- {nested[0].lstrip()}")
                out.extend(nested[1:])
            else:
                out.append(f"{pad}- {_empty(item)}\n")
    else:
        out.append(f"{pad}{_scalar(value)}\n")
    return out


def _empty(value: object) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def load(text: str) -> object:
    """Read the subset back; a ValueError says which line it could not read."""
    lines = [
        (len(raw) - len(raw.lstrip(" ")), raw.strip(), number)
        for number, raw in enumerate(text.splitlines(), 1)
    ]
    lines = [line for line in lines if line[1] and not line[1].startswith("#") and line[1] != "---"]
    if not lines:
        return None
    value, position = _block(lines, 0, lines[0][0])
    if position != len(lines):
        raise ValueError(f"line {lines[position][2]}: unexpected indentation")
    return value


Line = tuple[int, str, int]


def _block(lines: list[Line], position: int, indent: int) -> tuple[object, int]:
    if lines[position][1].startswith("- ") or lines[position][1] == "-":
        return _sequence(lines, position, indent)
    return _mapping(lines, position, indent)


def _sequence(lines: list[Line], position: int, indent: int) -> tuple[object, int]:
    items: list[object] = []
    while position < len(lines) and lines[position][0] == indent and lines[position][1].startswith("-"):
        _, text, number = lines[position]
        rest = text[1:].strip()
        if not rest:
            if position + 1 < len(lines) and lines[position + 1][0] > indent:
                item, position = _block(lines, position + 1, lines[position + 1][0])
            else:
                item, position = None, position + 1
        elif _key(rest) is not None:  # "- key: value" starts a mapping indented past the dash
            inner = indent + 2 + (len(text[1:]) - len(text[1:].lstrip(" ")) - 1)
            lines[position] = (inner, rest, number)
            item, position = _mapping(lines, position, inner)
        else:
            item, position = _parse_scalar(rest, number), position + 1
        items.append(item)
    return items, position


def _mapping(lines: list[Line], position: int, indent: int) -> tuple[object, int]:
    result: dict[str, object] = {}
    while position < len(lines) and lines[position][0] == indent:
        _, text, number = lines[position]
        split = _key(text)
        if split is None:
            raise ValueError(f"line {number}: expected 'key: value'")
        key, rest = split
        position += 1
        if rest in ("|", "|-", ">", ">-", "|+", ">+"):
            block: list[str] = []
            while position < len(lines) and lines[position][0] > indent:
                block.append(lines[position][1])
                position += 1
            joined = ("\n" if rest.startswith("|") else " ").join(block)
            result[key] = joined if rest.endswith("-") else joined + "\n"
        elif rest:
            result[key] = _parse_scalar(rest, number)
        elif position < len(lines) and (
            lines[position][0] > indent
            or (lines[position][0] == indent and lines[position][1].startswith("-"))
        ):
            result[key], position = _block(lines, position, lines[position][0])
        else:
            result[key] = None
    return result, position


def _key(text: str) -> tuple[str, str] | None:
    if text[:1] in ('"', "'"):
        end = text.find(text[0], 1)
        if end < 0 or text[end + 1 : end + 2] != ":":
            return None
        return str(_parse_scalar(text[: end + 1], 0)), text[end + 2 :].strip()
    match = re.match(r"^([^:#{}\[\],]+?):(?:\s+(.*))?$", text)
    if match is None:
        return None
    return match.group(1).strip(), (match.group(2) or "").strip()


def _parse_scalar(text: str, number: int) -> object:
    if text.startswith('"'):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError(f"line {number}: bad double-quoted string") from None
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise ValueError(f"line {number}: bad single-quoted string")
        return text[1:-1].replace("''", "'")
    if text.startswith(("[", "{")):
        return _flow(text, number)
    text = re.sub(r"\s+#.*$", "", text)
    lowered = text.lower()
    if lowered in ("null", "~"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d*(e[-+]?\d+)?", lowered):
        return float(text)
    return text


def _flow(text: str, number: int) -> object:
    closing = "]" if text[0] == "[" else "}"
    if not text.endswith(closing):
        raise ValueError(f"line {number}: unterminated flow collection")
    inner = text[1:-1].strip()
    parts = [part.strip() for part in inner.split(",")] if inner else []
    if closing == "]":
        return [_parse_scalar(part, number) for part in parts]
    result: dict[str, object] = {}
    for part in parts:
        split = _key(part)
        if split is None:
            raise ValueError(f"line {number}: bad flow mapping entry")
        result[split[0]] = _parse_scalar(split[1], number) if split[1] else None
    return result
