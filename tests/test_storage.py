"""storage.py: local paths, file:// and memory:// URIs, streamed writes that start over, listing and reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_locations import KINDS, location, read_bytes

from airflow_provider_tssession import storage
from airflow_provider_tssession._compat import ObjectStoragePath


@pytest.mark.parametrize("kind", KINDS)
def test_chunks_are_written_to_a_new_directory_and_named_by_uri(kind: str, tmp_path: Path) -> None:
    target = storage.child(location(kind, tmp_path), "report.pdf")
    written = storage.write_chunks(target, (bytes([n]) * 1000 for n in range(50)))
    assert written.bytes == 50_000
    assert written.uri.startswith("file:///" if kind != "memory" else "memory://")
    assert read_bytes(written.uri) == b"".join(bytes([n]) * 1000 for n in range(50))


@pytest.mark.parametrize("kind", KINDS)
def test_writing_again_replaces_a_cut_off_file_instead_of_appending(kind: str, tmp_path: Path) -> None:
    target = storage.child(location(kind, tmp_path), "data.csv")

    def cut_off() -> object:
        yield b"first half of a body"
        raise ConnectionError("dropped")

    with pytest.raises(ConnectionError):
        storage.write_chunks(target, cut_off())  # type: ignore[arg-type]
    written = storage.write_chunks(target, [b"the whole ", b"body"])
    assert read_bytes(written.uri) == b"the whole body"
    assert written.bytes == 14


@pytest.mark.parametrize("kind", KINDS)
def test_text_writer_writes_utf8_with_unix_line_ends(kind: str, tmp_path: Path) -> None:
    target = storage.child(location(kind, tmp_path), "rows.jsonl")
    with storage.open_writer(target, binary=False) as stream:
        stream.write('{"name":"Zoë"}\n')
        stream.write("second\r\n")
    assert read_bytes(storage.uri_of(target)) == '{"name":"Zoë"}\nsecond\r\n'.encode()


@pytest.mark.parametrize("kind", KINDS)
def test_listing_matches_a_glob_sorted_and_reads_each_file(kind: str, tmp_path: Path) -> None:
    base = location(kind, tmp_path)
    for name, text in [("b.tml", "guid: b"), ("a.tml", "guid: a"), ("notes.txt", "skip me")]:
        storage.write_chunks(storage.child(base, name), [text.encode()])
    found = storage.list_files(base, "*.tml")
    assert [storage.uri_of(path).rsplit("/", 1)[-1] for path in found] == ["a.tml", "b.tml"]
    assert [storage.read_text(path) for path in found] == ["guid: a", "guid: b"]


def test_a_missing_directory_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        storage.list_files(tmp_path / "nowhere", "*.tml")


def test_local_paths_resolve_to_absolute_paths_and_file_uris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = storage.resolve("exports")
    assert path == tmp_path / "exports"
    assert storage.uri_of(path) == (tmp_path / "exports").as_uri()
    assert storage.resolve(Path("exports")) == tmp_path / "exports"


def test_an_object_storage_path_is_used_as_given(tmp_path: Path) -> None:
    given = ObjectStoragePath((tmp_path / "given").as_uri())
    assert storage.resolve(given) is given
    written = storage.write_chunks(storage.child(given, "x.bin"), [b"x"])
    assert (tmp_path / "given" / "x.bin").read_bytes() == b"x"
    assert written.uri == (tmp_path / "given" / "x.bin").as_uri()


@pytest.mark.parametrize("name", ["", ".", "..", "../escape.csv", "a/b.csv", "a\\b.csv"])
def test_a_file_name_cannot_climb_out_of_its_directory(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one path segment"):
        storage.child(tmp_path, name)


@pytest.mark.parametrize("bad", ["", None, 3])
def test_an_empty_or_non_path_location_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="non-empty path or URI"):
        storage.resolve(bad)  # type: ignore[arg-type]
