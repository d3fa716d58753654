def test_in_package():
    pass


def test_fails_in_package():
    assert "package" == "module"
