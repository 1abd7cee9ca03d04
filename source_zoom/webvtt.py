"""Zoom's WebVTT transcripts read as cues, whatever shape the file is in.

Zoom writes a transcript as `WEBVTT`, then one block per utterance, blocks separated by a blank
line: a number, a time line `HH:MM:SS.mmm --> HH:MM:SS.mmm`, and the text, `Speaker Name: text`
when Zoom could tell the speaker. A file that does not keep to that never fails a sync: every
cue that can be read is returned, and what could not be is counted by problem, for one warning.

- A missing `WEBVTT` header: the blocks are read anyway (counted).
- A block without a time line, or with one that is not two timestamps: not a cue (counted).
- Bytes that are not UTF-8: each such byte becomes U+FFFD, the rest of the cue is kept (counted).
- `NOTE`, `STYLE` and `REGION` blocks are WebVTT's comments and settings, not cues.

A cue's index is its position among the file's cue blocks, 0-based, counting the blocks that
could not be read: an index names the same utterance whatever is made of its neighbours.

Speaker: the text before the first ": " of the cue's first line. Zoom's format cannot tell a
speaker from a line that itself begins "Word: ..." (the whole line is then taken as spoken by
"Word"); a cue whose first line has no ": " has no speaker (null).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional

TIME_LINE = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
TIMESTAMP = re.compile(r"^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
NOT_CUES = ("NOTE", "STYLE", "REGION")
SPEAKER_SEPARATOR = ": "

NO_HEADER = "no WEBVTT header (read anyway)"
NO_TIME_LINE = "cue without a valid time line (not read)"
NOT_UTF8 = "cue with bytes that are not UTF-8 (kept, each such byte as U+FFFD)"


@dataclass(frozen=True)
class Cue:
    index: int
    start_ms: int
    end_ms: int
    speaker: Optional[str]
    text: str


@dataclass
class Transcript:
    cues: List[Cue] = field(default_factory=list)
    problems: Counter = field(default_factory=Counter)  # problem -> how many times

    def describe_problems(self) -> str:
        return "; ".join(f"{count} x {problem}" if count > 1 else problem for problem, count in self.problems.items())


def parse(body: bytes) -> Transcript:
    transcript = Transcript()
    blocks = [block for block in re.split(rb"\n[ \t]*\n", body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")) if block.strip()]
    if blocks and blocks[0].startswith(b"\xef\xbb\xbf"):
        blocks[0] = blocks[0][3:]
    if blocks and blocks[0].lstrip().startswith(b"WEBVTT"):
        blocks = blocks[1:]
    elif blocks:
        transcript.problems[NO_HEADER] += 1
    index = 0
    for block in blocks:
        text = decode(block, transcript)
        lines = [line for line in text.split("\n") if line.strip()]
        if lines and lines[0].split(" ", 1)[0] in NOT_CUES:
            continue
        cue = read_cue(index, lines)
        index += 1
        if cue is None:
            transcript.problems[NO_TIME_LINE] += 1
        else:
            transcript.cues.append(cue)
    return transcript


def decode(block: bytes, transcript: Transcript) -> str:
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        transcript.problems[NOT_UTF8] += 1
        return block.decode("utf-8", errors="replace")


def read_cue(index: int, lines: List[str]) -> Optional[Cue]:
    """A cue from its block's lines: an optional identifier, the time line, the payload."""
    timing = next((position for position, line in enumerate(lines[:2]) if "-->" in line), None)
    if timing is None:
        return None
    found = TIME_LINE.match(lines[timing])
    start, end = (milliseconds(found.group(1)), milliseconds(found.group(2))) if found else (None, None)
    if start is None or end is None:
        return None
    payload = lines[timing + 1:]
    speaker, text = split_speaker(payload[0]) if payload else (None, "")
    return Cue(index, start, end, speaker, "\n".join([text, *payload[1:]]) if payload else "")


def milliseconds(timestamp: str) -> Optional[int]:
    found = TIMESTAMP.match(timestamp)
    if found is None:
        return None
    hours, minutes, seconds, millis = (int(part or 0) for part in found.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def split_speaker(line: str) -> tuple:
    name, separator, said = line.partition(SPEAKER_SEPARATOR)
    if separator and name.strip():
        return name.strip(), said
    return None, line
