"""Checks ``linter.pieces`` on released code: every ``.py`` file under the given directories is
parsed whole and in small pieces (``--piece-chars``, so that most files are cut many times),
and the two modules must be equal node for node (``deep_equals``) and print the same text (the
whole parse's: on a few files libcst's own parse does not give the file's text back).

    python bench/pieces_check.py bench/corpus bench/.cache/cloud-bench

A long audit (it parses every file twice), not part of the test suite.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    import libcst as cst

    from linter import engine, pieces
    from linter.source import SourceError, decode_source

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--piece-chars", type=int, default=2000)
    parser.add_argument("--max-bytes", type=int, default=8 * 1024 * 1024, help="skip larger files")
    args = parser.parse_args()
    counts = {"files": 0, "one piece": 0, "cut": 0, "whole": 0, "unparsable": 0, "different": 0,
              "libcst does not round-trip": 0}
    started = time.perf_counter()
    for directory in args.directories:
        for root, _, names in os.walk(directory):
            for name in sorted(names):
                if not name.endswith(".py"):
                    continue
                path = os.path.join(root, name)
                try:
                    with open(path, "rb") as stream:
                        data = stream.read()
                    if len(data) > args.max_bytes:
                        continue
                    text = decode_source(data).text
                except (OSError, SourceError):
                    continue
                counts["files"] += 1
                if counts["files"] % 500 == 0:
                    print(f"... {counts}", flush=True)  # a long run can be stopped and still tell
                lines: list = []
                engine.nesting(text, lines)
                if len(pieces.piece_starts(text, lines, args.piece_chars)) < 2:
                    counts["one piece"] += 1  # nothing to compare: parsed whole
                    continue
                try:
                    whole = cst.parse_module(text)
                except Exception:
                    counts["unparsable"] += 1
                    if pieces.parse_in_pieces(text, lines, engine._parse_unvalidated, args.piece_chars) is not None:
                        counts["different"] += 1  # pieces must never parse what the whole parse rejects
                        print(f"PARSED IN PIECES ONLY {path}")
                    continue
                try:
                    cut = pieces.parse_in_pieces(text, lines, engine._parse_unvalidated, args.piece_chars)
                except Exception as exc:  # a crash is a difference too
                    print(f"CRASH {path}: {exc!r}")
                    counts["different"] += 1
                    continue
                if cut is None:  # a piece the guards refused
                    counts["whole"] += 1
                    print(f"WHOLE {path}")
                    continue
                counts["cut"] += 1
                if whole.code != text:
                    counts["libcst does not round-trip"] += 1  # its own parse loses text: compared with that
                if not cut.deep_equals(whole) or cut.code != whole.code:
                    counts["different"] += 1
                    print(f"DIFFERENT {path}")
    counts["seconds"] = round(time.perf_counter() - started)
    print(counts)
    return 1 if counts["different"] else 0


if __name__ == "__main__":
    sys.exit(main())
