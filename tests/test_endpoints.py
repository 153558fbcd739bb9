"""The pure translation logic: path matching over template text, filters, timestamps."""
from __future__ import annotations

import pytest

from linter.endpoints import (
    HOLE_CHAR as H,
    KEEP,
    LOWER,
    NONE,
    SAFE,
    TIMESTAMP_GT,
    UNSAFE,

    match_path,
    match_paths,
    normalize_timestamp,
    path_edits,
    plan_filter,
    translate_value,
)


def apply(text, edits):
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


@pytest.mark.parametrize(
    "text, key",
    [
        ("/v1.1/images/detail", "ims-v1.1-detail"),
        ("https://ims.eu-de.otc.t-systems.com/v1.1/images/detail?disk_format=qcow2", "ims-v1.1-detail"),
        (H + "/v1.1/images/detail/", "ims-v1.1-detail"),
        ("v1.1/images/detail#top", "ims-v1.1-detail"),
        (H + "/image/v1/images/detail", "glance-v1-detail"),
        ("http://glance:9292/v1/images", "v1-list"),
        (H + "/v1.1/images/" + H, "v1-delete"),
        ("/v2/images/detail", "v2-detail"),
        (H + "/v2.1/" + H + "/images/detail", "nova-detail"),
        (H + "/v1.1/" + H + "/images/detail", "nova-detail"),
        ("/images/detail", "compute-relative-detail"),
        ("/v1/images/my-image", "v1-head"),  # tests name images with joined words
        ("/v1/images/v2_created_img", "v1-update"),
        ("^api/v1.1/images/detail$", "ims-v1.1-detail"),  # a Django route regex
    ],
)
def test_matches(text, key):
    assert key in [m.endpoint.key for m in match_paths(text)]


@pytest.mark.parametrize(
    "text",
    [
        "/v1.1/images/details-report",
        "/v1.1/images/detailed",
        "/v1.1/snapshots/detail",
        "GET /v1.1/images/detail is gone",  # prose, not a URL
        "/v2/images",
        "/v2/images/" + H,
        H + "/v2/" + H + "/images/" + H + "/tags",
        H + "/v2/" + H + "/images/tags",
        "data/" + H + "/images/detail",  # a relative path only counts as a whole path
        "/v1/cloudimages/" + H,
    ],
)
def test_does_not_match(text):
    # ``/v1.1/images/detailed`` can only be DELETE/HEAD of an image called "detailed".
    assert [m.endpoint.key for m in match_paths(text) if "GET" in m.endpoint.methods] == []


def test_query_is_parsed():
    text = "/v1.1/images/detail?name=web&changes-since=" + H + "#frag"
    match = match_path(text)
    assert [p.key for p in match.query] == ["name", "changes-since"]
    key = match.query[1]
    assert text[key.value_span[0] : key.value_span[1]] == H


def test_runtime_suffix_after_detail():
    assert match_path(H + "/v1.1/images/detail" + H).runtime_suffix


@pytest.mark.parametrize(
    "text, target, expected",
    [
        ("/v1.1/images/detail", "huawei-ims", "/v2/images"),
        ("/v1.1/images/detail/?a=1", "huawei-ims", "/v2/images?a=1"),
        ("/v1.1/images/detail", "huawei-cloudimages", "/v2/cloudimages"),
        ("/v1/images", "huawei-ims", "/v2/images"),
        ("/v2/images/detail", "huawei-ims", "/v2/images"),
        ("/v1.1/images/" + H, "huawei-ims", "/v2/images/" + H),
    ],
)
def test_path_edits(text, target, expected):
    match = match_path(text)
    assert apply(text, path_edits(match, text, target)) == expected


@pytest.mark.parametrize(
    "key, target, new_key, op, safety",
    [
        ("name", "huawei-ims", "name", KEEP, SAFE),
        ("disk_format", "huawei-ims", "disk_format", KEEP, SAFE),
        ("limit", "huawei-ims", "limit", KEEP, SAFE),
        ("protected", "huawei-ims", "protected", LOWER, SAFE),
        ("changes-since", "huawei-ims", "updated_at", TIMESTAMP_GT, UNSAFE),
        ("size_min", "huawei-ims", None, KEEP, NONE),
        ("size_max", "openstack-glance", "size_max", KEEP, SAFE),
        ("is_public", "huawei-ims", None, KEEP, NONE),
        ("property-__os_type", "huawei-ims", "__os_type", KEEP, SAFE),
        ("property-os_type", "huawei-ims", None, KEEP, NONE),  # not lstrip("property-")
        ("property-owner_team", "openstack-glance", "owner_team", KEEP, SAFE),
        ("deleted", "huawei-ims", None, KEEP, NONE),
        ("frobnicate", "huawei-ims", None, KEEP, NONE),
    ],
)
def test_plan_filter(key, target, new_key, op, safety):
    plan = plan_filter(key, target)
    assert (plan.new_key, plan.value_op, plan.safety) == (new_key, op, safety)
    assert (plan.reason is not None) == (safety != SAFE)


def test_sort_key_size_is_not_translated_on_ims():
    assert plan_filter("sort_key", "huawei-ims", "size").safety == NONE
    assert plan_filter("sort_key", "huawei-ims", "name").safety == SAFE
    assert plan_filter("sort_key", "openstack-glance", "size").safety == SAFE


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2016-05-22T06:04:20.425843", "2016-05-22T06:04:20Z"),
        ("2016-05-22T06:04:20Z", "2016-05-22T06:04:20Z"),
        ("2016-05-22 06:04:20", "2016-05-22T06:04:20Z"),
        ("2016-05-22T08:04:20+02:00", "2016-05-22T06:04:20Z"),
        ("2016-05-22T01:04-0500", "2016-05-22T06:04:00Z"),
        ("2016-05-22", "2016-05-22T00:00:00Z"),
        ("2016-01-01T00:30:00+01:00", "2015-12-31T23:30:00Z"),
        ("yesterday", None),
        ("2016-13-40", None),
    ],
)
def test_normalize_timestamp(value, expected):
    assert normalize_timestamp(value) == expected


def test_translate_value():
    assert translate_value(LOWER, "True") == "true"
    assert translate_value(LOWER, "1") is None
    assert translate_value(TIMESTAMP_GT, "2020-01-01") == "gt:2020-01-01T00:00:00Z"
    assert translate_value(KEEP, "qcow2") == "qcow2"




def test_titles_show_the_path_as_code_and_the_notes_as_prose():
    from linter.endpoints import title_as_code

    assert title_as_code("GET /v2/images") == "`GET /v2/images`"
    assert title_as_code("/v1/images/{id} (method unknown)") == "`/v1/images/{id}` (method unknown)"
    assert title_as_code("images/detail (v1 image endpoint) (method unknown)") == \
        "`images/detail` (v1 image endpoint; method unknown)"
