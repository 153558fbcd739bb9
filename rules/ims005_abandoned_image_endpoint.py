"""IMS005: the other abandoned IMS / Glance v1 image endpoints."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid
from linter.site_rules import endpoint_findings


class AbandonedImageEndpoint(Rule):
    """Flags the rest of the abandoned v1 image family:

    | abandoned | use instead | fix |
    |---|---|---|
    | `DELETE /v1.1/images/{id}` (also `/v1/`, `/v1.0/`) | `DELETE /v2/images/{id}` | safe when the response is unused or only `raise_for_status()`ed; else unsafe (v2 answers 204, v1.1 answered 200) |
    | `HEAD /v1/images/{id}` (metadata in `x-image-meta-*` headers) | `GET /v2/images/{id}` (metadata in the JSON body) | none: the code reading the headers must change too |
    | Glance v1 `GET /v1/images/detail`, `GET /v1/images` (also `/v1.0/`) | `GET /v2/images` | as IMS001, with the same filter translation |

    Only the documented abandoned methods count: `GET /v1.1/images/{id}` or `POST /v1/images`
    are not flagged, and a `/v1/images` URL on a host that is clearly another service is left
    alone. A path whose method is unknown (`DELETE` or `HEAD`?) is not reported. A relative
    `images/detail` sent through an image client (`image_client`, `service_type="image"`, port
    9292, a class with `api_version = "v1"`) is the v1 list relative to a versioned endpoint;
    sent through any other client it is the compute proxy (IMS006).
    """

    code = "IMS005"
    name = "abandoned-image-endpoint"
    summary = "An abandoned IMS / Glance v1 image endpoint (DELETE, HEAD, v1 lists)"
    severity = "error"
    fixable = "sometimes"

    VALID = [
        Valid('requests.delete(f"{ep}/v2/images/{image_id}")\n'),
        Valid('requests.get(f"{ep}/v1.1/images/{image_id}")\n'),
        Valid('requests.post("https://api.example-vendor.com/v1/images", files=files)\n'),
        Valid('requests.get("https://api.example-vendor.com/v1/images")\n'),
        Valid('url = f"{ep}/v1.1/images/{image_id}"\n'),
    ]
    INVALID = [
        Invalid(
            'requests.delete(f"{ep}/v1.1/images/{image_id}", headers=headers).raise_for_status()\n',
            fixed='requests.delete(f"{ep}/v2/images/{image_id}", headers=headers).raise_for_status()\n',
        ),
        Invalid(
            'resp = session.delete(ep + "/v1.1/images/" + image_id)\nok = resp.status_code == 200\n',
            fixed='resp = session.delete(ep + "/v2/images/" + image_id)\nok = resp.status_code == 200\n',
            unsafe=True,
        ),
        Invalid('meta = requests.head("%s/v1/images/%s" % (ep, image_id)).headers\n'),
        Invalid(
            'resp = requests.get(ep + "/v1/images/detail", params={"name": "web"})\n',
            fixed='resp = requests.get(ep + "/v2/images", params={"name": "web"})\n',
        ),
        Invalid('images = image_client.get("/images/detail").json()["images"]\n', codes=("IMS005",)),
        Invalid(
            'sess.get("/v1/images", endpoint_filter={"service_type": "image"})\n',
            fixed='sess.get("/v2/images", endpoint_filter={"service_type": "image"})\n',
        ),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        return endpoint_findings(ctx, self)
