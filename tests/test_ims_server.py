"""Tests of the fake IMS server's semantics (tests/ims_server.py)."""

import hashlib
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests

import ims_server as fake
from ims_server import (
    CLOUDIMAGES_DEFAULT_LIMIT, DELETED_IMAGES, DUPLICATE_NAME, EMPTY_MD5, IMAGES,
    LATEST_LIVE_UPDATE, LIVE_COUNTS, LIVE_IMAGES, OTHER_PROJECT_ID, PROJECT_ID, PUBLIC_OWNER,
    TOTAL_IMAGES, V2_DEFAULT_LIMIT, ImsServer, build_images, deleted_images, live_images,
)

TOKEN = {"X-Auth-Token": "test-token"}
V1_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$")
V2_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
LIVE_IDS = {img["id"] for img in live_images()}
DELETED_IDS = {img["id"] for img in deleted_images()}


def get(ims, path, params=None, headers=TOKEN):
    return requests.get(ims.url + path, params=params, headers=headers, timeout=10)


def ids(response):
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["images"]]


def v1_ids(ims, params=None, path="/v1.1/images/detail"):
    return ids(get(ims, path, params))


def follow_next(ims, params=None, path="/v2/images"):
    """All pages of a v2 list, following ``next`` like a careful client."""
    pages = []
    url = ims.url + path
    while url:
        response = requests.get(url, params=params, headers=TOKEN, timeout=10)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        params = None  # next already carries them
        nxt = pages[-1].get("next")
        url = urljoin(ims.url, nxt) if nxt else None
        assert len(pages) < 100
    return pages


def v2_all_ids(ims, params=None):
    return [item["id"] for page in follow_next(ims, params) for item in page["images"]]


def error_parameter(response):
    assert response.headers["Content-Type"] == "application/json"
    return response.json()["error"].get("parameter")


def expected_live(pred):
    return {img["id"] for img in live_images() if pred(img)}


def unprotected_live():
    return [img for img in live_images() if not img["protected"]]


# ---------------------------------------------------------------------------
# Data set
# ---------------------------------------------------------------------------


def test_dataset_is_deterministic_and_has_unique_ids():
    assert build_images() == build_images() == list(IMAGES)
    assert len({img["id"] for img in IMAGES}) == TOTAL_IMAGES == 60
    assert (LIVE_IMAGES, DELETED_IMAGES) == (54, 6)


def test_documented_counts():
    disk = Counter(img["disk_format"] for img in live_images())
    assert disk == {"vhd": 27, "qcow2": 11, "zvhd2": 11, "raw": 5}
    total = Counter(img["disk_format"] for img in IMAGES)
    assert total == {"vhd": 30, "qcow2": 12, "zvhd2": 12, "raw": 6}
    assert LIVE_COUNTS["disk_format"] == dict(disk)
    assert LIVE_COUNTS["status"] == {"active": 50, "queued": 2, "saving": 2}
    assert LIVE_COUNTS["container_format"] == {"bare": 47, "ovf": 7}
    assert LIVE_COUNTS["__platform"] == {"Ubuntu": 24, "CentOS": 20, "Windows": 10}
    assert LIVE_COUNTS["__os_type"] == {"Linux": 44, "Windows": 10}
    assert LIVE_COUNTS["__imagetype"] == {"gold": 17, "private": 28, "shared": 9}
    assert LIVE_COUNTS["__os_bit"] == {"64": 50, "32": 4}
    assert LIVE_COUNTS["__isregistered"] == {"true": 52, "false": 2}
    assert LIVE_COUNTS["__support_kvm"] == {"true": 40}
    assert LIVE_COUNTS["hw_firmware_type"] == {"bios": 41, "uefi": 13}
    assert LIVE_COUNTS["owner_team"] == {"data": 11, "ops": 11, "web": 6}
    assert LIVE_COUNTS["min_ram"] == {0: 9, 512: 18, 1024: 8, 2048: 14, 4096: 5}
    assert LIVE_COUNTS["min_disk"] == {0: 14, 20: 17, 40: 23}
    assert LIVE_COUNTS["protected"] == {True: 17, False: 37}
    assert LIVE_COUNTS["visibility"] == {"public": 17, "private": 37}
    assert LIVE_COUNTS["owner"] == {PUBLIC_OWNER: 17, PROJECT_ID: 28, OTHER_PROJECT_ID: 9}
    names = LIVE_COUNTS["name"]
    assert names[DUPLICATE_NAME] == 2
    assert all(n == 1 for name, n in names.items() if name != DUPLICATE_NAME)


def test_dataset_variety():
    assert {img["status"] for img in IMAGES} == {"active", "queued", "saving", "deleted"}
    for img in IMAGES:
        assert isinstance(img["size"], int)
        assert img["updated_at"] >= img["created_at"]
        assert {"__os_type", "__platform", "__imagetype", "__os_bit", "__isregistered",
                "hw_firmware_type"} <= set(img["properties"])
        assert img["is_public"] == (img["properties"]["__imagetype"] == "gold")
    for img in deleted_images():
        assert img["status"] == "deleted" and img["deleted"] and img["deleted_at"] == img["updated_at"]
    for img in live_images():
        assert img["deleted_at"] is None
    created = [img["created_at"] for img in IMAGES]
    assert created == sorted(created) and len(set(created)) == len(created)
    assert any(t.microsecond == 0 for t in created)
    assert len({img["size"] for img in IMAGES if img["size"]}) == TOTAL_IMAGES - 2


def test_some_deleted_images_changed_after_every_live_one():
    late = [img for img in deleted_images() if img["updated_at"] > LATEST_LIVE_UPDATE]
    early = [img for img in deleted_images() if img["updated_at"] < LATEST_LIVE_UPDATE]
    assert (len(late), len(early)) == (4, 2)
    assert LATEST_LIVE_UPDATE == max(img["updated_at"] for img in live_images())


def test_server_copy_of_data_set_is_independent(ims):
    victim = unprotected_live()[0]["id"]
    assert requests.delete(f"{ims.url}/v2/images/{victim}", headers=TOKEN).status_code == 204
    assert ims.get_image(victim)["deleted"] is True
    assert fake.image_by_id(victim)["deleted"] is False
    ims.reset()
    assert ims.get_image(victim)["deleted"] is False


# ---------------------------------------------------------------------------
# Server plumbing: lifecycle, auth, routing, request log
# ---------------------------------------------------------------------------


def test_context_manager_starts_and_stops():
    with ImsServer() as server:
        assert re.match(r"^http://127\.0\.0\.1:\d+$", server.url)
        url = server.url
        assert get(server, "/v2/images").status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/v2/images", headers=TOKEN, timeout=2)
    with pytest.raises(RuntimeError):
        server.url


def test_invalid_target_rejected():
    with pytest.raises(ValueError):
        ImsServer(target="glance")


@pytest.mark.parametrize("headers", [{}, {"X-Auth-Token": ""}])
@pytest.mark.parametrize("method,path", [
    ("GET", "/v1.1/images/detail"), ("GET", "/v2/images"), ("GET", "/v2/cloudimages"),
    ("GET", f"/v2/{PROJECT_ID}/images/detail"), ("HEAD", f"/v1/images/{IMAGES[1]['id']}"),
    ("DELETE", f"/v2/images/{IMAGES[1]['id']}"), ("GET", "/nowhere"),
])
def test_missing_token_is_401(ims, headers, method, path):
    response = requests.request(method, ims.url + path, headers=headers, timeout=10)
    assert response.status_code == 401
    if method != "HEAD":
        assert response.json()["error"]["code"] == 401
    assert ims.get_image(IMAGES[1]["id"])["deleted"] is False


def test_blank_token_is_401(ims):
    assert ims.dispatch("GET", "/v2/images", {"X-Auth-Token": "  "}).status == 401


def test_token_header_is_case_insensitive(ims):
    assert get(ims, "/v2/images", headers={"x-auth-token": "t"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/v2", "/v3/images", "/v2/images/x/file",
                                  "/v1.1/images/detail/extra", "/v2/images/detail",
                                  "/v2/cloudimages/detail"])
def test_unknown_paths_are_404_json(ims, path):
    response = get(ims, path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == 404


def test_v2_images_detail_is_404_not_an_image(ims):
    assert get(ims, "/v2/images/detail").status_code == 404
    assert get(ims, "/v2/images/detail", {"limit": "5"}).status_code == 404


def test_known_path_wrong_method_is_405(ims):
    assert requests.post(ims.url + "/v2/images/x", headers=TOKEN).status_code == 405
    assert requests.get(f"{ims.url}/v1/images/{IMAGES[0]['id']}", headers=TOKEN).status_code == 405


def test_requests_are_recorded(ims):
    get(ims, "/v1.1/images/detail", [("disk_format", "vhd"), ("changes-since", "2020-01-01T00:00:00Z"),
                                      ("property-__platform", "CentOS"), ("name", "a b&c")])
    requests.head(f"{ims.url}/v1/images/{IMAGES[0]['id']}", headers={"X-Auth-Token": "abc"})
    requests.get(ims.url + "/v2/images")  # no token: still recorded
    log = ims.requests
    assert [(r.method, r.path) for r in log] == [
        ("GET", "/v1.1/images/detail"), ("HEAD", f"/v1/images/{IMAGES[0]['id']}"), ("GET", "/v2/images")]
    assert log[0].query == [("disk_format", "vhd"), ("changes-since", "2020-01-01T00:00:00Z"),
                            ("property-__platform", "CentOS"), ("name", "a b&c")]
    assert log[0].params["name"] == "a b&c"
    assert log[0].headers["X-Auth-Token"] == "test-token"
    assert log[1].header("x-auth-token") == "abc"
    assert log[2].header("X-Auth-Token") is None


def test_duplicate_query_keys_are_recorded_in_order(ims):
    get(ims, "/v1.1/images/detail?name=a&name=b&limit=3")
    assert ims.requests[-1].query == [("name", "a"), ("name", "b"), ("limit", "3")]


def test_reset_clears_log_and_restores_images(ims):
    victim = unprotected_live()[0]["id"]
    requests.delete(f"{ims.url}/v1.1/images/{victim}", headers=TOKEN)
    assert ims.requests
    ims.reset()
    assert ims.requests == []
    assert victim in v1_ids(ims)


def test_handler_is_quiet(ims, capfd):
    get(ims, "/v2/images")
    get(ims, "/nowhere")
    requests.get(ims.url + "/v2/images")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_dispatch_works_without_sockets(ims):
    response = ims.dispatch("GET", "/v2/images?disk_format=raw", {"X-Auth-Token": "t"})
    assert response.status == 200
    assert len(response.json()["images"]) == 5


def test_keep_alive_session_survives_every_kind_of_answer(ims):
    victim = unprotected_live()[0]["id"]
    with requests.Session() as session:
        session.headers.update(TOKEN)
        assert session.head(f"{ims.url}/v1/images/{victim}").status_code == 200
        response = session.delete(f"{ims.url}/v2/images/{victim}", json={"delete_backup": False})
        assert response.status_code == 204
        assert session.get(f"{ims.url}/nowhere").status_code == 404
        assert session.delete(f"{ims.url}/v1/images/{unprotected_live()[1]['id']}").status_code == 200
        assert len(session.get(f"{ims.url}/v1.1/images/detail").json()["images"]) == 52


def test_httpx_client_works(ims):
    import httpx
    with httpx.Client(base_url=ims.url, headers=TOKEN) as client:
        assert len(client.get("/v1.1/images/detail").json()["images"]) == LIVE_IMAGES
        assert client.head(f"/v1/images/{IMAGES[0]['id']}").headers["x-image-meta-id"] == IMAGES[0]["id"]


# ---------------------------------------------------------------------------
# GET /v1.1/images/detail
# ---------------------------------------------------------------------------


def test_v1_returns_every_live_image_at_once(ims):
    response = get(ims, "/v1.1/images/detail")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["images"]
    assert len(body["images"]) == LIVE_IMAGES
    assert {item["id"] for item in body["images"]} == LIVE_IDS


@pytest.mark.parametrize("path", ["/v1/images/detail", "/v1.0/images/detail", "/v1.1/images/detail",
                                  "/v1.1/images/detail/"])
def test_v1_aliases(ims, path):
    assert v1_ids(ims, path=path) == v1_ids(ims)


def test_v1_item_shape(ims):
    items = {item["id"]: item for item in get(ims, "/v1.1/images/detail").json()["images"]}
    for img in live_images():
        item = items[img["id"]]
        assert set(item) == {"id", "name", "status", "container_format", "disk_format", "size",
                             "checksum", "min_ram", "min_disk", "is_public", "protected", "owner",
                             "created_at", "updated_at", "deleted", "deleted_at", "properties"}
        assert item["size"] == img["size"] and isinstance(item["size"], int)
        assert item["is_public"] is img["is_public"] and item["protected"] is img["protected"]
        assert item["deleted"] is False and item["deleted_at"] is None
        assert V1_TIME.match(item["created_at"]) and V1_TIME.match(item["updated_at"])
        assert item["created_at"] == img["created_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")
        assert item["properties"] == img["properties"]
        assert item["checksum"] == img["checksum"]


def test_v1_example_values(ims):
    first = get(ims, "/v1.1/images/detail", {"name": IMAGES[0]["name"]}).json()["images"][0]
    assert first["created_at"] == "2016-05-22T06:04:20.000000"
    assert first["checksum"] == hashlib.md5(b"image-0").hexdigest()
    assert first["is_public"] is True and first["owner"] == PUBLIC_OWNER


@pytest.mark.parametrize("path", ["/v1/images", "/v1.1/images", "/v1.0/images"])
def test_v1_summary_list(ims, path):
    items = get(ims, path).json()["images"]
    assert len(items) == LIVE_IMAGES
    assert all(set(item) == {"id", "name", "disk_format", "container_format", "size", "checksum"}
               for item in items)
    assert [item["id"] for item in items] == v1_ids(ims)


def test_v1_default_order_is_created_at_desc(ims):
    expected = [img["id"] for img in sorted(live_images(), key=lambda i: i["created_at"], reverse=True)]
    assert v1_ids(ims) == expected


@pytest.mark.parametrize("key,value,pred", [
    ("disk_format", "vhd", lambda i: i["disk_format"] == "vhd"),
    ("disk_format", "qcow2", lambda i: i["disk_format"] == "qcow2"),
    ("container_format", "ovf", lambda i: i["container_format"] == "ovf"),
    ("status", "queued", lambda i: i["status"] == "queued"),
    ("status", "saving", lambda i: i["status"] == "saving"),
    ("name", DUPLICATE_NAME, lambda i: i["name"] == DUPLICATE_NAME),
    ("min_ram", "2048", lambda i: i["min_ram"] == 2048),
    ("min_disk", "20", lambda i: i["min_disk"] == 20),
    ("property-__platform", "CentOS", lambda i: i["properties"]["__platform"] == "CentOS"),
    ("property-__os_type", "Windows", lambda i: i["properties"]["__os_type"] == "Windows"),
    ("property-hw_firmware_type", "uefi", lambda i: i["properties"]["hw_firmware_type"] == "uefi"),
    ("property-owner_team", "data", lambda i: i["properties"].get("owner_team") == "data"),
    ("property-nope", "x", lambda i: False),
    ("protected", "True", lambda i: i["protected"]),
    ("protected", "false", lambda i: not i["protected"]),
    ("protected", "1", lambda i: i["protected"]),
    ("protected", "0", lambda i: not i["protected"]),
    ("protected", "FALSE", lambda i: not i["protected"]),
])
def test_v1_filters(ims, key, value, pred):
    assert set(v1_ids(ims, {key: value})) == expected_live(pred)


def test_v1_filters_match_expected_counts(ims):
    assert len(v1_ids(ims, {"disk_format": "vhd"})) == 27 > V2_DEFAULT_LIMIT
    assert len(v1_ids(ims, {"disk_format": "qcow2"})) == 11
    assert len(v1_ids(ims, {"property-__platform": "CentOS"})) == 20
    assert len(v1_ids(ims, {"name": DUPLICATE_NAME})) == 2


def test_v1_filters_combine(ims):
    params = {"disk_format": "vhd", "property-__platform": "CentOS", "container_format": "bare"}
    got = set(v1_ids(ims, params))
    assert got == expected_live(lambda i: i["disk_format"] == "vhd" and i["container_format"] == "bare"
                                and i["properties"]["__platform"] == "CentOS")
    assert got


def test_v1_status_deleted_hidden_without_changes_since(ims):
    assert v1_ids(ims, {"status": "deleted"}) == []


def test_v1_size_bounds_are_inclusive(ims):
    sizes = sorted(img["size"] for img in live_images() if img["size"])
    low, high = sizes[10], sizes[20]
    got = set(v1_ids(ims, {"size_min": low, "size_max": high}))
    assert got == expected_live(lambda i: low <= i["size"] <= high)
    assert len(got) == 11
    assert set(v1_ids(ims, {"size_min": low + 1})) == expected_live(lambda i: i["size"] > low)
    assert set(v1_ids(ims, {"size_max": 0})) == expected_live(lambda i: i["status"] == "queued")


@pytest.mark.parametrize("key", ["size_min", "size_max", "min_ram", "min_disk", "limit"])
def test_v1_non_integer_values_are_400(ims, key):
    response = get(ims, "/v1.1/images/detail", {key: "lots"})
    assert response.status_code == 400
    assert error_parameter(response) == key


def test_v1_invalid_protected_is_400(ims):
    assert get(ims, "/v1.1/images/detail", {"protected": "yes"}).status_code == 400


@pytest.mark.parametrize("value", ["true", "false", "none", "garbage"])
def test_v1_is_public_is_ignored(ims, value):
    assert v1_ids(ims, {"is_public": value}) == v1_ids(ims)


def test_v1_unknown_keys_are_ignored(ims):
    assert v1_ids(ims, {"frobnicate": "1", "deleted": "true", "visibility": "public"}) == v1_ids(ims)


def test_v1_changes_since_includes_deleted_images(ims):
    items = get(ims, "/v1.1/images/detail", {"changes-since": "2000-01-01T00:00:00Z"}).json()["images"]
    assert {item["id"] for item in items} == LIVE_IDS | DELETED_IDS
    deleted = [item for item in items if item["id"] in DELETED_IDS]
    assert len(deleted) == 6
    for item in deleted:
        assert item["status"] == "deleted" and item["deleted"] is True
        assert V1_TIME.match(item["deleted_at"])
        assert item["deleted_at"] == item["updated_at"]


def test_v1_changes_since_latest_live_update_returns_only_deleted(ims):
    since = LATEST_LIVE_UPDATE.strftime("%Y-%m-%dT%H:%M:%S.%f")
    got = set(v1_ids(ims, {"changes-since": since}))
    assert got == {img["id"] for img in deleted_images() if img["updated_at"] > LATEST_LIVE_UPDATE}
    assert len(got) == 4


def test_v1_changes_since_is_strict(ims):
    img = live_images()[10]
    at = img["updated_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")
    got = set(v1_ids(ims, {"changes-since": at}))
    assert img["id"] not in got
    assert got == {i["id"] for i in IMAGES if i["updated_at"] > img["updated_at"]}
    before = (img["updated_at"] - timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    assert img["id"] in v1_ids(ims, {"changes-since": before})


@pytest.mark.parametrize("text,expected", [
    ("2019-03-01T12:00:00Z", datetime(2019, 3, 1, 12)),
    ("2019-03-01T12:00:00", datetime(2019, 3, 1, 12)),
    ("2019-03-01T12:00:00.250000", datetime(2019, 3, 1, 12, 0, 0, 250000)),
    ("2019-03-01T12:00:00.25Z", datetime(2019, 3, 1, 12, 0, 0, 250000)),
    ("2019-03-01T14:00:00+02:00", datetime(2019, 3, 1, 12)),
    ("2019-03-01T07:30:00-0430", datetime(2019, 3, 1, 12)),
    ("2019-03-01T12:00:00.123456789+00:00", datetime(2019, 3, 1, 12, 0, 0, 123456)),
    ("2019-03-01 12:00:00", datetime(2019, 3, 1, 12)),
    ("2019-03-01", datetime(2019, 3, 1)),
    ("2019-03-01T12:00Z", datetime(2019, 3, 1, 12)),
])
def test_parse_iso8601(text, expected):
    assert fake.parse_iso8601(text) == expected


@pytest.mark.parametrize("since", ["2019-03-01T12:00:00Z", "2019-03-01T12:00:00",
                                   "2019-03-01T14:00:00+02:00", "2019-03-01T12:00:00.000000",
                                   "2019-03-01 12:00:00"])
def test_v1_changes_since_accepts_any_iso8601(ims, since):
    cut = datetime(2019, 3, 1, 12)
    expected = {i["id"] for i in IMAGES if i["updated_at"] > cut}
    assert set(v1_ids(ims, {"changes-since": since})) == expected


@pytest.mark.parametrize("since", ["yesterday", "2019-13-45", "1551441600", ""])
def test_v1_invalid_changes_since_is_400(ims, since):
    response = get(ims, "/v1.1/images/detail", {"changes-since": since})
    assert response.status_code == 400
    assert error_parameter(response) == "changes-since"


def test_v1_changes_since_with_status_deleted(ims):
    got = set(v1_ids(ims, {"changes-since": "2000-01-01T00:00:00Z", "status": "deleted"}))
    assert got == DELETED_IDS


@pytest.mark.parametrize("sort_key", fake.V1_SORT_KEYS)
@pytest.mark.parametrize("sort_dir", ["asc", "desc"])
def test_v1_sorting(ims, sort_key, sort_dir):
    got = v1_ids(ims, {"sort_key": sort_key, "sort_dir": sort_dir})
    expected = sorted(live_images(), key=lambda i: (i[sort_key], i["created_at"], i["id"]),
                      reverse=sort_dir == "desc")
    assert got == [img["id"] for img in expected]


@pytest.mark.parametrize("params", [{"sort_key": "visibility"}, {"sort_dir": "up"}])
def test_v1_bad_sort_is_400(ims, params):
    assert get(ims, "/v1.1/images/detail", params).status_code == 400


def test_v1_limit_and_marker_page_through_everything(ims):
    seen, marker = [], None
    while True:
        params = {"limit": 7, **({"marker": marker} if marker else {})}
        page = v1_ids(ims, params)
        seen.extend(page)
        if len(page) < 7:
            break
        marker = page[-1]
    assert seen == v1_ids(ims)


def test_v1_unknown_marker_is_400(ims):
    response = get(ims, "/v1.1/images/detail", {"marker": "no-such-image"})
    assert response.status_code == 400
    assert error_parameter(response) == "marker"


def test_v1_deleted_marker_only_valid_with_changes_since(ims):
    marker = deleted_images()[0]["id"]
    assert get(ims, "/v1.1/images/detail", {"marker": marker}).status_code == 400
    response = get(ims, "/v1.1/images/detail", {"marker": marker, "changes-since": "2000-01-01"})
    assert response.status_code == 200


def test_v1_marker_need_not_match_filters(ims):
    every = v1_ids(ims)
    marker = every[5]
    got = v1_ids(ims, {"marker": marker, "disk_format": "vhd"})
    assert got == [i for i in every[6:] if fake.image_by_id(i)["disk_format"] == "vhd"]


# ---------------------------------------------------------------------------
# GET /v2/images
# ---------------------------------------------------------------------------


def test_v2_first_page_envelope(ims):
    body = get(ims, "/v2/images").json()
    assert set(body) == {"images", "first", "next", "schema"}
    assert len(body["images"]) == V2_DEFAULT_LIMIT == 25
    assert body["schema"] == "/v2/schemas/images"
    assert body["first"] == "/v2/images"
    assert body["next"] == f"/v2/images?marker={body['images'][-1]['id']}"


def test_v2_following_next_reaches_every_live_image_exactly_once(ims):
    pages = follow_next(ims)
    assert [len(page["images"]) for page in pages] == [25, 25, 4]
    got = [item["id"] for page in pages for item in page["images"]]
    assert len(got) == len(set(got)) == LIVE_IMAGES
    assert set(got) == LIVE_IDS
    assert "next" not in pages[-1]
    assert got == v1_ids(ims)  # same default order as v1


def test_v2_next_is_relative_and_keeps_other_parameters(ims):
    params = {"disk_format": "vhd", "sort_key": "name", "sort_dir": "asc", "limit": "10"}
    pages = follow_next(ims, params)
    assert [len(page["images"]) for page in pages] == [10, 10, 7]
    for page in pages[:-1]:
        nxt = page["next"]
        assert nxt.startswith("/v2/images?")
        query = parse_qsl(urlsplit(nxt).query)
        assert dict(query) == {**params, "marker": page["images"][-1]["id"]}
        assert query[-1][0] == "marker"
        assert page["first"] == "/v2/images?disk_format=vhd&sort_key=name&sort_dir=asc&limit=10"
    got = [item["id"] for page in pages for item in page["images"]]
    assert got == v1_ids(ims, {k: v for k, v in params.items() if k != "limit"})


def test_v2_vhd_needs_two_pages(ims):
    pages = follow_next(ims, {"disk_format": "vhd"})
    assert [len(p["images"]) for p in pages] == [25, 2]
    assert set(v2_all_ids(ims, {"disk_format": "vhd"})) == set(v1_ids(ims, {"disk_format": "vhd"}))


def test_v2_small_result_has_no_next(ims):
    body = get(ims, "/v2/images", {"disk_format": "qcow2"}).json()
    assert len(body["images"]) == 11
    assert "next" not in body
    assert body["first"] == "/v2/images?disk_format=qcow2"


def test_v2_exact_multiple_of_limit_has_no_empty_last_page(ims):
    pages = follow_next(ims, {"limit": 27, "disk_format": "vhd"})
    assert len(pages) == 1 and "next" not in pages[0]
    pages = follow_next(ims, {"limit": 9, "disk_format": "vhd"})
    assert [len(p["images"]) for p in pages] == [9, 9, 9]


def test_v2_next_with_space_in_a_value(ims):
    pages = follow_next(ims, {"updated_at": "gt:2016-01-01 00:00:00", "limit": 20})
    got = [item["id"] for page in pages for item in page["images"]]
    assert len(got) == len(set(got)) == LIVE_IMAGES


def test_v2_item_shape(ims):
    items = [item for page in follow_next(ims) for item in page["images"]]
    for item in items:
        img = fake.image_by_id(item["id"])
        for key in ("id", "name", "status", "container_format", "disk_format", "protected", "owner",
                    "min_ram", "min_disk"):
            assert item[key] == img[key]
        assert item["visibility"] == ("public" if img["is_public"] else "private")
        assert item["size"] == 0
        assert item["checksum"] == EMPTY_MD5
        assert item["virtual_size"] is None
        assert item["__image_size"] == str(img["size"])
        assert item["tags"] == []
        assert item["self"] == f"/v2/images/{img['id']}"
        assert item["file"] == f"/v2/images/{img['id']}/file"
        assert item["schema"] == "/v2/schemas/image"
        assert V2_TIME.match(item["created_at"]) and V2_TIME.match(item["updated_at"])
        assert item["created_at"] == img["created_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
        for key, value in img["properties"].items():
            assert item[key] == value
        for gone in ("properties", "is_public", "deleted", "deleted_at"):
            assert gone not in item


def test_v2_timestamps_truncate_microseconds(ims):
    img = next(i for i in live_images() if i["created_at"].microsecond > 500000)
    item = get(ims, f"/v2/images/{img['id']}").json()
    assert item["created_at"] == img["created_at"].replace(microsecond=0).isoformat() + "Z"


def test_v2_never_returns_deleted_images(ims):
    assert not set(v2_all_ids(ims)) & DELETED_IDS
    assert get(ims, "/v2/images", {"status": "deleted"}).json()["images"] == []
    assert get(ims, "/v2/images", {"updated_at": "gt:2023-01-01T00:00:00Z"}).json()["images"] == []


@pytest.mark.parametrize("v1_params,v2_params", [
    ({"name": DUPLICATE_NAME}, {"name": DUPLICATE_NAME}),
    ({"disk_format": "vhd"}, {"disk_format": "vhd"}),
    ({"disk_format": "zvhd2"}, {"disk_format": "zvhd2"}),
    ({"container_format": "ovf"}, {"container_format": "ovf"}),
    ({"status": "active"}, {"status": "active"}),
    ({"status": "queued"}, {"status": "queued"}),
    ({"min_ram": "512"}, {"min_ram": "512"}),
    ({"min_disk": "40"}, {"min_disk": "40"}),
    ({"protected": "True"}, {"protected": "true"}),
    ({"protected": "0"}, {"protected": "false"}),
    ({"property-__platform": "CentOS"}, {"__platform": "CentOS"}),
    ({"property-__os_type": "Windows"}, {"__os_type": "Windows"}),
    ({"property-__imagetype": "shared"}, {"__imagetype": "shared"}),
    ({"property-__os_bit": "32"}, {"__os_bit": "32"}),
    ({"property-__isregistered": "true"}, {"__isregistered": "true"}),
    ({"property-__support_kvm": "true"}, {"__support_kvm": "true"}),
    ({"is_public": "true"}, {}),
    ({"sort_key": "name", "sort_dir": "asc"}, {"sort_key": "name", "sort_dir": "asc"}),
    ({"sort_key": "size"}, {"sort_key": "size"}),
    ({"disk_format": "vhd", "property-__platform": "Ubuntu"},
     {"disk_format": "vhd", "__platform": "Ubuntu"}),
])
def test_v2_safe_rewrites_return_the_same_images(ims, v1_params, v2_params):
    assert v2_all_ids(ims, v2_params) == v1_ids(ims, v1_params)


def test_v2_changes_since_rewrite_loses_only_deleted_images(ims):
    since = "2019-03-01T12:00:00Z"
    old = set(v1_ids(ims, {"changes-since": since}))
    new = set(v2_all_ids(ims, {"updated_at": "gt:" + since}))
    assert new < old
    assert old - new == {i["id"] for i in deleted_images() if i["updated_at"] > datetime(2019, 3, 1, 12)}
    assert len(old - new) == 4


@pytest.mark.parametrize("key", ["changes-since", "size_min", "size_max", "is_public", "deleted",
                                 "property-__platform", "property-hw_firmware_type", "hw_firmware_type",
                                 "owner_team", "__os_version", "__frobnicate", "sort", "os_hidden",
                                 "frobnicate", "minRam"])
def test_v2_rejects_unsupported_parameters(ims, key):
    response = get(ims, "/v2/images", {key: "1"})
    assert response.status_code == 400
    assert error_parameter(response) == key
    assert key in response.json()["error"]["message"]


def test_v2_rejects_unsupported_parameter_among_good_ones(ims):
    response = get(ims, "/v2/images", {"disk_format": "vhd", "changes-since": "2019-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert error_parameter(response) == "changes-since"


@pytest.mark.parametrize("value", ["True", "False", "1", "0", "TRUE", "yes", ""])
def test_v2_protected_must_be_lowercase_true_or_false(ims, value):
    response = get(ims, "/v2/images", {"protected": value})
    assert response.status_code == 400
    assert error_parameter(response) == "protected"


def test_v2_protected_values(ims):
    assert set(v2_all_ids(ims, {"protected": "true"})) == expected_live(lambda i: i["protected"])
    assert len(v2_all_ids(ims, {"protected": "false"})) == 37


@pytest.mark.parametrize("key", ["__os_type", "__platform", "__imagetype", "__os_bit", "__isregistered",
                                 "__support_kvm", "__support_xen", "__support_largememory"])
def test_v2_ims_property_filters_are_accepted(ims, key):
    values = {img["properties"].get(key) for img in live_images()} - {None}
    for value in values or {"true"}:
        expected = expected_live(lambda i: i["properties"].get(key) == value)
        assert set(v2_all_ids(ims, {key: value})) == expected


@pytest.mark.parametrize("key,value,pred", [
    ("id", IMAGES[3]["id"], lambda i: i["id"] == IMAGES[3]["id"]),
    ("owner", OTHER_PROJECT_ID, lambda i: i["owner"] == OTHER_PROJECT_ID),
    ("visibility", "public", lambda i: i["is_public"]),
    ("visibility", "private", lambda i: not i["is_public"]),
    ("visibility", "all", lambda i: True),
    ("visibility", "shared", lambda i: False),
    ("member_status", "all", lambda i: True),
    ("member_status", "accepted", lambda i: True),
    ("tag", "anything", lambda i: False),
    ("status", "deleted", lambda i: False),
    ("status", "killed", lambda i: False),
])
def test_v2_other_filters(ims, key, value, pred):
    assert set(v2_all_ids(ims, {key: value})) == expected_live(pred)


@pytest.mark.parametrize("key,value", [("visibility", "everyone"), ("member_status", "maybe"),
                                       ("status", "ACTIVE"), ("status", "gone"), ("min_ram", "big"),
                                       ("min_disk", "1.5")])
def test_v2_bad_filter_values_are_400(ims, key, value):
    response = get(ims, "/v2/images", {key: value})
    assert response.status_code == 400
    assert error_parameter(response) == key


def _time_pred(key, op, when):
    ops = {"gt": lambda a: a > when, "gte": lambda a: a >= when, "lt": lambda a: a < when,
           "lte": lambda a: a <= when, "eq": lambda a: a == when, "neq": lambda a: a != when}
    return lambda img: ops[op](img[key])


@pytest.mark.parametrize("key", ["created_at", "updated_at"])
@pytest.mark.parametrize("op", ["gt", "gte", "lt", "lte", "eq", "neq"])
def test_v2_time_filters(ims, key, op):
    when = datetime(2019, 3, 1, 12, 0, 0)
    for text in ("2019-03-01T12:00:00Z", "2019-03-01 12:00:00"):
        got = set(v2_all_ids(ims, {key: f"{op}:{text}"}))
        assert got == expected_live(_time_pred(key, op, when))


def test_v2_time_filter_on_exact_whole_second(ims):
    img = next(i for i in live_images()
               if i["created_at"].microsecond == 0 and i["created_at"].year > 2016)
    text = img["created_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert v2_all_ids(ims, {"created_at": "eq:" + text}) == [img["id"]]
    assert img["id"] in v2_all_ids(ims, {"created_at": "gte:" + text})
    assert img["id"] not in v2_all_ids(ims, {"created_at": "gt:" + text})


def test_v2_time_filter_compares_full_precision(ims):
    img = next(i for i in live_images() if i["updated_at"].microsecond > 0)
    truncated = img["updated_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    assert img["id"] in v2_all_ids(ims, {"updated_at": "gt:" + truncated})


def test_v2_time_filters_combine(ims):
    params = [("created_at", "gte:2017-01-01T00:00:00Z"), ("created_at", "lt:2018-01-01T00:00:00Z")]
    got = set(v2_all_ids(ims, params))
    assert got == expected_live(lambda i: datetime(2017, 1, 1) <= i["created_at"] < datetime(2018, 1, 1))
    assert got


@pytest.mark.parametrize("value", [
    "2019-03-01T12:00:00Z",             # no operator
    "after:2019-03-01T12:00:00Z",       # unknown operator
    "gt:2019-03-01T12:00:00",           # T without Z
    "gt:2019-03-01T12:00:00.5Z",        # fraction
    "gt:2019-03-01T12:00:00+00:00",     # offset
    "gt:2019-03-01",                    # date only
    "gt:2019-03-01T12:00Z",             # no seconds
    "gt:2019-13-01T12:00:00Z",          # not a date
    "gt:",
])
@pytest.mark.parametrize("key", ["created_at", "updated_at"])
def test_v2_bad_time_filters_are_400(ims, key, value):
    response = get(ims, "/v2/images", {key: value})
    assert response.status_code == 400
    assert error_parameter(response) == key


@pytest.mark.parametrize("sort_key", fake.V2_SORT_KEYS)
@pytest.mark.parametrize("sort_dir", ["asc", "desc"])
def test_v2_sorting(ims, sort_key, sort_dir):
    got = v2_all_ids(ims, {"sort_key": sort_key, "sort_dir": sort_dir})
    expected = sorted(live_images(), key=lambda i: (i[sort_key], i["created_at"], i["id"]),
                      reverse=sort_dir == "desc")
    assert got == [img["id"] for img in expected]


@pytest.mark.parametrize("params,parameter", [({"sort_key": "updated_at"}, "sort_key"),
                                              ({"sort_key": "visibility"}, "sort_key"),
                                              ({"sort_dir": "ascending"}, "sort_dir")])
def test_v2_bad_sort_is_400(ims, params, parameter):
    response = get(ims, "/v2/images", params)
    assert response.status_code == 400
    assert error_parameter(response) == parameter


@pytest.mark.parametrize("marker", ["no-such-image", deleted_images()[0]["id"]])
def test_v2_unknown_or_deleted_marker_is_400(ims, marker):
    response = get(ims, "/v2/images", {"marker": marker})
    assert response.status_code == 400
    assert error_parameter(response) == "marker"


@pytest.mark.parametrize("limit", ["-1", "ten", "2.5"])
def test_v2_bad_limit_is_400(ims, limit):
    assert get(ims, "/v2/images", {"limit": limit}).status_code == 400


def test_v2_large_limit_returns_everything(ims):
    body = get(ims, "/v2/images", {"limit": 5000}).json()
    assert len(body["images"]) == LIVE_IMAGES and "next" not in body


def test_v2_limit_zero_is_an_empty_last_page(ims):
    body = get(ims, "/v2/images", {"limit": 0}).json()
    assert body["images"] == [] and "next" not in body


def test_v2_marker_with_explicit_params(ims):
    every = v2_all_ids(ims)
    body = get(ims, "/v2/images", {"marker": every[24], "limit": 10}).json()
    assert [item["id"] for item in body["images"]] == every[25:35]


# ---------------------------------------------------------------------------
# target="openstack-glance"
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def glance():
    with ImsServer(target="openstack-glance") as server:
        yield server


def test_glance_accepts_size_filters_on_real_size(glance):
    sizes = sorted(img["size"] for img in live_images() if img["size"])
    low, high = sizes[5], sizes[40]
    got = set(v2_all_ids(glance, {"size_min": low, "size_max": high}))
    assert got == expected_live(lambda i: low <= i["size"] <= high)
    assert got == set(v1_ids(glance, {"size_min": low, "size_max": high}))


def test_glance_items_carry_real_size(glance):
    item = get(glance, f"/v2/images/{IMAGES[1]['id']}").json()
    assert item["size"] == IMAGES[1]["size"]
    assert item["checksum"] == IMAGES[1]["checksum"]
    assert "__image_size" not in item


@pytest.mark.parametrize("key", ["changes-since", "is_public", "property-__platform"])
def test_glance_still_rejects_v1_only_parameters(glance, key):
    assert get(glance, "/v2/images", {key: "x"}).status_code == 400


def test_glance_rejects_non_integer_size(glance):
    response = get(glance, "/v2/images", {"size_min": "big"})
    assert response.status_code == 400 and error_parameter(response) == "size_min"


# ---------------------------------------------------------------------------
# GET /v2/images/{id}, GET /v2/cloudimages
# ---------------------------------------------------------------------------


def test_v2_show_returns_bare_object(ims):
    img = live_images()[7]
    response = get(ims, f"/v2/images/{img['id']}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == fake.v2_view(img)
    assert "image" not in response.json()


@pytest.mark.parametrize("image_id", ["no-such-image", deleted_images()[0]["id"]])
def test_v2_show_missing_or_deleted_is_404(ims, image_id):
    assert get(ims, f"/v2/images/{image_id}").status_code == 404


def test_cloudimages_returns_everything_without_links(ims):
    body = get(ims, "/v2/cloudimages").json()
    assert list(body) == ["images"]
    assert len(body["images"]) == LIVE_IMAGES <= CLOUDIMAGES_DEFAULT_LIMIT == 500
    assert [item["id"] for item in body["images"]] == v2_all_ids(ims)
    assert body["images"][0] == fake.v2_view(fake.image_by_id(body["images"][0]["id"]))


def test_cloudimages_filters_and_marker_paging(ims):
    vhd = v2_all_ids(ims, {"disk_format": "vhd"})
    seen, marker = [], None
    while True:
        params = {"disk_format": "vhd", "limit": 10, **({"marker": marker} if marker else {})}
        body = get(ims, "/v2/cloudimages", params).json()
        assert list(body) == ["images"]
        page = [item["id"] for item in body["images"]]
        seen.extend(page)
        if len(page) < 10:
            break
        marker = page[-1]
    assert seen == vhd


def test_cloudimages_rejects_what_v2_rejects(ims):
    for key in ("changes-since", "size_min", "property-__platform"):
        assert get(ims, "/v2/cloudimages", {key: "1"}).status_code == 400


# ---------------------------------------------------------------------------
# DELETE
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/v1.1", "/v1", "/v1.0"])
def test_v1_delete_is_a_soft_delete(ims, prefix):
    img = unprotected_live()[3]
    before = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=5)
    response = requests.delete(f"{ims.url}{prefix}/images/{img['id']}", headers=TOKEN)
    assert response.status_code == 200
    assert response.content == b""
    assert img["id"] not in v1_ids(ims)
    assert img["id"] not in v2_all_ids(ims)
    assert get(ims, f"/v2/images/{img['id']}").status_code == 404
    params = {"changes-since": LATEST_LIVE_UPDATE.isoformat()}
    since = get(ims, "/v1.1/images/detail", params).json()["images"]
    item = next(item for item in since if item["id"] == img["id"])
    assert item["status"] == "deleted" and item["deleted"] is True
    assert datetime.fromisoformat(item["deleted_at"]) >= before
    assert item["updated_at"] == item["deleted_at"]
    stored = ims.get_image(img["id"])
    assert stored["deleted"] and stored["status"] == "deleted"


def test_v2_delete_is_204_and_soft(ims):
    img = unprotected_live()[0]
    response = requests.delete(f"{ims.url}/v2/images/{img['id']}", headers=TOKEN)
    assert response.status_code == 204
    assert response.content == b""
    assert img["id"] not in v2_all_ids(ims)
    assert img["id"] in v1_ids(ims, {"changes-since": "2000-01-01T00:00:00Z", "status": "deleted"})


@pytest.mark.parametrize("path", ["/v1.1/images/{}", "/v1/images/{}", "/v2/images/{}"])
def test_delete_unknown_or_already_deleted_is_404(ims, path):
    assert requests.delete(ims.url + path.format("no-such-image"), headers=TOKEN).status_code == 404
    victim = unprotected_live()[2]["id"]
    assert requests.delete(ims.url + path.format(victim), headers=TOKEN).status_code in (200, 204)
    assert requests.delete(ims.url + path.format(victim), headers=TOKEN).status_code == 404
    already = deleted_images()[0]["id"]
    assert requests.delete(ims.url + path.format(already), headers=TOKEN).status_code == 404


@pytest.mark.parametrize("path", ["/v1.1/images/{}", "/v2/images/{}", f"/v2.1/{PROJECT_ID}/images/{{}}"])
def test_delete_protected_is_403(ims, path):
    img = next(i for i in live_images() if i["protected"])
    assert requests.delete(ims.url + path.format(img["id"]), headers=TOKEN).status_code == 403
    assert img["id"] in v1_ids(ims)


def test_delete_uses_injected_clock():
    when = datetime(2030, 1, 2, 3, 4, 5, 678901)
    with ImsServer(clock=lambda: when) as server:
        victim = unprotected_live()[0]["id"]
        requests.delete(f"{server.url}/v1.1/images/{victim}", headers=TOKEN)
        item = get(server, "/v1.1/images/detail", {"changes-since": "2029-12-31"}).json()["images"]
        assert [(i["id"], i["deleted_at"]) for i in item] == [(victim, "2030-01-02T03:04:05.678901")]


# ---------------------------------------------------------------------------
# HEAD /v1/images/{id}
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/v1", "/v1.1", "/v1.0"])
def test_head_returns_metadata_headers(ims, prefix):
    img = IMAGES[1]
    response = requests.head(f"{ims.url}{prefix}/images/{img['id']}", headers=TOKEN)
    assert response.status_code == 200
    assert response.content == b""
    h = response.headers
    assert h["X-Image-Meta-Id"] == img["id"]
    assert h["X-Image-Meta-Name"] == img["name"]
    assert h["X-Image-Meta-Status"] == "active"
    assert h["X-Image-Meta-Container_format"] == img["container_format"]
    assert h["X-Image-Meta-Disk_format"] == img["disk_format"]
    assert h["X-Image-Meta-Size"] == str(img["size"])
    assert h["X-Image-Meta-Checksum"] == img["checksum"] == h["ETag"]
    assert h["X-Image-Meta-Min_ram"] == str(img["min_ram"])
    assert h["X-Image-Meta-Min_disk"] == str(img["min_disk"])
    assert h["X-Image-Meta-Is_public"] == "False"
    assert h["X-Image-Meta-Protected"] == "False"
    assert h["X-Image-Meta-Deleted"] == "False"
    assert "X-Image-Meta-Deleted_at" not in h
    assert h["X-Image-Meta-Owner"] == img["owner"]
    assert h["X-Image-Meta-Created_at"] == fake.v1_time(img["created_at"])
    assert h["X-Image-Meta-Updated_at"] == fake.v1_time(img["updated_at"])
    assert h["X-Image-Meta-Property-__os_type"] == img["properties"]["__os_type"]
    assert h["X-Image-Meta-Property-__platform"] == img["properties"]["__platform"]
    assert h["x-image-meta-property-hw_firmware_type"] == img["properties"]["hw_firmware_type"]


def test_head_header_names_are_title_case_on_the_wire(ims):
    img = next(i for i in live_images() if i["is_public"])
    response = ims.dispatch("HEAD", f"/v1/images/{img['id']}", TOKEN)
    names = dict(response.headers)
    assert names["X-Image-Meta-Is_public"] == "True"
    assert names["X-Image-Meta-Protected"] == "True"
    assert "X-Image-Meta-Property-__os_type" in names
    assert "X-Image-Meta-Property-Hw_firmware_type" in names
    assert response.body == b""


def test_head_matches_v2_show(ims):
    for img in live_images()[:10]:
        h = requests.head(f"{ims.url}/v1/images/{img['id']}", headers=TOKEN).headers
        item = get(ims, f"/v2/images/{img['id']}").json()
        assert h["X-Image-Meta-Name"] == item["name"]
        assert h["X-Image-Meta-Size"] == item["__image_size"]
        assert (h["X-Image-Meta-Is_public"] == "True") == (item["visibility"] == "public")
        for key in img["properties"]:
            assert h["X-Image-Meta-Property-" + key] == item[key]


def test_head_queued_image_has_no_checksum(ims):
    img = next(i for i in live_images() if i["status"] == "queued")
    h = requests.head(f"{ims.url}/v1/images/{img['id']}", headers=TOKEN).headers
    assert h["X-Image-Meta-Size"] == "0"
    assert "X-Image-Meta-Checksum" not in h and "ETag" not in h


@pytest.mark.parametrize("image_id", ["no-such-image", deleted_images()[0]["id"], "detail"])
def test_head_missing_or_deleted_is_404(ims, image_id):
    assert requests.head(f"{ims.url}/v1/images/{image_id}", headers=TOKEN).status_code == 404


# ---------------------------------------------------------------------------
# Nova proxy
# ---------------------------------------------------------------------------

NOVA_DETAIL_PATHS = [f"/v2/{PROJECT_ID}/images/detail", f"/v2.1/{PROJECT_ID}/images/detail",
                     f"/v1.1/{PROJECT_ID}/images/detail"]


@pytest.mark.parametrize("path", NOVA_DETAIL_PATHS)
def test_nova_detail_list_shape(ims, path):
    body = get(ims, path).json()
    assert list(body) == ["images"]  # no limit given, nothing hit
    items = body["images"]
    assert len(items) == LIVE_IMAGES
    assert [item["id"] for item in items] == v1_ids(ims)
    version = path.split("/")[1]
    for item in items:
        img = fake.image_by_id(item["id"])
        assert set(item) == {"id", "name", "status", "progress", "minRam", "minDisk", "metadata",
                             "OS-EXT-IMG-SIZE:size", "created", "updated", "links"}
        assert item["status"] == img["status"].upper().replace("QUEUED", "SAVING")
        assert item["minRam"] == img["min_ram"] and item["minDisk"] == img["min_disk"]
        assert item["metadata"] == img["properties"]
        assert item["OS-EXT-IMG-SIZE:size"] == img["size"]
        assert item["created"] == fake.v2_time(img["created_at"])
        assert item["updated"] == fake.v2_time(img["updated_at"])
        assert item["progress"] == {"active": 100, "saving": 50, "queued": 25}[img["status"]]
        links = {link["rel"]: link["href"] for link in item["links"]}
        assert links["self"] == f"{ims.url}/{version}/{PROJECT_ID}/images/{img['id']}"
        assert links["bookmark"] == f"{ims.url}/{PROJECT_ID}/images/{img['id']}"
        assert "alternate" in links


@pytest.mark.parametrize("path", [f"/v2/{PROJECT_ID}/images", f"/v2.1/{PROJECT_ID}/images",
                                  f"/v1.1/{PROJECT_ID}/images"])
def test_nova_summary_list(ims, path):
    items = get(ims, path).json()["images"]
    assert len(items) == LIVE_IMAGES
    assert all(set(item) == {"id", "name", "links"} for item in items)


@pytest.mark.parametrize("status,pred", [
    ("ACTIVE", lambda i: i["status"] == "active"),
    ("SAVING", lambda i: i["status"] == "saving"),
    ("active", lambda i: i["status"] == "active"),
    ("DELETED", lambda i: False),
    ("QUEUED", lambda i: i["status"] == "queued"),
])
def test_nova_status_filter(ims, status, pred):
    got = set(ids(get(ims, NOVA_DETAIL_PATHS[1], {"status": status})))
    assert got == expected_live(pred)


def test_nova_other_filters(ims):
    path = NOVA_DETAIL_PATHS[0]
    got = set(ids(get(ims, path, {"name": DUPLICATE_NAME})))
    assert got == expected_live(lambda i: i["name"] == DUPLICATE_NAME)
    assert set(ids(get(ims, path, {"minRam": 4096}))) == expected_live(lambda i: i["min_ram"] == 4096)
    assert set(ids(get(ims, path, {"minDisk": 0}))) == expected_live(lambda i: i["min_disk"] == 0)
    assert ids(get(ims, path, {"frobnicate": "x", "type": "snapshot"})) == v1_ids(ims)
    assert get(ims, path, {"minRam": "lots"}).status_code == 400


def test_nova_changes_since_is_gte_and_hides_deleted(ims):
    img = live_images()[20]
    at = img["updated_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")
    got = set(ids(get(ims, NOVA_DETAIL_PATHS[0], {"changes-since": at})))
    assert img["id"] in got
    assert got == expected_live(lambda i: i["updated_at"] >= img["updated_at"])
    assert not got & DELETED_IDS
    assert get(ims, NOVA_DETAIL_PATHS[0], {"changes-since": "soon"}).status_code == 400


def test_nova_limit_gives_absolute_next_link_and_paging_reaches_all(ims):
    url, params, seen, pages = ims.url + NOVA_DETAIL_PATHS[1], {"limit": 20}, [], 0
    while url:
        body = requests.get(url, params=params, headers=TOKEN).json()
        params, pages = None, pages + 1
        seen.extend(item["id"] for item in body["images"])
        links = body.get("images_links", [])
        if links:
            assert links[0]["rel"] == "next"
            assert links[0]["href"].startswith(ims.url + NOVA_DETAIL_PATHS[1] + "?")
            query = dict(parse_qsl(urlsplit(links[0]["href"]).query))
            assert query == {"limit": "20", "marker": body["images"][-1]["id"]}
        url = links[0]["href"] if links else None
    assert pages == 3
    assert seen == v1_ids(ims)


def test_nova_full_last_page_still_links_to_an_empty_page(ims):
    body = get(ims, NOVA_DETAIL_PATHS[0], {"limit": 27, "status": "ACTIVE", "minDisk": 40}).json()
    expected = len(expected_live(lambda i: i["status"] == "active" and i["min_disk"] == 40))
    assert len(body["images"]) == expected < 27 and "images_links" not in body
    body = get(ims, NOVA_DETAIL_PATHS[0], {"limit": expected, "status": "ACTIVE", "minDisk": 40}).json()
    assert "images_links" in body
    nxt = requests.get(body["images_links"][0]["href"], headers=TOKEN).json()
    assert nxt["images"] == [] and "images_links" not in nxt


def test_nova_summary_list_links(ims):
    body = get(ims, f"/v2/{PROJECT_ID}/images", {"limit": 5}).json()
    assert len(body["images"]) == 5
    assert body["images_links"][0]["href"].startswith(f"{ims.url}/v2/{PROJECT_ID}/images?")


def test_nova_unknown_marker_is_400(ims):
    assert get(ims, NOVA_DETAIL_PATHS[0], {"marker": "nope"}).status_code == 400


@pytest.mark.parametrize("version", ["v2", "v2.1", "v1.1"])
def test_nova_show(ims, version):
    img = next(i for i in live_images() if i["status"] == "queued")
    body = get(ims, f"/{version}/{PROJECT_ID}/images/{img['id']}").json()
    assert list(body) == ["image"]
    assert body["image"]["status"] == "SAVING"
    assert body["image"]["progress"] == 25
    assert body["image"]["metadata"] == img["properties"]
    listed = get(ims, f"/{version}/{PROJECT_ID}/images/detail", {"name": img["name"]}).json()
    assert body["image"] == listed["images"][0]


@pytest.mark.parametrize("image_id", ["nope", deleted_images()[0]["id"]])
def test_nova_show_missing_or_deleted_is_404(ims, image_id):
    assert get(ims, f"/v2/{PROJECT_ID}/images/{image_id}").status_code == 404


def test_nova_metadata_and_delete(ims):
    img = unprotected_live()[4]
    body = get(ims, f"/v2.1/{PROJECT_ID}/images/{img['id']}/metadata").json()
    assert body == {"metadata": img["properties"]}
    response = requests.delete(f"{ims.url}/v2.1/{PROJECT_ID}/images/{img['id']}", headers=TOKEN)
    assert response.status_code == 204
    assert img["id"] not in ids(get(ims, NOVA_DETAIL_PATHS[1]))
    assert get(ims, f"/v2.1/{PROJECT_ID}/images/{img['id']}").status_code == 404


def test_nova_requests_record_project_id(ims):
    get(ims, f"/v2.1/{OTHER_PROJECT_ID}/images/detail", {"changes-since": "2020-01-01T00:00:00Z"})
    assert ims.requests[-1].path == f"/v2.1/{OTHER_PROJECT_ID}/images/detail"
    assert ims.requests[-1].query == [("changes-since", "2020-01-01T00:00:00Z")]


@pytest.mark.parametrize("glance_status,nova,progress", [
    ("active", "ACTIVE", 100), ("queued", "SAVING", 25), ("saving", "SAVING", 50),
    ("deleted", "DELETED", 0), ("pending_delete", "DELETED", 0), ("killed", "ERROR", 0),
    ("deactivated", "UNKNOWN", 0),
])
def test_nova_status_mapping(glance_status, nova, progress):
    assert fake.nova_status(glance_status) == nova
    assert fake.nova_progress(glance_status) == progress


def test_nova_paths_do_not_shadow_ims_paths(ims):
    # /v2/images/{id} is IMS, /v2/{project}/images is Nova; /v1.1/images/detail is IMS v1.
    assert "image" not in get(ims, f"/v2/images/{IMAGES[1]['id']}").json()
    assert "properties" in get(ims, "/v1.1/images/detail").json()["images"][0]
    assert "minRam" in get(ims, f"/v1.1/{PROJECT_ID}/images/detail").json()["images"][0]
