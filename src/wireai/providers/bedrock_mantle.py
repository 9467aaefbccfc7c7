"""Amazon Bedrock Mantle: the OpenAI Responses (and Chat Completions) API that Bedrock serves.

The host is `https://bedrock-mantle.{region}.api.aws`, and it serves two sibling surfaces (AWS's
"Responses API on the bedrock-mantle endpoint" reference): `/openai/v1` for OpenAI's GPT-5.x models
(`openai.gpt-5.4`, ...), `/v1` for the others (`openai.gpt-oss-120b` and the open models), whose
Chat Completions are at `/v1/chat/completions` too; a model on the wrong one is refused, so the
endpoint is picked per request from the model id. `base_url=` may name either surface (or the bare
origin): its origin is kept.

As whom, first match wins (as `BedrockProvider`): `api_key=` (a Bedrock API key, bearer), AWS keys
(`aws_access_key_id=`...), `AWS_BEARER_TOKEN_BEDROCK`, then botocore's credential chain
(`profile_name=`/`AWS_PROFILE`, SSO, roles); requests are SigV4-signed for service `bedrock-mantle`.
The region comes from `region_name=`, `AWS_REGION`/`AWS_DEFAULT_REGION` or the AWS profile.

What differs from OpenAI's API is the profile's: no image output and none of OpenAI's native tools
(Bedrock's server-side tools are its own), and, on `/openai/v1`, function call ids that repeat in every
response (`call_0`...), which the Responses codec qualifies with the response id.
"""

from __future__ import annotations

from typing import Any

from ..profiles import ModelProfile, merge_extra
from . import Endpoint
from .bedrock import AwsProvider
from .families import compatible_profile
from .openai import openai_model_profile

__all__ = ["BedrockMantleProvider", "mantle_surface"]

_SURFACES = ("/openai/v1", "/v1")


def mantle_surface(model_name: str) -> str:
    """`/openai/v1` for OpenAI's GPT models other than gpt-oss, `/v1` for every other model."""
    vendor, _, name = model_name.partition(".")
    if vendor == "openai" and name.startswith("gpt") and not name.startswith("gpt-oss"):
        return "/openai/v1"
    return "/v1"


class BedrockMantleProvider(AwsProvider):
    """`OpenAIResponsesModel('openai.gpt-5.4', provider=BedrockMantleProvider(region_name='us-east-1'))`."""

    name = "bedrock-mantle"
    signing_name = "bedrock-mantle"

    def _configure(self, **kwargs: Any) -> None:
        super()._configure(**kwargs)
        origin = self.base_url
        for surface in _SURFACES:  # whichever surface `base_url=` named, its origin serves both
            origin = origin.removesuffix(surface)
        self.origin = origin
        self.base_url = origin + _SURFACES[0]

    def regional_base_url(self, region: str) -> str:
        return f"https://bedrock-mantle.{region}.api.aws"

    def endpoint(self, path: str, model_name: str) -> Endpoint:
        return Endpoint(f"{self.origin}{mantle_surface(model_name)}/{path.lstrip('/')}")

    def model_profile(self, model_name: str) -> ModelProfile | None:
        name = model_name.partition(".")[2] or model_name
        profile = compatible_profile(
            name, fallback=openai_model_profile, changes={"supports_image_output": False}
        )
        extra: dict[str, Any] = {"openai_native_tools": ()}
        if mantle_surface(model_name) == "/openai/v1":
            extra["openai_responses_scoped_call_ids"] = True
        return profile.update(extra=merge_extra(profile.extra, extra))
