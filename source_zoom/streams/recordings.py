"""Cloud recordings, listed per user by month window."""

from source_zoom.paging import Paging
from source_zoom.streams.users import HOSTS, Users
from source_zoom.windows import RECORDING_LISTING
from source_zoom.zoom_stream import ZoomStream


class CloudRecordings(ZoomStream):
    """GET /users/{userId}/recordings: one record per recorded meeting instance."""

    path_template = "users/{id}/recordings"
    parent = Users
    parent_filter = HOSTS
    dates = RECORDING_LISTING
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "uuid"
    dedupe_by_primary_key = True
    cursor_field = "start_time"
