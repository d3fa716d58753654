import os

import pytest


def test_passes():
    print("test_passes printed this")
    assert 1 + 1 == 2


def test_fails():
    print("test_fails printed this")
    assert 1 + 1 == 3


def test_skips():
    pytest.skip("not today")


@pytest.mark.slow
def test_marked_slow():
    assert True


def test_fails_on_first_attempt_only():
    assert os.environ["FLOTILLA_ATTEMPT"] != "1"
