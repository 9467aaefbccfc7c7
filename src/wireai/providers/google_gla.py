"""The Gemini Developer API (Generative Language API, `generativelanguage.googleapis.com`)."""

from __future__ import annotations

import httpx

from ..profiles import ModelProfile
from . import Provider, env_key

__all__ = ["GoogleGLAProvider", "gemini_profile"]


def gemini_profile(model_name: str) -> ModelProfile:
    """What a Gemini model can do, by its name (the codec reads these; see codecs/gemini):

    - tool output stays the default because before Gemini 3 a request cannot combine
      `responseSchema` with function calling, nor function tools with native tools;
    - thinking is a token budget on Gemini 2.5 and a level on Gemini 3; Pro models always think;
      1.x/2.0 and Gemma models do not think;
    - image models (`...-image...`) answer with images; Gemini 3 takes images and PDFs inside a
      function response.
    """
    name = model_name.rsplit("/", 1)[-1]
    gemini_3 = name.startswith("gemini-3")
    image = "image" in name
    extra: dict[str, object] = {
        "gemini_native_output_with_tools": gemini_3,
        "gemini_tool_combination": gemini_3,
        "gemini_tool_return_parts": gemini_3 and not image,
    }
    if gemini_3:
        extra["gemini_thinking"] = "level"
    elif name.startswith("gemini-2.5") and not image:
        extra["gemini_thinking"] = "budget"
    elif name.startswith(("gemini-1", "gemini-2", "gemma")):
        extra["gemini_thinking"] = "none"
    if "pro" in name and "flash" not in name and extra.get("gemini_thinking") in ("level", "budget"):
        extra["gemini_thinking_always_on"] = True
    return ModelProfile(
        supports_json_schema_output=True,
        supports_json_object_output=True,
        supports_image_output=image,
        extra=extra,
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
