"""The Gemini Developer API (Generative Language API, `generativelanguage.googleapis.com`)."""

from __future__ import annotations

import httpx

from ..profiles import ModelProfile
from . import Provider, env_key

__all__ = ["GoogleGLAProvider", "gemini_profile"]


def gemini_profile(model_name: str) -> ModelProfile:
    """Gemini models answer in JSON-schema mode natively; tool output stays the default because
    before Gemini 3 a request cannot combine `responseSchema` with function calling."""
    name = model_name.rsplit("/", 1)[-1]
    return ModelProfile(
        supports_json_schema_output=True,
        supports_json_object_output=True,
        extra={"gemini_native_output_with_tools": name.startswith("gemini-3")},
    )


class GoogleGLAProvider(Provider):
    """API key auth (`x-goog-api-key`), key from `api_key=`, `GEMINI_API_KEY` or `GOOGLE_API_KEY`."""

    name = "google-gla"

    def __init__(
        self,
        api_key: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        *,
        max_retries: int | None = None,
    ):
        if max_retries is not None:
            self.max_retries = max_retries
        self._api_key = env_key(api_key, "GEMINI_API_KEY", "GOOGLE_API_KEY", provider="google-gla")
        self._http_client = http_client
        self.base_url = (base_url or "https://generativelanguage.googleapis.com/v1beta").rstrip("/")

    @property
    def headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._api_key or ""}

    def model_profile(self, model_name: str) -> ModelProfile:
        return gemini_profile(model_name)
