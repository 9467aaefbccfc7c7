"""Claude on Vertex AI through Anthropic's Messages API (the `anthropic` publisher's rawPredict).

Where and as whom are Vertex's (`GoogleVertexProvider` with `model_publisher='anthropic'`: Google
OAuth2 tokens from google-auth, loaded at the first request). The project comes from `project_id=`,
`ANTHROPIC_VERTEX_PROJECT_ID` or `GOOGLE_CLOUD_PROJECT`, else the credentials'; the region from
`region=`, `CLOUD_ML_REGION` or `GOOGLE_CLOUD_LOCATION`, else `global` (Claude is not served in every
region; the global endpoint serves the current models). The profile names the `vertex` variant of the
Messages codec: `POST models/{model}:rawPredict` / `:streamRawPredict` with
`anthropic_version: vertex-2023-10-16` and no `model` in the body. Model names are Vertex's
(`claude-sonnet-4-5@20250929`).
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from ..profiles import ModelProfile
from .anthropic import claude_profile
from .google_vertex import GoogleVertexProvider, VertexAiRegion

__all__ = ["AnthropicVertexProvider"]


class AnthropicVertexProvider(GoogleVertexProvider):
    """`AnthropicModel('claude-sonnet-4-5@20250929', provider=AnthropicVertexProvider(project_id=..., region=...))`."""

    name = "anthropic-vertex"

    def __init__(
        self,
        *,
        project_id: str | None = None,
        region: VertexAiRegion | str | None = None,
        credentials: Any = None,
        service_account_file: str | None = None,
        service_account_info: dict[str, Any] | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int | None = None,
    ):
        super().__init__(
            service_account_file,
            project_id
            or os.environ.get("ANTHROPIC_VERTEX_PROJECT_ID")
            or os.environ.get("GOOGLE_CLOUD_PROJECT"),
            region
            or os.environ.get("CLOUD_ML_REGION")
            or os.environ.get("GOOGLE_CLOUD_LOCATION")
            or "global",
            "anthropic",
            http_client,
            service_account_info=service_account_info,
            credentials=credentials,
            base_url=base_url,
            max_retries=max_retries,
        )

    def model_profile(self, model_name: str) -> ModelProfile:
        return claude_profile(model_name, "vertex")
