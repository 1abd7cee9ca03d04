"""Audio transcripts of the fake account's cloud recordings: WebVTT files, as Zoom writes them.

A transcript is a recording file of `file_type` TRANSCRIPT (`VTT`) whose `download_url` serves
the WebVTT text with the account's bearer token. Zoom writes one cue per utterance, numbered, with
its time line and `Speaker Name: text` (no name when it could not tell the speaker). The fake
keeps each file as cues (what was said, when, by whom) and writes the bytes from them, so the
ground truth's rows come from the cues, never from parsing the bytes back.

The files a sync must survive (docs/contract.md): several speakers; a cue without a speaker;
non-ASCII text; one file with a cue that lost its time line and a cue whose bytes are not UTF-8;
one file without the `WEBVTT` header; one file still processing; one `download_url` on a host
that is not Zoom's (the token must never go there); one file deleted after it was listed (its
download answers 404).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Optional

if TYPE_CHECKING:
    from .model import Dataset, PastInstance

# Where a served download_url points: this fake (its origin, known only when a request comes in)
# or a host that is not Zoom's. Stored with the placeholder; `as_served` fills it in.
HERE = "{fake_origin}"
ELSEWHERE = "{foreign_origin}"
DOWNLOAD_PREFIX = "/rec/download/"
TRANSCRIBED_SHARE = 2 / 3
# The special files, given to the first transcripts made (in the default dataset's sync range).
QUIRKS = ("broken_cues", "no_header", "processing", "foreign_host", "deleted_after_listing")
NON_ASCII_LINE = "Grüße aus München, Zoë! 東京チームも参加 📅"
NOT_UTF8_BYTES = "Caf\xe9 au lait for everyone".encode("latin-1")  # a latin-1 é: not UTF-8
# What a cue whose bytes are not UTF-8 arrives as: U+FFFD in place of each byte that is not.
NOT_UTF8_AS_TEXT = "Caf\ufffd au lait for everyone"
SENTENCES = (
    "Good morning everyone, let's start.",
    "The release is on track for Friday.",
    "Two defects are still open.",
    "I will send the notes after the call.",
    "Thanks, that sounds good to me.",
    "Can we move the review to Thursday?",
)


@dataclass
class Cue:
    start_ms: int
    end_ms: int
    speaker: Optional[str]
    text: str
    no_time_line: bool = False  # written without its time line: never a row
    raw: Optional[bytes] = None  # the payload as written, when it is not UTF-8
    arrives_as: Optional[str] = None  # the text a reader gets from `raw`

    def payload(self) -> bytes:
        if self.raw is not None:
            return (f"{self.speaker}: ".encode() if self.speaker else b"") + self.raw
        return (f"{self.speaker}: {self.text}" if self.speaker else self.text).encode("utf-8")


@dataclass
class TranscriptFile:
    id: str
    instance: "PastInstance"
    meeting_id: int
    cues: list[Cue] = field(default_factory=list)
    header: bool = True
    status: str = "completed"
    foreign_host: bool = False
    deleted_after_listing: bool = False

    @property
    def downloadable(self) -> bool:
        """Served at its download_url with the account's token (a processing file is not listed
        as downloadable, a foreign host must never be asked, a deleted one answers 404)."""
        return self.status == "completed" and not self.foreign_host and not self.deleted_after_listing

    def vtt(self) -> bytes:
        blocks = [b"WEBVTT"] if self.header else []
        for number, cue in enumerate(self.cues, start=1):
            lines = [str(number).encode()]
            if not cue.no_time_line:
                lines.append(f"{timestamp(cue.start_ms)} --> {timestamp(cue.end_ms)}".encode())
            lines.append(cue.payload())
            blocks.append(b"\n".join(lines))
        return b"\n\n".join(blocks) + b"\n"

    def file_record(self) -> dict[str, Any]:
        """The entry of the recording's `recording_files` (rivet's CloudRecordingListAllRecordingsResponse)."""
        origin = ELSEWHERE if self.foreign_host else HERE
        return {
            "id": self.id,
            "meeting_id": self.instance.uuid,
            "recording_start": self.instance.start_time,
            "recording_end": self.instance.end_time,
            "file_type": "TRANSCRIPT",
            "file_extension": "VTT",
            "file_size": len(self.vtt()),
            "play_url": f"https://example.zoom.us/rec/play/{self.id}",
            "download_url": f"{origin}{DOWNLOAD_PREFIX}{self.id}",
            "status": self.status,
            "recording_type": "audio_transcript",
        }

    def rows(self) -> list[dict[str, Any]]:
        """The table's rows of this file: one per cue with a time line, at its position among the
        file's cues (0-based), times from the recording's start."""
        started = self.instance.start
        rows = []
        for index, cue in enumerate(self.cues):
            if cue.no_time_line:
                continue
            row = {
                "recording_file_id": self.id,
                "meeting_uuid": self.instance.uuid,
                "meeting_id": self.meeting_id,
                "meeting_start_time": self.instance.start_time,
                "cue_index": index,
                "cue_start_ms": cue.start_ms,
                "cue_end_ms": cue.end_ms,
                "cue_start_time": moment_ms(started, cue.start_ms),
                "cue_end_time": moment_ms(started, cue.end_ms),
                "speaker": cue.speaker,
                "text": cue.arrives_as if cue.arrives_as is not None else cue.text,
            }
            if cue.speaker is None:
                del row["speaker"]  # null: Airbyte's record messages leave a null field out
            rows.append(row)
        return rows


def timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def moment_ms(start: dt.datetime, offset_ms: int) -> str:
    moment = start + dt.timedelta(milliseconds=offset_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"


def as_served(recording: dict[str, Any], origin: str) -> dict[str, Any]:
    """The recording as the listing serves it to a client that came to `origin`
    (scheme://host:port): its transcripts' download URLs point back at this fake, or, for the
    foreign-host file, at the same port under another host name."""
    files = []
    for recording_file in recording["recording_files"]:
        url = recording_file["download_url"]
        if url.startswith(HERE):
            url = origin + url[len(HERE):]
        elif url.startswith(ELSEWHERE):
            url = foreign_origin(origin) + url[len(ELSEWHERE):]
        files.append({**recording_file, "download_url": url})
    return {**recording, "recording_files": files}


def foreign_origin(origin: str) -> str:
    """Another host name for the same listener: a host that is not the API's nor Zoom's."""
    scheme, _, host_port = origin.partition("://")
    host, _, port = host_port.rpartition(":") if ":" in host_port else (host_port, "", "")
    other = "127.0.0.1" if host == "localhost" else "localhost"
    return f"{scheme}://{other}{':' + port if port else ''}"


def transcribe(dataset: "Dataset", instances: Iterable["PastInstance"], rng: random.Random) -> None:
    """A transcript for most recorded instances; the first ones made get the special cases."""
    for instance in instances:
        if instance.recording is None or rng.random() >= TRANSCRIBED_SHARE:
            continue
        if any(f["file_type"] == "TRANSCRIPT" for f in instance.recording["recording_files"]):
            continue
        quirk = QUIRKS[len(dataset.transcripts)] if len(dataset.transcripts) < len(QUIRKS) else None
        transcript = TranscriptFile(
            id=f"transcript-{instance.recording['recording_files'][0]['id']}",
            instance=instance,
            meeting_id=dataset.parent_of(instance).id,
            cues=cues_for(dataset, instance, rng, broken=quirk == "broken_cues"),
            header=quirk != "no_header",
            status="processing" if quirk == "processing" else "completed",
            foreign_host=quirk == "foreign_host",
            deleted_after_listing=quirk == "deleted_after_listing",
        )
        dataset.transcripts[transcript.id] = transcript
        recording = instance.recording
        recording["recording_files"].append(transcript.file_record())
        recording["recording_count"] = len(recording["recording_files"])
        recording["total_size"] = sum(f["file_size"] for f in recording["recording_files"])


def cues_for(dataset: "Dataset", instance: "PastInstance", rng: random.Random, broken: bool) -> list[Cue]:
    """Several speakers (the host and participants), now and then a cue Zoom could not give a
    speaker, and a non-ASCII line; `broken` adds a cue without a time line and one that is not UTF-8."""
    host = dataset.host_of(instance).record
    speakers = [f"{host['first_name']} {host['last_name']}"] + [p["name"] for p in instance.participants[:2]]
    cues, at = [], rng.randint(0, 2000)
    count = rng.randint(4, 8)
    for number in range(count):
        length = rng.randint(1500, 8000)
        speaker: Optional[str] = speakers[number % len(speakers)]
        text = rng.choice(SENTENCES)
        if number == count - 1 and rng.random() < 0.5:
            text = NON_ASCII_LINE
        if number == 2 and (broken or rng.random() < 0.2):
            speaker, text = None, "(inaudible) the next slide please"
        cues.append(Cue(at, at + length, speaker, text))
        at += length + rng.randint(0, 1000)
    if broken:
        cues.insert(1, Cue(0, 0, speakers[0], "this cue lost its time line", no_time_line=True))
        cues.append(Cue(at, at + 2500, speakers[-1], "", raw=NOT_UTF8_BYTES, arrives_as=NOT_UTF8_AS_TEXT))
        cues.append(Cue(at + 3000, at + 6000, speakers[0], NON_ASCII_LINE))
    return cues
