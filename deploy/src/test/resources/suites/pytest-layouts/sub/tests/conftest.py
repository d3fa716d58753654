import pytest


def pytest_collection_modifyitems(items):
    # As some projects do: the node ids pytest reports are no longer paths that select the test.
    for item in items:
        if item.name == "test_renamed":
            item._nodeid = item.nodeid.replace("test_renamed", "renamed by conftest")


@pytest.fixture
def broken_setup():
    raise RuntimeError("setup fails")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown fails")
