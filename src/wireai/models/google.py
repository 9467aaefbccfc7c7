"""PydanticAI V1+ spelling: `from wireai.models.google import GoogleModel`."""

from .gemini import GeminiModel, GeminiModelName, GeminiModelSettings, GoogleModel, GoogleModelSettings

GoogleModelName = GeminiModelName

__all__ = [
    "GeminiModel",
    "GeminiModelName",
    "GeminiModelSettings",
    "GoogleModel",
    "GoogleModelName",
    "GoogleModelSettings",
]
