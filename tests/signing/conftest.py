import pytest


@pytest.fixture(scope="session")
def plain_pdf():
    from weasyprint import HTML

    return HTML(string="<h1>Quyết định</h1><p>Hồ sơ bảo vệ — thử nghiệm.</p>").write_pdf()


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory):
    """A second demo CA: a real, well-formed signature that we must not trust."""
    from signing import keys

    directory = tmp_path_factory.mktemp("other-ca")
    keys.create_demo(directory, organisation="Someone else")
    return directory
