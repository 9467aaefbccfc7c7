"""PydanticAI's names for OpenAI's APIs as Amazon Bedrock Mantle serves them.

`BedrockMantleResponsesModel` is the Responses model and `BedrockMantleChatModel` the Chat Completions
model, each with the `bedrock-mantle` provider by default (`providers/bedrock_mantle.py`: which of
Mantle's two surfaces a model is on, SigV4 for `bedrock-mantle`). `bedrock-mantle:<model>` picks
the API the model is served on: Chat Completions for GPT-OSS Safeguard and the open models, the
Responses API for OpenAI's other models.
"""

from __future__ import annotations

from typing import Literal

from ..exceptions import UserError
from ..profiles import ModelProfile
from ..providers import Provider
from ..settings import ModelSettings
from ._http import HTTPModel
from .openai import OpenAIChatModel, OpenAIResponsesModel

__all__ = ["BedrockMantleChatModel", "BedrockMantleResponsesModel", "bedrock_mantle_model", "mantle_api"]


def mantle_api(model_name: str) -> Literal["responses", "chat"]:
    """The API Mantle serves a model on: Chat Completions for GPT-OSS Safeguard (`openai.gpt-oss-safeguard-*`)
    and for models that are not OpenAI's, the Responses API for OpenAI's others."""
    vendor, _, name = model_name.partition(".")
    if vendor == "openai" and not name.startswith("gpt-oss-safeguard"):
        return "responses"
    return "chat"


class BedrockMantleResponsesModel(OpenAIResponsesModel):
    """`BedrockMantleResponsesModel('openai.gpt-5.4')`, configured from the AWS environment."""

    def __init__(
        self,
        model_name: str,
        *,
        provider: str | Provider = "bedrock-mantle",
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        if mantle_api(model_name) == "chat" and model_name.startswith("openai."):
            raise UserError(
                f"{model_name} is served on Bedrock Mantle's Chat Completions API: use BedrockMantleChatModel"
            )
        super().__init__(model_name, provider=provider, settings=settings, profile=profile)


class BedrockMantleChatModel(OpenAIChatModel):
    """`BedrockMantleChatModel('openai.gpt-oss-safeguard-20b')`, configured from the AWS environment."""

    def __init__(
        self,
        model_name: str,
        *,
        provider: str | Provider = "bedrock-mantle",
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
    ):
        super().__init__(model_name, provider=provider, settings=settings, profile=profile)


def bedrock_mantle_model(model_name: str, *, provider: str | Provider = "bedrock-mantle") -> HTTPModel:
    """The model `bedrock-mantle:<model_name>` names, on the API Mantle serves it on."""
    if mantle_api(model_name) == "chat":
        return BedrockMantleChatModel(model_name, provider=provider)
    return BedrockMantleResponsesModel(model_name, provider=provider)
