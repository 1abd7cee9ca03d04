"""Zoom's WebVTT transcripts read as cues: what parses arrives, what does not is counted by problem."""

from __future__ import annotations

from source_zoom import webvtt

ZOOM_FILE = (
    "WEBVTT\n"
    "\n"
    "1\n"
    "00:00:00.650 --> 00:00:05.920\n"
    "Ada Ito: Good morning everyone.\n"
    "\n"
    "2\n"
    "00:00:06.100 --> 00:01:02.003\n"
    "Bo Meyer: The release is on track.\n"
    "Two defects are still open.\n"
    "\n"
    "3\n"
    "01:02:03.004 --> 01:02:04.000\n"
    "(inaudible) the next slide please\n"
).encode()


def test_given_zoom_s_format_when_parsed_then_each_cue_has_its_position_times_speaker_and_text():
    transcript = webvtt.parse(ZOOM_FILE)

    assert transcript.problems == {}
    assert transcript.cues == [
        webvtt.Cue(0, 650, 5920, "Ada Ito", "Good morning everyone."),
        webvtt.Cue(1, 6100, 62003, "Bo Meyer", "The release is on track.\nTwo defects are still open."),
        webvtt.Cue(2, 3723004, 3724000, None, "(inaudible) the next slide please"),
    ]


def test_given_windows_line_ends_a_byte_order_mark_and_short_timestamps_when_parsed_then_the_cues_are_the_same():
    text = "\ufeffWEBVTT\r\n\r\n1\r\n00:00.650 --> 00:05.920\r\nAda Ito: Good morning everyone.\r\n"

    transcript = webvtt.parse(text.encode("utf-8"))

    assert transcript.problems == {}
    assert transcript.cues == [webvtt.Cue(0, 650, 5920, "Ada Ito", "Good morning everyone.")]


def test_given_no_header_when_parsed_then_every_cue_arrives_and_the_missing_header_is_counted():
    body = ZOOM_FILE.replace(b"WEBVTT\n\n", b"")

    transcript = webvtt.parse(body)

    assert [cue.index for cue in transcript.cues] == [0, 1, 2]
    assert transcript.problems == {webvtt.NO_HEADER: 1}


def test_given_a_cue_without_a_time_line_and_one_with_a_broken_timestamp_when_parsed_then_the_others_keep_their_positions():
    body = ZOOM_FILE.replace(b"00:00:06.100 --> 00:01:02.003\n", b"").replace(b"01:02:03.004", b"01:02:3x.004")

    transcript = webvtt.parse(body)

    assert [(cue.index, cue.speaker) for cue in transcript.cues] == [(0, "Ada Ito")]
    assert transcript.problems == {webvtt.NO_TIME_LINE: 2}
    assert transcript.describe_problems() == f"2 x {webvtt.NO_TIME_LINE}"


def test_given_bytes_that_are_not_utf8_when_parsed_then_the_cue_arrives_with_a_replacement_character_and_is_counted():
    body = ZOOM_FILE.replace("Good morning".encode(), "Caf\xe9 time".encode("latin-1"))

    transcript = webvtt.parse(body)

    assert transcript.cues[0].text == "Caf\ufffd time everyone."
    assert [cue.text for cue in transcript.cues[1:]] == ["The release is on track.\nTwo defects are still open.", "(inaudible) the next slide please"]
    assert transcript.problems == {webvtt.NOT_UTF8: 1}


def test_given_non_ascii_text_when_parsed_then_it_arrives_unchanged():
    line = "Zoë Ødegård: Grüße aus München, 東京チームも参加 📅"
    body = f"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n{line}\n".encode("utf-8")

    (cue,) = webvtt.parse(body).cues

    assert (cue.speaker, cue.text) == ("Zoë Ødegård", "Grüße aus München, 東京チームも参加 📅")


def test_given_note_and_style_blocks_when_parsed_then_they_are_neither_cues_nor_problems():
    body = b"WEBVTT\n\nNOTE written by Zoom\n\nSTYLE\n::cue { color: red }\n\n1\n00:00:01.000 --> 00:00:02.000\nAda Ito: Hi\n"

    transcript = webvtt.parse(body)

    assert transcript.cues == [webvtt.Cue(0, 1000, 2000, "Ada Ito", "Hi")]
    assert transcript.problems == {}


def test_given_an_empty_or_garbage_body_when_parsed_then_nothing_fails():
    assert webvtt.parse(b"").cues == []
    garbage = webvtt.parse(b"\x00\xff<html>not a transcript</html>")
    assert garbage.cues == [] and garbage.problems[webvtt.NO_TIME_LINE] == 1
