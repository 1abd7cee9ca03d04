from conftest import Api, make_config

from fake_zoom import FakeZoomServer


def test_given_page_size_2_when_following_tokens_then_every_user_is_listed_once(api):
    users = api.pages("/users", "users", page_size=2)
    first_page = api.json("/users", page_size=2)
    assert len(users) == 5 and len({u["id"] for u in users}) == 5
    assert first_page["page_size"] == 2 and first_page["total_records"] == 5 and first_page["next_page_token"]


def test_given_no_page_size_when_listing_then_default_page_size_is_30(api):
    assert api.json("/users")["page_size"] == 30


def test_given_token_when_other_params_change_then_400_code_300(api):
    token = api.json("/users", page_size=2)["next_page_token"]
    response = api.get("/users", page_size=2, status="inactive", next_page_token=token)
    assert response.status_code == 400 and response.json()["code"] == 300


def test_given_token_of_another_listing_when_reused_then_400_code_300(api):
    token = api.json("/users", page_size=2)["next_page_token"]
    user_id = api.json("/users")["users"][0]["id"]
    response = api.get(f"/users/{user_id}/meetings", next_page_token=token)
    assert response.status_code == 400 and response.json()["code"] == 300


def test_given_garbage_token_when_listing_then_400_code_300(api):
    response = api.get("/users", next_page_token="not-a-token")
    assert response.status_code == 400 and response.json()["code"] == 300


def test_given_page_size_1000_when_listing_350_users_then_pages_are_capped_at_300():
    with FakeZoomServer(make_config(users=350, meetings_per_user=0, webinars_per_user=0, quirks=False)) as server:
        api = Api(server)
        first = api.json("/users", page_size=1000)
        second = api.json("/users", page_size=1000, next_page_token=first["next_page_token"])
    assert (first["page_size"], len(first["users"]), first["total_records"]) == (300, 300, 350)
    assert len(second["users"]) == 50 and second["next_page_token"] == ""


def test_given_page_number_paging_when_listing_webinars_then_pages_and_counts_match():
    with FakeZoomServer(make_config(users=2, webinars_per_user=5)) as server:
        api = Api(server)
        user_id = api.json("/users")["users"][0]["id"]
        pages = [api.json(f"/users/{user_id}/webinars", page_size=2, page_number=n) for n in (1, 2, 3)]
    assert [p["page_number"] for p in pages] == [1, 2, 3]
    assert all(p["page_count"] == 3 and p["total_records"] == 5 for p in pages)
    assert [len(p["webinars"]) for p in pages] == [2, 2, 1]
