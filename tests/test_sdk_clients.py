"""Abandoned image APIs reached through client libraries (``linter.sdk_clients``)."""
import pytest

from linter.api import lint_source
from linter.evidence.record import COMPUTE, IMAGE_V1


@pytest.mark.parametrize("imports, client", [
    ("import glanceclient", 'glanceclient.Client("1", endpoint, token=token)'),
    ("import glanceclient", "glanceclient.Client(1, session=sess)"),
    ("from glanceclient import Client", 'Client(version="1", session=sess)'),
    ("from glanceclient import client as gc_client", 'gc_client.Client("1", session=sess)'),
    ("import glanceclient.v1.client", "glanceclient.v1.client.Client(endpoint, token=token)"),
    ("from glanceclient.v1 import client as v1", "v1.Client(endpoint)"),
])
def test_glanceclient_v1_managers_send_v1_requests(imports, client):
    source = f"{imports}\n\n\ndef status(image_id):\n    gc = {client}\n    return gc.images.get(image_id).status\n"
    [finding] = lint_source(source, "tools/images.py")
    assert finding.code == "IMS005" and finding.fix is None and finding.line == 6
    assert "`HEAD /v1/images/{id}`" in finding.message
    assert finding.evidence.method.value == "HEAD" and finding.evidence.service.value == IMAGE_V1


@pytest.mark.parametrize("client", [
    'glanceclient.Client("2", session=sess)', "glanceclient.Client(version, session=sess)",
    "make_client()", 'other.Client("1")',
])
def test_other_clients_are_not_flagged(client):
    source = f"import glanceclient\nimport other\n\ngc = {client}\nnames = [i.name for i in gc.images.list()]\n"
    assert lint_source(source, "tools/images.py") == []


def test_a_client_kept_on_self_and_novaclient():
    source = (
        "from glanceclient import client as glance\nfrom novaclient import client as nova\n\n\n"
        "class Cloud:\n"
        "    def __init__(self, sess):\n"
        '        self.glance = glance.Client("1", session=sess)\n'
        '        self.nova = nova.Client("2.1", session=sess)\n\n'
        "    def clean(self, image_id):\n"
        "        self.glance.images.delete(image_id)\n"
        "        self.glance.image_members.list(image=image_id)\n"
        "        return [i.name for i in self.nova.images.list()]\n"
    )
    found = [(f.code, f.line, f.evidence.method.value, f.evidence.service.value) for f in lint_source(source, "c.py")]
    assert found == [("IMS005", 11, "DELETE", IMAGE_V1), ("IMS005", 12, "GET", IMAGE_V1), ("IMS006", 13, "GET", COMPUTE)]
    rebuilt = source.replace("    def clean", '    def upgrade(self, sess):\n        self.glance = glance.Client("2", session=sess)\n\n    def clean')
    assert [f.code for f in lint_source(rebuilt, "c.py")] == ["IMS006"]  # two kinds of glance client: unknown


def test_openstacksdk_pinned_to_v1():
    [finding] = lint_source('import openstack\n\nconn = openstack.connect(cloud="otc", image_api_version="1")\n', "c.py")
    assert finding.code == "IMS005" and finding.column == 57 and "image_api_version" in finding.message
    assert lint_source('import openstack\n\nconn = openstack.connect(image_api_version="2")\n', "c.py") == []
    assert lint_source('conn = connect(image_api_version="1")\n', "c.py") == []  # not openstacksdk's


def test_selection_and_suppression_apply():
    source = 'import glanceclient\n\ngc = glanceclient.Client("1")\nx = gc.images.list()  # noqa: IMS005\n'
    assert lint_source(source, "c.py") == []
    assert lint_source(source.replace("  # noqa: IMS005", ""), "c.py", codes=["IMS006"]) == []


def test_a_client_from_a_factory_and_the_images_it_answers():
    source = ("import glanceclient\n\n\ndef glance_client(endpoint, token):\n"
              "    return glanceclient.Client('1', endpoint=endpoint, token=token)\n\n\n"
              "def drop(endpoint, token, image_id):\n    glance = glance_client(endpoint, token)\n"
              "    image = glance.images.get(image_id)\n    image.delete()\n"
              "    return glance_client(endpoint, token).images.list()\n")
    found = [(f.line, f.evidence.method.value) for f in lint_source(source, "libs/openstack.py")]
    assert found == [(10, "HEAD"), (11, "DELETE"), (12, "GET")]
    v2 = source.replace("Client('1'", "Client('2'")
    assert lint_source(v2, "libs/openstack.py") == []


@pytest.mark.parametrize("imports, client", [
    ("import novaclient.client as novaclient", "novaclient.Client(version='2', session=sess)"),
    ("import novaclient.client", "novaclient.client.Client('2', session=sess)"),
    ("from novaclient.v2 import client", "client.Client(session=sess)"),
])
def test_novaclient_spellings(imports, client):
    source = f"{imports}\n\nnova = {client}\nimages = nova.images.list(detailed=True)\n"
    [finding] = lint_source(source, "c.py")
    assert finding.code == "IMS006" and "`GET /images/detail`" in finding.message


def test_openstacksdk_compute_proxy_image_calls():
    source = ('import openstack\n\nconn = openstack.connect(cloud="otc")\n'
              'names = [i.name for i in conn.compute.images()]\nconn.compute.delete_image("abc")\n'
              'servers = list(conn.compute.servers())\nimages = list(conn.image.images())\n')
    found = [(f.code, f.line, f.evidence.method.value) for f in lint_source(source, "c.py")]
    assert found == [("IMS006", 4, "GET"), ("IMS006", 5, "DELETE")]
    assert lint_source(source.replace('openstack.connect(cloud="otc")', "make()"), "c.py") == []


def test_a_file_that_does_not_parse_says_its_client_calls_are_not_checked():
    source = 'import glanceclient\n\ngc = glanceclient.Client("1")\nprint gc.images.list()\n'
    [finding] = lint_source(source, "c.py")
    assert finding.code == "IMS000" and "client library calls" in finding.message
    assert "client library" not in lint_source('print "/v1/images/detail"\n', "c.py")[0].message


def test_a_client_on_self_counts_only_in_the_class_that_sets_it():
    source = ("import glanceclient\n\n\nclass Registry(object):\n    def __init__(self, sess):\n"
              "        self.glance = glanceclient.Client('1', session=sess)\n\n    def upload(self, name):\n"
              "        return self.glance.images.create(name=name)\n\n\nclass Other(object):\n    def names(self):\n"
              "        return [i.name for i in self.glance.images.list()]\n")
    assert [f.line for f in lint_source(source, "c.py")] == [9]


def test_images_a_v1_client_answered_through_self_and_loops():
    source = ("import glanceclient\n\n\nclass Upload(object):\n    def __init__(self, sess):\n"
              "        glance = glanceclient.Client('1', session=sess)\n        self.image = glance.images.create(name='x')\n\n"
              "    def finish(self, data):\n        self.image.update(data=data)\n\n\n"
              "def clean(sess):\n    gc = glanceclient.Client('1', session=sess)\n    for image in gc.images.list():\n"
              "        image.get()\n        image.delete()\n        print(image.get('name'))\n")
    found = [(f.line, f.evidence.method.value) for f in lint_source(source, "c.py")]
    assert found == [(7, "POST"), (10, "PUT"), (15, "GET"), (16, "HEAD"), (17, "DELETE")]


def test_factories_with_more_than_a_return_and_connection_factories():
    source = ("import glanceclient\nimport openstack\n\n\nclass Base(object):\n    @staticmethod\n"
              "    def glance(ks):\n        endpoint = ks.url_for(service_type='image')\n"
              "        return glanceclient.Client('1', endpoint, token=ks.token)\n\n"
              "    def names(self, ks):\n        return [i.name for i in self.glance(ks).images.list()]\n\n\n"
              "def connection(cloud):\n    return openstack.connect(cloud=cloud)\n\n\n"
              "names = [i.name for i in connection('otc').compute.images()]\n"
              "old = [i.name for i in openstack.connection.from_config(cloud_name='x').compute.images()]\n")
    assert [(f.code, f.line) for f in lint_source(source, "c.py")] == [("IMS005", 12), ("IMS006", 19), ("IMS006", 20)]


@pytest.mark.parametrize("line", [
    "os.environ['OS_IMAGE_API_VERSION'] = '1'", "os.environ.setdefault('OS_IMAGE_API_VERSION', '1')",
])
def test_the_environment_pin_to_image_api_v1(line):
    [finding] = lint_source(f"import os\n\n{line}\n", "c.py")
    assert finding.code == "IMS005" and "OS_IMAGE_API_VERSION" in finding.message
    assert lint_source(f"import os\n\n{line.replace(chr(39) + '1' + chr(39), chr(39) + '2' + chr(39))}\n", "c.py") == []


def test_a_glanceclient_without_version_takes_it_from_the_endpoint():
    source = "import glanceclient\n\ngc = glanceclient.Client(endpoint='http://glance:9292/v1', token='t')\nx = gc.images.list()\n"
    assert [f.code for f in lint_source(source, "c.py")] == ["IMS005"]
    assert lint_source(source.replace(":9292/v1'", ":9292/v2'"), "c.py") == []
    assert lint_source(source.replace(":9292/v1'", ":9292'"), "c.py") == []
