"""The demo's and the benchmark's request table: each table gets the requests the fake counted for
its own listing, including the two listings that share the history path."""

from scripts.demo import requests_per_stream


def test_given_the_fake_s_counts_then_each_history_listing_gets_its_own_requests_not_their_sum():
    per_stream = requests_per_stream({
        "GET /v2/report/history_meetings": 7,
        "GET /v2/report/history_meetings?report_type=qa": 3,
        "GET /v2/report/meetings/{meetingId}/qa": 5,
        "GET /v2/users": 4,
    })

    assert per_stream["history_meetings"] == 7
    assert per_stream["history_meetings_with_qna"] == 3
    assert per_stream["meeting_qna_results"] == 5
    assert per_stream["users"] == 4
