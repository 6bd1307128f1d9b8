"""Create, read, delete and page through articles, on each backend."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient


def create(client: TestClient, title: str = "Hello", body: str = "text", **extra: Any) -> Any:
    response = client.post("/api/articles", json={"title": title, "body": body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_the_stored_article(client: TestClient) -> None:
    response = client.post(
        "/api/articles",
        json={"title": "  Hello ECS  ", "body": "Fargate\nruns it.", "tags": ["AWS", "ecs", "aws"]},
    )
    assert response.status_code == 201
    article = response.json()
    assert set(article) == {"id", "title", "body", "tags", "created_at"}
    assert article["title"] == "Hello ECS"
    assert article["body"] == "Fargate\nruns it."
    assert article["tags"] == ["aws", "ecs"]
    assert article["created_at"].endswith("Z") or article["created_at"].endswith("+00:00")
    assert response.headers["location"] == f"/api/articles/{article['id']}"
    assert client.get(f"/api/articles/{article['id']}").json() == article


def test_body_and_tags_are_optional(client: TestClient) -> None:
    response = client.post("/api/articles", json={"title": "Only a title"})
    assert response.status_code == 201
    assert response.json()["body"] == ""
    assert response.json()["tags"] == []


def test_limits_are_inclusive(client: TestClient) -> None:
    article = create(client, "t" * 200, "é" * (100 * 1024 // 2), tags=[f"t{i}" for i in range(20)])
    assert len(article["title"]) == 200
    assert len(article["tags"]) == 20


def test_get_and_delete_unknown_ids_are_404(client: TestClient) -> None:
    for path in (
        "/api/articles/999999",
        "/api/articles/0",
        "/api/articles/abc",
        "/api/articles/99999999999999999999999",
    ):
        for method in ("GET", "DELETE"):
            response = client.request(method, path)
            assert response.status_code == 404, (method, path)
            assert response.json()["error"]["code"] == "not_found"


def test_delete_removes_the_article_everywhere(client: TestClient) -> None:
    article = create(client, "Ephemeral zebra", "gone soon")
    assert client.delete(f"/api/articles/{article['id']}").status_code == 204
    assert client.get(f"/api/articles/{article['id']}").status_code == 404
    assert client.delete(f"/api/articles/{article['id']}").status_code == 404
    assert client.get("/api/search", params={"q": "zebra"}).json()["items"] == []
    assert client.get("/api/articles").json()["items"] == []


def test_pagination_walks_every_article_once_newest_first(client: TestClient) -> None:
    ids = [create(client, f"Article {i}")["id"] for i in range(7)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/articles", params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    assert pages == 3


def test_pagination_is_stable_when_articles_are_added_meanwhile(client: TestClient) -> None:
    first_ids = [create(client, f"Old {i}")["id"] for i in range(4)]
    page = client.get("/api/articles", params={"limit": 2}).json()
    create(client, "Newer than the cursor")
    rest = client.get("/api/articles", params={"limit": 10, "cursor": page["next_cursor"]}).json()
    assert [i["id"] for i in rest["items"]] == list(reversed(first_ids[:2]))
    assert rest["next_cursor"] is None


def test_an_exact_last_page_has_no_cursor(client: TestClient) -> None:
    for i in range(2):
        create(client, f"A{i}")
    assert client.get("/api/articles", params={"limit": 2}).json()["next_cursor"] is None


def test_bad_page_parameters_are_422_with_the_field(client: TestClient) -> None:
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJ2IjogMn0"}, "cursor"),  # {"v": 2}
        ({"cursor": "x" * 201}, "cursor"),
    ):
        response = client.get("/api/articles", params=params)
        assert response.status_code == 422, params
        fields = [f["field"] for f in response.json()["error"]["details"]["fields"]]
        assert fields == [field], params
