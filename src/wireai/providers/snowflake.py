"""Snowflake Cortex: OpenAI chat at `https://<account>.snowflakecomputing.com/api/v2/cortex/v1`.

The account comes from `account=` or `SNOWFLAKE_ACCOUNT`, the bearer token (a programmatic access
token, OAuth token or key-pair JWT) from `token=` or `SNOWFLAKE_TOKEN`. Cortex names models bare
(`claude-sonnet-4-5`, `openai-gpt-4.1`, `llama3.3-70b`, `snowflake-llama-3.3-70b`, `mistral-large2`,
`deepseek-r1`); it accepts `tools` and `response_format` for the OpenAI and Claude models only
(`tools` is an error for the others, `response_format` silently ignored), takes no `strict`, and
Claude there knows `json_schema` but not `json_object`.

Claude's thinking is asked for with `reasoning: {effort}` (the portable `thinking` setting, or
`snowflake_reasoning` as given) and only at temperature 1, which is sent unless the settings set
one; it comes back in `reasoning_details` (text and signature), goes back the same way on the next
turn, and Claude's answers carry `finish_reason: ""`. All of that is the chat codec's data, set here.
"""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar

import httpx

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..transport.pacing import Pacing
from .compatible import OpenAICompatibleProvider
from .families import compatible_profile, split_model_name

__all__ = ["SnowflakeProvider"]

_ACCOUNT = re.compile(r"[A-Za-z0-9._-]+")

# How Cortex serves Claude over Chat Completions (the chat codec's `ChatOptions`).
_CLAUDE_CHAT = {
    "reasoning_details": True,
    "reasoning_provider": "snowflake",
    "blank_finish_reason": True,
    "thinking": "cortex",
    "thinking_temperature": 1,
}


class SnowflakeProvider(OpenAICompatibleProvider):
    name = "snowflake"
    default_base_url: ClassVar[str] = ""  # per account: see `account_base_url`
    api_key_env: ClassVar[tuple[str, ...]] = ("SNOWFLAKE_TOKEN",)

    def __init__(
        self,
        *,
        account: str | None = None,
        token: str | None = None,
        base_url: str | None = None,
        openai_client: Any = None,
        http_client: httpx.AsyncClient | None = None,
        api_key: str | None = None,
        max_retries: int | None = None,
        pacing: bool | Pacing = False,
    ):
        if token and api_key and token != api_key:
            raise UserError("Pass the Snowflake token once, as `token=`")
        self._account = account
        super().__init__(
            base_url, token or api_key, openai_client, http_client, max_retries=max_retries, pacing=pacing
        )

    def resolve_base_url(self, base_url: str | None) -> str | None:
        return base_url or account_base_url(self._account or os.environ.get("SNOWFLAKE_ACCOUNT"))

    def model_profile(self, model_name: str) -> ModelProfile | None:
        _, name = split_model_name(model_name)
        # No `strict`, no service tiers (the portable `service_tier` is not sent, as on the other hosts).
        chat: dict[str, Any] = {
            "supports_strict": False,
            "service_tiers": {},
            "setting_fields": {"snowflake_reasoning": "reasoning"},
        }
        if name.startswith("claude"):
            changes: dict[str, Any] = {
                "supports_json_schema_output": True,
                "supports_json_object_output": False,
            }
            chat.update(_CLAUDE_CHAT)
        elif name.startswith("openai-"):
            changes = {}
        else:
            changes = {
                "supports_tools": False,
                "supports_json_schema_output": False,
                "supports_json_object_output": False,
                "default_structured_output_mode": "prompted",
            }
        return compatible_profile(model_name, changes=changes, chat=chat)


def account_base_url(account: str | None) -> str:
    """The Cortex REST base of an account identifier (`myorg-myaccount`, with or without its hostname)."""
    if not account:
        raise UserError(
            "Set the `SNOWFLAKE_ACCOUNT` environment variable or pass `account=` (or `base_url=`) "
            "to use the snowflake provider"
        )
    bare = account.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    bare = bare.removesuffix(".snowflakecomputing.com")
    # A value such as `evil.example/x` must not send the token to another host.
    if not _ACCOUNT.fullmatch(bare):
        raise UserError(
            f"Invalid Snowflake account identifier {account!r}: pass one like `myorg-myaccount`, "
            "or `base_url=` for a custom endpoint"
        )
    return f"https://{bare}.snowflakecomputing.com/api/v2/cortex/v1"
