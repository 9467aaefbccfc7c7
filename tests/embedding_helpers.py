"""Helpers shared by the embedding tests: a vendor's model pointed at a loopback server, and its parser."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from wireai.codecs.embeddings import bedrock, cohere, gemini, openai
from wireai.embeddings.base import EmbeddingModel
from wireai.testing import FakeGoogleCredentials

VERTEX_BASE = "/v1/projects/fake-project/locations/us-central1/publishers/google"
# fixture folder -> the fake's provider name (whose `inputs_of` reads a request's inputs)
FAKE_NAMES = {"openai": "openai", "azure": "azure", "mistral": "mistral", "voyageai": "voyageai", "cohere": "cohere",
              "gemini": "google-gla", "vertex": "google-vertex", "bedrock": "bedrock"}  # fmt: skip


def model_for(vendor: str, url: str, name: str, *, retries: int = 2) -> EmbeddingModel:
    """The vendor's embedding model pointed at the replay server, with the fixtures' test key."""
    if vendor in ("openai", "azure"):
        from wireai.embeddings.openai import OpenAIEmbeddingModel

        if vendor == "azure":
            from wireai.providers.azure import AzureProvider

            provider: Any = AzureProvider(
                azure_endpoint=url, api_version="2024-10-21", api_key="test-key", max_retries=retries
            )
        else:
            from wireai.providers.openai import OpenAIProvider

            provider = OpenAIProvider(base_url=f"{url}/v1", api_key="test-key", max_retries=retries)
        return OpenAIEmbeddingModel(name, provider=provider)
    if vendor == "mistral":
        from wireai.embeddings.mistral import MistralEmbeddingModel
        from wireai.providers.mistral import MistralProvider

        return MistralEmbeddingModel(
            name, provider=MistralProvider(base_url=url, api_key="test-key", max_retries=retries)
        )
    if vendor == "voyageai":
        from wireai.embeddings.voyageai import VoyageAIEmbeddingModel
        from wireai.providers.voyageai import VoyageAIProvider

        provider = VoyageAIProvider(base_url=f"{url}/v1", api_key="test-key", max_retries=retries)
        return VoyageAIEmbeddingModel(name, provider=provider)
    if vendor == "cohere":
        from wireai.embeddings.cohere import CohereEmbeddingModel
        from wireai.providers.cohere import CohereProvider

        return CohereEmbeddingModel(
            name, provider=CohereProvider(base_url=url, api_key="test-key", max_retries=retries)
        )
    if vendor in ("gemini", "vertex"):
        from wireai.embeddings.google import GoogleEmbeddingModel

        if vendor == "vertex":
            from wireai.providers.google_vertex import GoogleVertexProvider

            provider = GoogleVertexProvider(
                credentials=FakeGoogleCredentials(), base_url=url + VERTEX_BASE, max_retries=retries
            )
        else:
            from wireai.providers.google_gla import GoogleGLAProvider

            provider = GoogleGLAProvider(api_key="test-key", base_url=f"{url}/v1beta", max_retries=retries)
        return GoogleEmbeddingModel(name, provider=provider)
    from wireai.embeddings.bedrock import BedrockEmbeddingModel
    from wireai.providers.bedrock import BedrockProvider

    provider = BedrockProvider(api_key="test-key", region_name="us-east-1", base_url=url, max_retries=retries)
    return BedrockEmbeddingModel(name, provider=provider)


def parser_for(vendor: str, headers: dict[str, str]) -> Callable[..., Any]:
    """The codec's `parse_response` for a fixture folder, with the options its model would pass."""
    if vendor in ("openai", "azure", "mistral", "voyageai"):
        options = {
            "openai": openai.OPENAI,
            "azure": openai.AZURE,
            "mistral": openai.MISTRAL,
            "voyageai": openai.VOYAGE,
        }
        return partial(openai.parse_response, options=options[vendor])
    if vendor == "cohere":
        return cohere.parse_response
    if vendor in ("gemini", "vertex"):
        return partial(gemini.parse_response, vertex=vendor == "vertex")
    return partial(bedrock.parse_response, headers=headers)
