"""Binary detection is by content: what a file holds, not what it is called."""

from __future__ import annotations

from pathlib import Path

from lockgate.sources.content import SNIFF_BYTES, binary_reason, is_binary, sniff_file


def test_source_code_and_utf8_text_are_text() -> None:
    assert not is_binary(b"def main():\n\treturn 'h\xc3\xa9llo'\r\n")
    assert not is_binary(b"")
    assert not is_binary(b"\x1b[31mred log line\x1b[0m\n\x0cnext page\n")


def test_a_nul_byte_makes_content_binary() -> None:
    assert is_binary(b"PK\x03\x04" + b"\x00" * 10)
    assert binary_reason(b"text\x00more") == "binary content (NUL byte in the first 8 KiB)"


def test_only_the_first_8_kib_decide() -> None:
    assert not is_binary(b"a" * SNIFF_BYTES + b"\x00")


def test_many_control_bytes_make_content_binary() -> None:
    data = bytes(range(1, 32)) * 10
    assert is_binary(data)
    assert "control bytes" in (binary_reason(data) or "")


def test_a_few_stray_control_bytes_are_still_text() -> None:
    assert not is_binary(b"print('ding')  # rings the bell\n" * 20 + b"\x07\x08\n")


def test_utf16_with_a_byte_order_mark_is_treated_as_binary_and_says_so() -> None:
    data = "password = hunter2\n".encode("utf-16")
    assert is_binary(data)
    assert "UTF-16" in (binary_reason(data) or "")


def test_sniff_file_reports_size_and_binary(tmp_path: Path) -> None:
    text = tmp_path / "notes.bin"
    text.write_text("plain words\n" * 1000)
    blob = tmp_path / "readme.txt"
    blob.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100)
    assert sniff_file(text) == (12_000, False)
    assert sniff_file(blob) == (108, True)
