import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/teams/interactions/new/?from=%00", "/api/v1/teams/?stream=a%00b"])
def test_nul_in_a_query_parameter_is_a_400_naming_it(client, staff_user, url):
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content
