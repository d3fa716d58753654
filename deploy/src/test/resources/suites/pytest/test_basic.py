import os

import pytest


def test_passes():
    assert 1 + 1 == 2


def test_fails():
    assert 1 + 1 == 3


def test_skips():
    pytest.skip("not today")


@pytest.mark.slow
def test_marked_slow():
    assert True


def test_fails_on_first_attempt_only():
    assert os.environ["FLOTILLA_ATTEMPT"] != "1"
