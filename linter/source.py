"""Bytes to text and back, keeping what a round trip must keep: encoding, BOM, line endings.

Decoding follows PEP 263 (``tokenize.detect_encoding``: BOM first, then a coding cookie in the
first two lines, else UTF-8). Newlines are *not* translated, so ``\\r\\n`` and mixed endings
survive untouched; edits never introduce a different newline than the file's own.
"""
from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from typing import List


# A line as Python counts them: ended by \n, \r\n or \r (str.splitlines also splits at \f...).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def physical_lines(text: str) -> List[str]:
    """``text``'s lines as Python counts them, each with its own line ending."""
    return _LINE.findall(text)


class SourceError(Exception):
    """A file imslint cannot read as Python text (reported as IMS000)."""


@dataclass(frozen=True)
class SourceText:
    text: str  # decoded, without the BOM
    encoding: str  # codec name as detected (``utf-8-sig`` when a BOM was present)

    @property
    def has_bom(self) -> bool:
        return self.encoding == "utf-8-sig"

    @property
    def newline(self) -> str:
        """The file's first newline sequence (``\\n`` when it has none)."""
        index = self.text.find("\n")
        carriage = self.text.find("\r")
        if carriage != -1 and (index == -1 or carriage < index):
            return "\r\n" if self.text.startswith("\r\n", carriage) else "\r"
        return "\n"

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def decode_source(data: bytes) -> SourceText:
    if b"\x00" in data:
        raise SourceError("contains NUL bytes (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        message = exc.msg if hasattr(exc, "msg") else str(exc)
        if not message.startswith("invalid or missing encoding declaration"):
            raise SourceError(f"bad encoding declaration: {message}")
        # detect_encoding says this when a first line without a declaration is not UTF-8 (a
        # binary file, say): the UTF-8 decode below names the byte, which tells the user more.
        encoding = "utf-8"
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r}")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"cannot be decoded as {encoding}: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        )
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    return SourceText(text=text, encoding=encoding)
