"""Vertex AI (`{region}-aiplatform.googleapis.com`), with Google OAuth2 tokens from google-auth.

Construction does no I/O: the credentials (service-account file or `google.auth.default()`) are
loaded at the first request, in a worker thread, by `transport.google_auth.GoogleAuth`. When the
project is only known from the credentials, the URL carries a placeholder that the auth flow fills.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

from ..profiles import ModelProfile
from ..transport.google_auth import PROJECT_PLACEHOLDER, GoogleAuth
from . import Provider
from .google_gla import gemini_profile

__all__ = ["GoogleVertexProvider", "VertexAiRegion", "vertex_profile"]

VertexAiRegion = Literal[
    "global", "us", "eu", "africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2",
    "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1",
    "australia-southeast2", "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west2",
    "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west12",
    "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2",
    "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
    "us-west1", "us-west2", "us-west3", "us-west4",
]  # fmt: skip


def vertex_host(region: str) -> str:
    """`global` has no regional prefix; `us`/`eu` multi-regions live on `aiplatform.{us,eu}.rep`."""
    if region == "global":
        return "https://aiplatform.googleapis.com"
    if region in ("us", "eu"):
        return f"https://aiplatform.{region}.rep.googleapis.com"
    return f"https://{region}-aiplatform.googleapis.com"


def vertex_profile(model_name: str) -> ModelProfile:
    """Vertex's v1 protos have no function-call ids and alone take `labels` (see `codecs/gemini/__init__.py`)."""
    profile = gemini_profile(model_name)
    return profile.update(extra={**profile.extra, "gemini_vertex": True})


class GoogleVertexProvider(Provider):
    name = "google-vertex"

    def __init__(
        self,
        service_account_file: str | None = None,
        project_id: str | None = None,
        region: VertexAiRegion | str = "us-central1",
        model_publisher: str = "google",
        http_client: httpx.AsyncClient | None = None,
        *,
        service_account_info: dict[str, Any] | None = None,
        credentials: Any = None,
        base_url: str | None = None,
        max_retries: int | None = None,
    ):
        if max_retries is not None:
            self.max_retries = max_retries
        self.region = region
        self.model_publisher = model_publisher
        self._http_client = http_client
        self._base_url = base_url.rstrip("/") if base_url else None
        self._auth = GoogleAuth(
            credentials=credentials,
            service_account_file=service_account_file,
            service_account_info=service_account_info,
            project_id=project_id,
        )
        if service_account_info is not None:
            # Known without I/O: conflicts surface now rather than at the first request.
            self._auth.set_project(service_account_info.get("project_id"))
        elif credentials is not None:
            found = getattr(credentials, "project_id", None) or getattr(credentials, "quota_project_id", None)
            self._auth.set_project(found if isinstance(found, str) else None)

    @property
    def project_id(self) -> str | None:
        return self._auth.project_id

    @property
    def base_url(self) -> str:  # type: ignore[override]
        if self._base_url is not None:
            return self._base_url
        project = self._auth.project_id or PROJECT_PLACEHOLDER
        return f"{vertex_host(self.region)}/v1/projects/{project}/locations/{self.region}/publishers/{self.model_publisher}"

    @property
    def auth(self) -> httpx.Auth:
        return self._auth

    def model_profile(self, model_name: str) -> ModelProfile:
        return vertex_profile(model_name)

    def __repr__(self) -> str:
        return f"GoogleVertexProvider(project_id={self.project_id!r}, region={self.region!r})"
