"""The rate limit per token: past it, 429 with Retry-After; another token is not held back."""

from tests.api.conftest import make_token


def test_past_the_limit_a_token_gets_429_with_retry_after(world, api_client, settings):
    settings.API_RATE_LIMIT = "3/minute"
    _token, secret = make_token(world, world.training_body)
    client = api_client(secret)
    assert [client.get("/api/v1/alerts/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/alerts/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "detail" in response.json()
    _other, other_secret = make_token(world, world.training_body, name="Autre logiciel")
    assert api_client(other_secret).get("/api/v1/alerts/").status_code == 200
