"""Reading input files: text, mappings with the line of every key, CSV rows with theirs.

The bottom layer of loading (`simulator.loading` has the layer order): bytes become text,
text becomes plain data, and each piece remembers the line it came from so that the
layers above can point at it. YAML is read through its node tree; TOML by scanning table
headers and `key =` lines; CSV row by row. What cannot be read at all stops here as an
`InputError`: a file too large or not UTF-8, a syntax error, a duplicate YAML key, an
alias that contains itself, a CSV row the csv module refuses.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import InputError, Problem

MAX_FILE_BYTES = 20_000_000

Lines = dict[tuple[Any, ...], int]  # a key path -> the line it is written on


def is_file(path: Path) -> bool:
    """Whether `path` is a file; False, not an exception, for a name the system refuses."""
    # A name too long for the file system raises instead of answering False.
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def read_text(path: Path, source: str, encoding: str = "utf-8") -> str:
    """The text of a file; InputError (named `source`) if too large, unreadable or not UTF-8."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(Problem(source=source, message="file is larger than 20 MB"))
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(source=source, message=exc.strerror or "cannot be read")) from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        # Point at the line of the first bad byte (often a file saved as Latin-1).
        line = raw[: exc.start].count(b"\n") + 1
        message = f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}; save the file as UTF-8)"
        raise InputError(Problem(source=source, line=line, message=message)) from None


# --- YAML and TOML mappings -------------------------------------------------------------


def read_mapping(text: str, source: str, toml: bool) -> tuple[Any, Lines]:
    """The data of a YAML (or TOML) text and the line of every key path in it.

    InputError for an empty file, a syntax error, a key given twice or an alias that
    contains itself; whether the data is a mapping is for the caller to check.
    """
    if not text.strip():
        raise InputError(Problem(source=source, line=1, message="the file is empty"))
    if toml:
        return _read_toml(text, source)
    return _read_yaml(text, source)


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$|\s*\(at end of document\)\s*$")


def _read_toml(text: str, source: str) -> tuple[Any, Lines]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_WHERE.search(message)
        line = None
        if found:
            line = int(found.group(1)) if found.group(1) else len(text.splitlines())
            message = message[: found.start()]
        message = message[:1].lower() + message[1:]
        raise InputError(
            Problem(source=source, line=line, message=f"not valid TOML: {message}")
        ) from None
    return data, _toml_lines(text)


def _dates_as_text(base: type) -> type:
    """A safe loader that leaves dates as text: the schema parses them, so that a date
    like 2027-13-04 is a located error instead of a crash inside the YAML reader."""
    timestamp = "tag:yaml.org,2002:timestamp"
    loader = type(f"{base.__name__}DatesAsText", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != timestamp]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader


SAFE_LOADER = _dates_as_text(yaml.SafeLoader)
# libyaml, when PyYAML was built with it, reads large inline plans about 3 times faster.
_FAST_LOADER = _dates_as_text(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_yaml_value(text: str) -> Any:
    """One YAML value (a `--set` value, an observation), read like scenario files are."""
    return yaml.load(text, Loader=SAFE_LOADER)


def _read_yaml(text: str, source: str) -> tuple[Any, Lines]:
    try:
        try:
            data, lines = _compose(text, source, _FAST_LOADER)
        except yaml.YAMLError:
            if not hasattr(yaml, "CSafeLoader"):
                raise
            # The pure-Python parser words syntax errors better ("but got ':'"); errors
            # are rare, so the text is read again with it for the message.
            data, lines = _compose(text, source, SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise InputError(_yaml_problem(exc, source)) from None
    except yaml.YAMLError as exc:
        # Reader errors (a control character) carry a character position, not a mark.
        position = getattr(exc, "position", None)
        line = text[:position].count("\n") + 1 if isinstance(position, int) else None
        message = str(exc).splitlines()[0] if str(exc) else "cannot be read"
        raise InputError(
            Problem(source=source, line=line, message=f"not valid YAML: {message}")
        ) from None
    except RecursionError:
        raise InputError(
            Problem(source=source, message="not valid YAML: nested too deeply")
        ) from None
    if data is None:
        only_comments = all(
            not row.strip() or row.lstrip().startswith("#") for row in text.splitlines()
        )
        message = "the file has only comments" if only_comments else "the file is empty"
        raise InputError(Problem(source=source, line=1, message=message))
    return data, lines


def _compose(text: str, source: str, loader_class: Any) -> tuple[Any, Lines]:
    """The data and the line of every key; YAML errors propagate."""
    lines: Lines = {}
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines
        _node_lines(node, (), lines, source, set())
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.MarkedYAMLError, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    message = exc.problem or exc.context or "cannot be read"
    if message.startswith("but found another document"):
        return Problem(
            source=source,
            line=line,
            message="a second YAML document starts here (one scenario per file)",
        )
    if exc.context and exc.problem and exc.context_mark is not None:
        # "while parsing a flow mapping" + where it started: often the real culprit.
        started = exc.context_mark.line + 1
        if started != line:
            message += f" ({exc.context} that starts on line {started})"
    return Problem(source=source, line=line, message=f"not valid YAML: {message}")


def _key_of(node: yaml.Node) -> Any:
    """The Python key a YAML key node becomes (`1` for `1:`, `true` for `yes:`)."""
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
        return node.value
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except yaml.YAMLError:
        return getattr(node, "value", None)


def _node_lines(
    node: yaml.Node, path: tuple[Any, ...], lines: Lines, source: str, active: set[int]
) -> None:
    """Record the line of every key and entry; refuse duplicate keys and self-containing aliases.

    A node reached a second time (an alias) is not walked again: its inner lines fall back
    to the line that uses the alias, and a file of nested aliases costs linear time.
    """
    lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return
    if id(node) in active:
        raise InputError(
            Problem(
                source=source,
                line=node.start_mark.line + 1,
                path=path,
                message="an alias refers to the block that contains it",
            )
        )
    if getattr(node, "_orgsim_seen", False):
        return
    node._orgsim_seen = True  # type: ignore[attr-defined]
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = _key_of(key_node)
            line = key_node.start_mark.line + 1
            try:
                if key in first_line:
                    raise InputError(
                        Problem(
                            source=source,
                            line=line,
                            path=(*path, key),
                            message=f"key given twice (first on line {first_line[key]})",
                        )
                    )
                first_line[key] = line
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            lines[(*path, key)] = line
            _node_lines(value_node, (*path, key), lines, source, active)
    else:
        for index, item in enumerate(node.value):
            _node_lines(item, (*path, index), lines, source, active)
    active.discard(id(node))


_TOML_ARRAY_TABLE = re.compile(r"^\[\[\s*([^\[\]]+?)\s*\]\]")
_TOML_TABLE = re.compile(r"^\[\s*([^\[\]]+?)\s*\]")
_TOML_KEY = re.compile(
    r"^((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _toml_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[^.\s]+", text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _toml_lines(text: str) -> Lines:
    """Lines of TOML keys: table headers, `[[array]]` entries and `key =` lines.

    Keys inside inline tables share their parent's line, which is where they are.
    """
    lines: Lines = {(): 1}
    current: tuple[Any, ...] = ()
    arrays: dict[tuple[str, ...], int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        row = raw.strip()
        if not row or row.startswith("#"):
            continue
        found = _TOML_ARRAY_TABLE.match(row)
        if found:
            table = _toml_key(found.group(1))
            arrays[table] = arrays.get(table, -1) + 1
            current = (*_with_indices(table[:-1], arrays), table[-1], arrays[table])
            lines.setdefault(current[:-1], number)
            lines[current] = number
            continue
        found = _TOML_TABLE.match(row)
        if found:
            current = _with_indices(_toml_key(found.group(1)), arrays)
            lines.setdefault(current, number)
            continue
        found = _TOML_KEY.match(row)
        if found:
            lines.setdefault((*current, *_toml_key(found.group(1))), number)
    return lines


def _with_indices(table: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> tuple[Any, ...]:
    """`[a.b]` after `[[a]]` means the last `a` entry's `b`: insert that index."""
    path: list[Any] = []
    for i, part in enumerate(table):
        path.append(part)
        if table[: i + 1] in arrays:
            path.append(arrays[table[: i + 1]])
    return tuple(path)


# --- CSV --------------------------------------------------------------------------------


def csv_table(text: str, source: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header of a CSV text and its rows, each with the line it ends on.

    The header is the first row, even an empty one (`[]` for an empty text). Rows follow
    lazily; rows with no content are skipped; every cell is stripped of spaces. A row the
    csv module refuses (a field over its size limit) is an InputError at its line, raised
    where it is read.
    """
    reader = csv.reader(io.StringIO(text, newline=""))

    def not_valid(exc: csv.Error) -> InputError:
        return InputError(
            Problem(source=source, line=reader.line_num, message=f"not valid CSV: {exc}")
        )

    try:
        header = [cell.strip() for cell in next(reader, [])]
    except csv.Error as exc:
        raise not_valid(exc) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells):
                    yield reader.line_num, cells
        except csv.Error as exc:
            raise not_valid(exc) from None

    return header, rows()
