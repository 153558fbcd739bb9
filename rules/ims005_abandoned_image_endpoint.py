"""IMS005: the other abandoned IMS / Glance v1 image endpoints."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid
from linter.site_rules import endpoint_findings


class AbandonedImageEndpoint(Rule):
    """Flags every other Glance / IMS v1 image request, absolute or relative to a v1 image endpoint:

    | abandoned (`/v1/`, `/v1.0/`, `/v1.1/`) | use instead | fix |
    |---|---|---|
    | `GET /v1/images/detail`, `GET /v1/images` (lists) | `GET /v2/images` | as IMS001, with the same filter translation and page loop |
    | `DELETE /v1/images/{id}` | `DELETE /v2/images/{id}` | safe when the answer is unused, `raise_for_status()`ed, or its status compared with 200 (`== 200`, `!= requests.codes.ok`, `is HTTPStatus.OK`, ...: rewritten to `in (200, 204)`: v2 answers 204) |
    | `HEAD /v1/images/{id}` (metadata in `x-image-meta-*` headers) | `GET /v2/images/{id}` (JSON body) | none: the code reading the headers must change too |
    | `GET /v1/images/{id}` (download, metadata in headers) | `GET /v2/images/{id}/file` and `GET /v2/images/{id}` | none |
    | `POST /v1/images` (create), `PUT /v1/images/{id}` (update) | `POST /v2/images` + `PUT .../file`; `PATCH /v2/images/{id}` | none |
    | `/v1/images/{id}/members[/{member}]` | `/v2/images/{id}/members` | none |

    The method comes from evidence (`requests.delete`, a literal verb passed to the project's
    own wrapper, the wrapper the URL goes through, the call that sends a helper's result); when
    there is none the message says "method unknown". A bare `/v1/images` is generic (other
    providers have one): without evidence of the image service (Glance's port 9292,
    `service_type="image"`, an `ims.`/`image.` host, a glanceclient import, a `image/v1/` module
    path, `api_version = "v1"` on the client class) it gets no fix, and on another provider's
    host it is not reported. A path relative to a v1 image endpoint (`self.delete("images/%s" %
    image_id)` in a class with `api_version = "v1"`) is reported without a fix: the version is
    part of an endpoint imslint cannot see.

    Client libraries are followed too (`linter.sdk_clients`), without a fix: the calls on the
    `images` and `image_members` managers of a python-glanceclient v1 client built in the module
    (`glanceclient.Client("1", ...)`, `glanceclient.v1.client.Client(...)`; `images.get` is
    `HEAD /v1/images/{id}`, `images.list` is `GET /v1/images/detail`), and openstacksdk pinned to
    the v1 image API (`openstack.connect(image_api_version="1")`, or `OS_IMAGE_API_VERSION` set to 1
    in the process; a glanceclient without a version takes it from its endpoint's `/v1`). A client may be built directly,
    kept on `self` in the same class, or returned by a function or method of the module whose one
    `return` ends it, and an image a v1 client answered (assigned, kept on `self`, or a loop over
    its list) is followed to its own `delete()`/`update()`/`data()`/`get()`. A client passed in or
    built in another module is not followed.
    """

    code = "IMS005"
    name = "abandoned-image-endpoint"
    summary = "An abandoned IMS / Glance v1 image request (list, DELETE, HEAD, download, create, update, members)"
    severity = "error"
    fixable = "sometimes"

    VALID = [
        Valid('requests.delete(f"{ep}/v2/images/{image_id}")\n'),
        Valid('requests.get(f"{ep}/v1/cloudimages/{image_id}/members")\n'),
        Valid('requests.post("https://api.example-vendor.com/v1/images", files=files)\n'),
        Valid('requests.get("https://api.example-vendor.com/v1/images")\n'),
        Valid('def f(ep, image_id):\n    url = f"{ep}/v1.1/images/{image_id}"\n    return None\n'),
        Valid('self.assertEqual("/v1/images", legacy_list_url())\n'),
        Valid('import glanceclient\n\ngc = glanceclient.Client("2", session=sess)\nnames = [i.name for i in gc.images.list()]\n'),
        Valid('def names(gc):\n    return [i.name for i in gc.images.list()]  # a client passed in: its version is unknown\n'),
        Valid('import openstack\n\nconn = openstack.connect(cloud="otc", image_api_version="2")\n'),
    ]
    INVALID = [
        Invalid(
            "from glanceclient import client as glance_client\n\n\n"
            "class Cloud:\n"
            "    def __init__(self, session):\n"
            '        self.glance = glance_client.Client(version="1", session=session)\n\n'
            "    def status(self, image_id):\n"
            "        return self.glance.images.get(image_id).status\n",
        ),
        Invalid('import openstack\n\nconn = openstack.connect(cloud="otc", image_api_version="1")\n'),
        Invalid(
            'requests.delete(f"{ep}/v1.1/images/{image_id}", headers=headers).raise_for_status()\n',
            fixed='requests.delete(f"{ep}/v2/images/{image_id}", headers=headers).raise_for_status()\n',
        ),
        Invalid(
            'resp = session.delete(ep + "/v1.1/images/" + image_id)\nok = resp.status_code == 200\n',
            fixed='resp = session.delete(ep + "/v2/images/" + image_id)\nok = resp.status_code in (200, 204)\n',
        ),
        Invalid(
            'resp = session.delete(ep + "/v1.1/images/" + image_id)\nif requests.codes.ok != resp.status_code:\n    raise Gone()\n',
            fixed='resp = session.delete(ep + "/v2/images/" + image_id)\n'
            'if resp.status_code not in (requests.codes.ok, 204):\n    raise Gone()\n',
        ),
        Invalid('meta = requests.head("%s/v1/images/%s" % (ep, image_id)).headers\n'),
        Invalid('data = requests.get(f"{ep}/v1.1/images/{image_id}").content\n'),
        Invalid('self._send("POST", "/v1/images", body=image_file)\n'),
        Invalid(
            'def first(ep):\n    resp = requests.get(ep + "/v1/images/detail", params={"name": "web"})\n'
            '    return resp.json()["images"][0]["id"]\n',
            fixed='def first(ep):\n    resp = requests.get(ep + "/v2/images", params={"name": "web"})\n'
            '    return resp.json()["images"][0]["id"]\n',
        ),
        Invalid('images = image_client.get("/images/detail").json()["images"]\n', codes=("IMS005",)),
        Invalid(
            'sess.get("/v1/images", endpoint_filter={"service_type": "image"})\n',
            fixed='sess.get("/v2/images", endpoint_filter={"service_type": "image"})\n',
        ),
        Invalid(
            'class ImagesClientV1(RestClient):\n    api_version = "v1"\n\n'
            '    def delete_image(self, image_id):\n        return self.delete("images/%s" % image_id)\n',
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        return endpoint_findings(ctx, self)
