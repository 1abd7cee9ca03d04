"""The registry: every Zoom stream, parents before children, and the one way they are built.

Tables are declared in files by what they hang off: users.py (users and per-user listings),
history.py (the account's history listing), meetings.py, meeting_instances.py, webinars.py,
webinar_instances.py, recordings.py (recordings and their transcripts), summaries.py (AI
Companion summaries), audit_logs.py (the account's sign-in and operation logs), account.py (groups
and roles with their members), usage_reports.py (daily usage and recording storage), phone.py (Zoom
Phone: its users, sites, numbers, call queues, calls, recordings, voicemails and texts). Hidden
streams are parents only (not in the catalog). unit_tests/test_stream_graph.py checks this graph
as data: parents exist and come first, no cycles, a schema per table, an endpoint per stream.
"""

from typing import Dict, Iterable, List, Tuple

from source_zoom.declarations import Endpoint

from source_zoom.parents import SyncContext
from source_zoom.streams.account import GroupMembers, Groups, RoleMembers, Roles
from source_zoom.streams.audit_logs import ReportOperationLogs, ReportSignInActivities
from source_zoom.streams.history import HistoryMeetings, HistoryMeetingsWithQna, HistoryWithSurvey
from source_zoom.streams.meeting_instances import (
    MeetingFiles,
    MeetingInstances,
    MeetingPollResults,
    MeetingQnaResults,
    MeetingSurveyResults,
    ReportMeetingParticipants,
)
from source_zoom.streams.meetings import MeetingPolls, MeetingQuestions, MeetingRegistrants, Meetings, ReportMeetings
from source_zoom.streams.phone import (
    PhoneCallElements,
    PhoneCallHistory,
    PhoneCallQueues,
    PhoneNumbers,
    PhoneRecordings,
    PhoneSites,
    PhoneSmsSessions,
    PhoneUsers,
    PhoneVoicemails,
)
from source_zoom.streams.recordings import CloudRecordings, RecordingTranscriptSegments
from source_zoom.streams.summaries import MeetingSummaries, MeetingSummaryListing
from source_zoom.streams.usage_reports import ReportCloudRecordingUsage, ReportDailyUsage
from source_zoom.streams.users import UserMeetings, Users, UserWebinars
from source_zoom.streams.webinar_instances import (
    ReportWebinarParticipants,
    ReportWebinars,
    WebinarAbsentees,
    WebinarFiles,
    WebinarInstances,
    WebinarPollResults,
    WebinarQnaResults,
    WebinarSurveyResults,
)
from source_zoom.streams.webinars import WebinarPanelists, WebinarPolls, WebinarQuestions, WebinarRegistrants, Webinars, WebinarTrackingSources
from source_zoom.windows import Windows
from source_zoom.zoom_stream import ZoomStream

ALL_STREAMS: Tuple[type, ...] = (
    Users,
    HistoryMeetings,
    UserMeetings,
    Meetings,
    MeetingRegistrants,
    MeetingPolls,
    MeetingQuestions,
    ReportMeetings,
    MeetingInstances,
    ReportMeetingParticipants,
    MeetingPollResults,
    MeetingFiles,
    HistoryMeetingsWithQna,
    MeetingQnaResults,
    UserWebinars,
    Webinars,
    WebinarPanelists,
    WebinarRegistrants,
    WebinarInstances,
    WebinarAbsentees,
    WebinarPolls,
    WebinarPollResults,
    WebinarQnaResults,
    WebinarQuestions,
    WebinarTrackingSources,
    WebinarFiles,
    ReportWebinars,
    ReportWebinarParticipants,
    CloudRecordings,
    RecordingTranscriptSegments,
    MeetingSummaryListing,
    MeetingSummaries,
    ReportSignInActivities,
    ReportOperationLogs,
    Groups,
    GroupMembers,
    Roles,
    RoleMembers,
    HistoryWithSurvey,
    MeetingSurveyResults,
    WebinarSurveyResults,
    ReportDailyUsage,
    ReportCloudRecordingUsage,
    PhoneUsers,
    PhoneSites,
    PhoneNumbers,
    PhoneCallQueues,
    PhoneCallHistory,
    PhoneCallElements,
    PhoneRecordings,
    PhoneVoicemails,
    PhoneSmsSessions,
)
TABLES: Tuple[type, ...] = tuple(stream for stream in ALL_STREAMS if not stream.hidden)


def declared_endpoints(streams: Iterable[type]) -> Tuple[Endpoint, ...]:
    """Every endpoint the streams call, once: each stream's, and each enrichment's detail request."""
    found: List[Endpoint] = []
    for stream in streams:
        for endpoint in (stream.endpoint, *([stream.enriched_by.detail] if stream.enriched_by else [])):
            if endpoint not in found:
                found.append(endpoint)
    return tuple(found)


# The catalogue of endpoints, read from the tables' declarations (the budget, the scope advice and
# the closing sentence read each endpoint from its stream; this list is for tests and benchmarks).
ENDPOINTS: Tuple[Endpoint, ...] = declared_endpoints(ALL_STREAMS)


# Nothing of the account is dated before its oldest user was made (the account's owner is made
# with the account): account-wide date windows start no earlier than that. Not the report listings:
# their six months bound them already, and waiting for the whole users listing would hold up the
# tables they enrich.
ACCOUNT_PEOPLE = Users


def is_account_wide_listing(stream_class: type) -> bool:
    dates = stream_class.dates
    return stream_class.parent is None and dates.windows == Windows.REQUESTED and not dates.within_report_horizon


def build_streams(context: SyncContext) -> List[ZoomStream]:
    """Each stream built once; children get the very instance of their parent."""
    built: Dict[type, ZoomStream] = {}

    def build(stream_class: type) -> ZoomStream:
        if stream_class not in built:
            parent = build(stream_class.parent) if stream_class.parent else None
            joined = [build(join.stream) for join in stream_class.joins]
            enriching = build(stream_class.enriched_by.stream) if stream_class.enriched_by else None
            people = build(ACCOUNT_PEOPLE) if is_account_wide_listing(stream_class) else None
            stream = built[stream_class] = stream_class(context, parent, joined, enriching, people)
            for source in stream.sources:
                context.readers.setdefault(source.name, []).append(stream)
        return built[stream_class]

    return [build(stream_class) for stream_class in ALL_STREAMS]
