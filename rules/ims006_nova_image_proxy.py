"""IMS006: image calls through the compute (Nova / ECS) image proxy."""
from __future__ import annotations

from typing import Iterable

from linter.findings import Finding
from linter.rule import Invalid, Rule, Valid
from linter.site_rules import endpoint_findings


class NovaImageProxy(Rule):
    """Flags every image request through the compute (Nova / ECS) image proxy, discarded on ECS
    and removed upstream from microversion 2.36: `GET /v2[.1]/{project_id}/images[/detail]`,
    `GET /v1.1/{tenant}/images/detail`, `/v2[.1]/{project_id}/images/{id}[/metadata[/{key}]]`
    (GET, PUT, POST, DELETE), `/{project_id}/images/detail` below the compute API root, and the
    same paths relative to a compute client (keystoneauth with `service_type="compute"`, a
    novaclient or openstacksdk compute module, a class whose attributes say compute). The
    service comes from evidence, never from a class name alone (`ImageManager` of novaclient is a
    compute client). A relative `images/detail` with no evidence either way is reported here,
    as the compute proxy or the v1 image API: both are abandoned.

    Use the image (IMS) endpoint instead: `GET /v2/images` (or `GET`/`DELETE /v2/images/{id}`).
    The answer has another shape there: `minRam`/`minDisk` are `min_ram`/`min_disk`, the
    `metadata` keys are top-level keys, `status` is lower-case (`ACTIVE` → `active`),
    `OS-EXT-IMG-SIZE:size` is `__image_size`, and the next page is the `next` link rather than
    `images_links`. Filters: `minRam` → `min_ram`, `minDisk` → `min_disk`, `status` lower-cased,
    `changes-since` → `updated_at=gt:...` (no deleted images).

    No automatic fix: the request must go to a different service endpoint, which imslint cannot
    know. IMS's own `/v2/{project_id}/images/{id}/tags` APIs are not flagged.

    The calls on the `images` manager of a python-novaclient client built in the module
    (`novaclient.client.Client("2", session=sess).images.list()`) are flagged too: that manager
    is the compute proxy; so are the image calls of openstacksdk's compute proxy on a connection
    built in the module (`conn.compute.images()`, `get_image`, `delete_image`, the metadata calls).
    """

    code = "IMS006"
    name = "nova-image-proxy"
    summary = "Image listing through the compute (Nova/ECS) proxy; use GET /v2/images on IMS"
    severity = "error"
    fixable = "never"

    VALID = [
        Valid('requests.get(f"{ims}/v2/{project_id}/images/{image_id}/tags")\n'),
        Valid('requests.get(f"{ims}/v2/{project_id}/images/tags")\n'),
        Valid('requests.get(f"{ims}/v2/images")\n'),
        Valid('os.makedirs(f"data/{i}/images/detail")\n'),
        Valid('path = Path(root) / "images/detail"\n'),
        Valid('from novaclient import client\n\nnova = client.Client("2", session=sess)\nservers = nova.servers.list()\n'),
    ]
    INVALID = [
        Invalid('requests.get(f"{ecs}/v2.1/{project_id}/images/detail", params={"minRam": 512})\n'),
        Invalid('requests.get(f"{ecs}/v2/{project_id}/images")\n'),
        Invalid('sess.get("/images/detail", endpoint_filter={"service_type": "compute"})\n'),
        Invalid('requests.delete(f"{ecs}/v2.1/{project_id}/images/{image_id}")\n'),
        Invalid('make_request(path="/%s/images/detail" % tenant_id, method="GET")\n'),
        Invalid('requests.put(f"{ecs}/v2/{project_id}/images/{image_id}/metadata/{key}", json=body)\n'),
        Invalid('from novaclient import client\n\nnova = client.Client("2", session=sess)\nnames = [i.name for i in nova.images.list()]\n'),
        Invalid('import openstack\n\nconn = openstack.connect(cloud="otc")\nfor image in conn.compute.images():\n    print(image.name)\n'),
    ]

    def check(self, ctx) -> Iterable[Finding]:
        return endpoint_findings(ctx, self)
