import pytest


def test_passes():
    pass


def test_fails():
    assert 1 == 2


def test_renamed():
    pass


@pytest.mark.parametrize("value", [1, 2, 3], ids=["with space", "[bracket]", "ünïcode"])
def test_odd_ids(value):
    assert value != 2


@pytest.mark.xfail(reason="known bug")
def test_xfails():
    assert False


@pytest.mark.xfail(reason="fixed since")
def test_xpasses():
    pass


@pytest.mark.xfail(strict=True, reason="must fail")
def test_xpasses_strictly():
    pass


def test_setup_error(broken_setup):
    pass


def test_teardown_error(broken_teardown):
    pass


@pytest.mark.skip(reason="not here")
def test_skipped():
    pass


class TestGroup:
    def test_in_class(self):
        pass
