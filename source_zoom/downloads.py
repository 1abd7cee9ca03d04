"""Files Zoom serves at a recording file's `download_url`, fetched with the account's token.

Zoom lets an app download a recording file with the same bearer token as its API calls. That
token opens the whole account, so it goes to Zoom's own hosts only: the host of `api_base_url`
and Zoom's download domains for its cloud (zoom.us, zoomgov.com and their subdomains), over https
(or the API's own scheme for the API's own host). A `download_url` anywhere else is not asked at
all: one warning names the host. Redirects are followed by hand: the token goes along only while
every hop stays on Zoom's hosts; a hop off them is followed without it, and the token is never
sent again after that (a signed storage URL needs none).

Downloads are not API calls: Zoom documents no rate category for them, so they are not paced by
the call budget, and they run on a pool of their own (FILE_DOWNLOADS) so that a slow file never
holds an API request's place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, List, Mapping, Optional
from urllib.parse import urljoin, urlsplit

import requests

from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.http import HttpClient
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.declarations import FILE_DOWNLOADS, EachValue, Endpoint, ErrorRules, Outcome, ZoomError
from source_zoom.errors import Fault, RequestFailed, RequestFailure, ZoomBackoffStrategy, ZoomErrorHandler, resource_of, zoom_error_body
from source_zoom.records import SeenKeys
from source_zoom.sync_report import SkippedClass
from source_zoom.zoom_stream import ZoomStream

if TYPE_CHECKING:
    from source_zoom.parents import SyncContext

ZOOM_DOWNLOAD_DOMAINS = ("zoom.us", "zoomgov.com")
MAX_REDIRECTS = 5
# Zoom's answers for a file that is gone: deleted or trashed after the listing, or expired.
GONE_STATUSES = (404, 410)
FILE_GONE_ERRORS: ErrorRules = {(status, None): ZoomError("file gone", Outcome.SKIP_RESOURCE) for status in GONE_STATUSES}
NOT_ON_ZOOM = "download_url not on Zoom's hosts"
FILE_GONE = "file gone"


def zoom_host(url: str, api_base_url: str) -> bool:
    """Whether `url` is on one of Zoom's own hosts, where the token may go."""
    target, api = urlsplit(url), urlsplit(api_base_url)
    host = (target.hostname or "").lower()
    if not host:
        return False
    if host == (api.hostname or "").lower():
        return target.scheme in ("https", api.scheme)
    on_zoom = any(host == domain or host.endswith("." + domain) for domain in ZOOM_DOWNLOAD_DOMAINS)
    return on_zoom and target.scheme == "https"


@dataclass(frozen=True)
class Download:
    """A download's outcome: the body, or why there is none (`skipped`: one word for the summary)
    with Zoom's answer when it gave one (`status`, `code`)."""

    body: Optional[bytes] = None
    skipped: Optional[str] = None
    detail: str = ""
    status: Optional[int] = None
    code: Optional[int] = None


class FileDownloader:
    """Fetches files for one table through the CDK's HTTP client with the API's error handler and
    backoff (retries, 429s waited out, a renewed token after 401 code 124): the token only to
    Zoom's hosts, redirects by hand. Counts every request for the table."""

    def __init__(self, table: str, endpoint: Endpoint, context: "SyncContext", count_request: Callable[..., None], logger: logging.Logger):
        self._table = table
        self._endpoint = endpoint
        self._context = context
        self.handler = ZoomErrorHandler(table, on_token_rejected=context.authenticator.mark_rejected, endpoint=endpoint)
        # While every hop stays on Zoom's hosts the shared authenticator signs it (again on each
        # retry, with the token current then); after a hop off them, no client that holds the token is used.
        self._with_token = self._client(logger, count_request, context.authenticator)
        self._without_token = self._client(logger, count_request, None)

    def _client(self, logger: logging.Logger, count_request: Callable[..., None], authenticator: Any) -> HttpClient:
        client = HttpClient(
            name=self._table,
            logger=logger,
            error_handler=self.handler,
            authenticator=authenticator,
            backoff_strategy=ZoomBackoffStrategy(self._context.stopped),
            message_repository=InMemoryMessageRepository(),
        )
        client._session.hooks["response"].append(count_request)
        return client

    def fetch(self, url: str) -> Download:
        api_base_url = self._context.config.api_base_url
        if not zoom_host(url, api_base_url):
            host = urlsplit(url).hostname or url
            self._context.log_once(
                f"{self._table}:foreign-host:{host}",
                f"{self._table}: a download_url is on {host}, which is not Zoom's (nor {urlsplit(api_base_url).hostname}): "
                "files there are skipped and the Zoom token is never sent there.",
            )
            return Download(skipped=NOT_ON_ZOOM, detail=host)
        response = self._follow(url, api_base_url)
        if response.status_code in GONE_STATUSES:  # skipped by the error rules (FILE_GONE_ERRORS)
            code, message = zoom_error_body(response)
            return Download(skipped=FILE_GONE, detail=f"HTTP {response.status_code}, Zoom code {code} ({message})", status=response.status_code, code=code)
        return Download(body=response.content)

    def _follow(self, url: str, api_base_url: str) -> requests.Response:
        """The request and its redirects, each hop sent (and retried) as an API request is; the
        token on Zoom's hosts until a hop leaves them."""
        trusted = True
        for _ in range(MAX_REDIRECTS + 1):
            trusted = trusted and zoom_host(url, api_base_url)
            client = self._with_token if trusted else self._without_token
            _, response = client.send_request("GET", url, request_kwargs={"allow_redirects": False, "timeout": self._context.config.request_timeout})
            if not response.is_redirect:
                return response
            url = urljoin(url, response.headers["Location"])
        raise RequestFailed(RequestFailure(
            Fault.NO_ANSWER, self._table, self._endpoint, resource_of(url), error_name="TooManyRedirects", said=f"more than {MAX_REDIRECTS} redirects"
        ))


class FileTable(ZoomStream):
    """A table made from files its parent lists (e.g. a recording's `recording_files`): one slice
    per file this table reads (`reads_file`), one download per slice, its rows from the body
    (`rows_from`). A file Zoom does not serve yet or any more (`not_served`: still processing,
    deleted or trashed, or gone by the time it is asked) is skipped, logged and counted; a
    download_url off Zoom's hosts is never asked (FileDownloader)."""

    files_field: ClassVar[str]  # the parent's field that lists its files

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        # The slice dimension: the ids of the parent's files this table reads.
        cls.each_value = (EachValue("file_id", cls.file_ids),)

    @classmethod
    def file_ids(cls, parent: Mapping[str, Any]) -> List[str]:
        return [f["id"] for f in parent.get(cls.files_field) or [] if isinstance(f, Mapping) and f.get("id") and cls.reads_file(f)]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.downloader = FileDownloader(self.name, self.endpoint, self.context, self._count_request, self.logger)
        self._error_handlers.append(self.downloader.handler)

    @classmethod
    def reads_file(cls, recording_file: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def not_served(self, recording_file: Mapping[str, Any]) -> Optional[str]:
        """Why Zoom does not serve the file now (None: it does)."""
        return None

    def fetch_file(self, url: str) -> Download:
        try:
            return self.downloader.fetch(url)
        except RequestFailed:
            raise
        except AirbyteTracedException as error:
            # The CDK raises a request that failed for good as a sentence; the handler kept it as data.
            failure = self.failure_of_this_thread()
            if failure is None:
                raise
            raise RequestFailed(failure) from error

    def rows_from(self, body: bytes, recording_file: Mapping[str, Any], parent: Mapping[str, Any]) -> List[Dict[str, Any]]:
        raise NotImplementedError

    def fields_read_from(self, source: "ZoomStream") -> List[str]:
        return super().fields_read_from(source) + ([self.files_field] if source is self.parent_stream else [])

    def fetch_slice(self, stream_slice: Mapping[str, Any], seen: Optional[SeenKeys] = None) -> Optional[List[Mapping[str, Any]]]:
        """The file's rows; None when Zoom does not serve it yet (not read: no state vouches for it)."""
        self._attempt.seen = seen
        parent = stream_slice["parent"]
        file_id = stream_slice["params"]["file_id"]
        recording_file = next(f for f in parent.get(self.files_field) or [] if isinstance(f, Mapping) and f.get("id") == file_id)
        url = str(recording_file.get("download_url") or "")
        not_served = self.not_served(recording_file)
        download = Download(skipped=not_served) if not_served else self.fetch_file(url)
        if download.skipped:
            self.context.report.record_skip(SkippedClass(self.name, download.status, download.code, download.skipped, download=True))
            if not_served:
                self.logger.info(f"{self.name}: file {file_id} of meeting {parent.get('uuid')} not downloaded: {not_served}.")
                return None
            return []  # a file gone was logged as every skipped answer is; NOT_ON_ZOOM is said once per host
        rows = self.rows_from(download.body or b"", recording_file, parent)
        return [record for position, row in enumerate(rows) if (record := self.build_record(row, parent, position)) is not None]

