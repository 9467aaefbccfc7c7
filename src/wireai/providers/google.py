"""PydanticAI V2's single Google provider: the Gemini API, or Vertex AI, chosen by its arguments.

`GoogleProvider(api_key=...)` is the Gemini Developer API (as `GoogleGLAProvider`).
`GoogleProvider(vertexai=True, project=..., location=..., credentials=...)` is Vertex AI with Google
credentials (as `GoogleVertexProvider`); giving `project`, `location` or `credentials` implies
`vertexai=True`. `GoogleProvider(vertexai=True)` with an API key and no project is Vertex AI express
mode: `https://aiplatform.googleapis.com/v1/publishers/google/models/...` with the key.

As in PydanticAI, the key is `api_key=`, else `GOOGLE_API_KEY`, else `GEMINI_API_KEY`; the project
`GOOGLE_CLOUD_PROJECT` (or the credentials'); the location `GOOGLE_CLOUD_LOCATION`, else `us-central1`.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.http import RetryPolicy
from . import Provider
from .google_gla import GoogleGLAProvider
from .google_vertex import GoogleVertexProvider, VertexAiRegion, vertex_profile

__all__ = ["GoogleProvider", "VertexAILocation"]

VertexAILocation = VertexAiRegion

EXPRESS_BASE_URL = "https://aiplatform.googleapis.com/v1/publishers/google"


class GoogleProvider(Provider):
    """One of the two Google APIs behind one class; `name` says which (`google-gla` or `google-vertex`)."""

    name = "google-gla"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        credentials: Any = None,
        project: str | None = None,
        location: VertexAILocation | Literal["global"] | str | None = None,
        vertexai: bool | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        max_retries: int | None = None,
    ):
        cloud = bool(project or location or credentials)
        if vertexai is None:
            vertexai = cloud
        elif not vertexai and cloud:
            raise UserError("`project`, `location` and `credentials` are for Vertex AI: pass `vertexai=True`")
        if api_key and cloud:
            raise UserError(
                "Pass either `api_key=` (Gemini API, or Vertex AI express mode) or "
                "`project`/`location`/`credentials` (Vertex AI), not both"
            )
        key = (
            None
            if cloud
            else (api_key or os.environ.get("GOOGLE_API_KEY") or os.environ.get("GEMINI_API_KEY"))
        )
        inner: Provider
        if not vertexai:
            if not key:
                raise UserError(
                    "Set the `GOOGLE_API_KEY` (or `GEMINI_API_KEY`) environment variable or pass `api_key=` "
                    "to use the Gemini API, or pass `vertexai=True` for Vertex AI"
                )
            inner = GoogleGLAProvider(api_key=key, http_client=http_client, base_url=base_url)
        elif key:  # express mode: no project or location in the URL
            inner = GoogleGLAProvider(
                api_key=key, http_client=http_client, base_url=base_url or EXPRESS_BASE_URL
            )
        else:
            inner = GoogleVertexProvider(
                project_id=project or os.environ.get("GOOGLE_CLOUD_PROJECT") or None,
                region=location or os.environ.get("GOOGLE_CLOUD_LOCATION") or "us-central1",
                credentials=credentials,
                http_client=http_client,
                base_url=base_url,
            )
        if max_retries is not None:
            inner.max_retries = max_retries
        self._inner = inner
        self.name = "google-vertex" if vertexai else "google-gla"

    @property
    def base_url(self) -> str:  # type: ignore[override]
        return self._inner.base_url

    @property
    def client(self) -> httpx.AsyncClient:
        return self._inner.client

    @property
    def headers(self) -> dict[str, str]:
        return self._inner.headers

    @property
    def auth(self) -> httpx.Auth | None:
        return self._inner.auth

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._inner.retry_policy

    def model_profile(self, model_name: str) -> ModelProfile | None:
        if self.name == "google-vertex":  # express mode too: Vertex's body flavour, whatever the auth
            return vertex_profile(model_name)
        return self._inner.model_profile(model_name)

    def __repr__(self) -> str:
        return f"GoogleProvider(name={self.name!r}, base_url={self.base_url!r})"
