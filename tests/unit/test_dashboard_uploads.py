"""Uploads: size first, then text, then the scenario loader; never an exception out."""

from __future__ import annotations

import pytest

from dashboards.uploads import MAX_UPLOAD_BYTES, UploadRefused, read_upload
from simulator.loading import builtin_dir

GOOD = b"name: tiny\norganisation:\n  departments: [{name: crew, collaborators: 4}]\nproject: {tasks: 12}\n"


def refused(name: str, data: bytes, size: int | None = None) -> list[str]:
    with pytest.raises(UploadRefused) as caught:
        read_upload(name, len(data) if size is None else size, lambda: data)
    return caught.value.lines


def test_a_good_file_loads():
    assert read_upload("tiny.yaml", len(GOOD), lambda: GOOD).name == "tiny"


def test_every_builtin_scenario_uploads():
    for path in builtin_dir().glob("*.yaml"):
        data = path.read_bytes()
        assert read_upload(path.name, len(data), lambda data=data: data).name == path.stem


def test_a_large_file_is_refused_before_it_is_read():
    def never() -> bytes:
        raise AssertionError("read although too large")

    with pytest.raises(UploadRefused) as caught:
        read_upload("big.yaml", MAX_UPLOAD_BYTES + 1, never)
    assert "1 MB" in caught.value.lines[0]


def test_a_size_that_lies_is_caught_after_reading():
    assert "1 MB" in refused("big.yaml", b"#" * (MAX_UPLOAD_BYTES + 10), size=10)[0]


def test_only_scenario_files():
    assert "yaml" in refused("notes.txt", GOOD)[0]


def test_a_browser_path_is_reduced_to_the_file_name():
    lines = refused("C:\\Users\\me\\broken.yaml", b"name: [\n")
    assert lines[0].startswith("error: broken.yaml")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"name: x\n\tbad: [\n", "broken.yaml"),
        ("name: caf\xe9\n".encode("latin-1"), "UTF-8"),
        (b"", "empty"),
        (b"- a list\n- not a scenario\n", "mapping"),
        (
            b"name: x\norganisation:\n  departments: [{name: a, collaborators: -3}]\nproject: {tasks: 5}\n",
            "collaborators",
        ),
        (
            b"name: x\norganisation:\n  departments: [{name: a, collaborators: 3}]\n"
            b"project: {tasks_file: /etc/passwd}\n",
            "files on the server",
        ),
        (
            b"name: x\norganisation:\n  departments: [{name: a, collaborators: 3}]\n"
            b"  people_file: ../secret.csv\nproject: {tasks: 5}\n",
            "files on the server",
        ),
        (b"a: &a [*a]\n", "broken.yaml"),
        (
            b"name: x\norganisation:\n  departments: [{name: a, collaborators: 1500, teams: 3}]\nproject: {tasks: 5}\n",
            "at most 1000",
        ),
    ],
)
def test_bad_files_come_back_as_lines(data, words):
    lines = refused("broken.yaml", data)
    assert 1 <= len(lines) <= 3
    assert any(words in line for line in lines), lines
    assert all(line.startswith("error:") for line in lines)


def test_a_failed_transfer_is_a_refusal():
    def broken() -> bytes:
        raise TimeoutError("browser went away")

    with pytest.raises(UploadRefused) as caught:
        read_upload("x.yaml", 10, broken)
    assert "could not be received" in caught.value.lines[0]


def test_python_tags_are_not_executed():
    data = b"name: !!python/object/apply:os.system ['echo hacked']\norganisation: {}\n"
    assert refused("evil.yaml", data)
