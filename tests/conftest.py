import pytest

from ims_server import ImsServer


@pytest.fixture(scope="session")
def ims_server():
    """The fake IMS server, started once per test session."""
    with ImsServer() as server:
        yield server


@pytest.fixture
def ims(ims_server):
    """The session's fake IMS server with its data set restored and log cleared."""
    ims_server.reset()
    return ims_server
