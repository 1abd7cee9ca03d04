"""`ZoomStream`: the class every Zoom table subclasses. It declares nothing and fetches nothing
itself (http_stream.ZoomHttpStream turns the declaration into the CDK's hooks); it hands each
read of the table to the read path, which drives it: slices, fan-out, records, state."""

from __future__ import annotations

from abc import ABC
from typing import Any, Iterable, List, Mapping, Optional

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.core import StreamData

from source_zoom import read_path
from source_zoom.http_stream import ZoomHttpStream
from source_zoom.memo import Gap


class ZoomStream(ZoomHttpStream, ABC):
    """One Zoom table (or a hidden parent): class attributes only (see ZoomHttpStream)."""

    def read_records(self, sync_mode: SyncMode, cursor_field: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, stream_state: Any = None) -> Iterable[StreamData]:
        return read_path.read_table(self)

    def fetch_all_records(self, gaps: List[Gap]) -> Iterable[Mapping[str, Any]]:
        """Every record, for a memo a thread of its own fills (the stream is not a table of the catalog)."""
        return read_path.fetch_all_records(self, gaps)
