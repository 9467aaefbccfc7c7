"""Crusoe Managed Inference: OpenAI chat at `https://api.inference.crusoecloud.com/v1`.

Crusoe serves every model with guided decoding, so `response_format` (JSON schema or JSON object)
works whatever the family's own profile says.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .compatible import OpenAICompatibleProvider

__all__ = ["CrusoeProvider"]


class CrusoeProvider(OpenAICompatibleProvider):
    name = "crusoe"
    default_base_url: ClassVar[str] = "https://api.inference.crusoecloud.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("CRUSOE_API_KEY",)
    profile_changes: ClassVar[dict[str, Any]] = {
        "supports_json_schema_output": True,
        "supports_json_object_output": True,
    }
