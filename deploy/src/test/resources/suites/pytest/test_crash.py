import ctypes


def test_crashes():
    ctypes.string_at(0)
