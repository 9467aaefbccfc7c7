"""The embedding model over HTTP: split a call into requests within the vendor's limits, send them
concurrently, reassemble the vectors in input order. A vendor module only says which codec.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx

from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType
from ..codecs import WireRequest
from ..codecs.embeddings._base import RequestLimits, merge_results, plan_chunks
from ..exceptions import AgentRunError, UserError
from ..models._http import ProviderBacked, resolve_provider
from ..providers import Provider
from ._http import WireResponse, send_wire_request
from .base import EmbeddingModel

__all__ = ["DEFAULT_MAX_CONCURRENCY", "HTTPEmbeddingModel"]

DEFAULT_MAX_CONCURRENCY = 4


class HTTPEmbeddingModel(ProviderBacked, EmbeddingModel):
    """An embedding model spoken to by a codec through a provider.

    A vendor's class names its `codec` module and `default_provider`, and the keyword arguments its
    codec takes (`codec_kwargs`). Inputs beyond one request's limits are split (`plan_chunks`), at most
    `max_concurrency` requests are in flight at once, and a failing request fails the call with its
    chunk's index and input range in the message (`error.chunk_index` too); the other requests
    are cancelled.

    `max_batch_size` lowers (or, for a host you know takes more, raises) the inputs per request.
    """

    codec: ClassVar[Any]
    """The codec module (`wireai.codecs.embeddings.<shape>`)."""
    default_provider: ClassVar[str]

    def __init__(
        self,
        model_name: str,
        *,
        provider: str | Provider | None = None,
        settings: EmbeddingSettings | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        max_batch_size: int | None = None,
    ):
        """`provider` is a name (built with `api_key=`/`base_url=`/`http_client=`, as chat models do)
        or a `Provider`; the class's own vendor when omitted."""
        if max_concurrency < 1:
            raise UserError(f"`max_concurrency` must be at least 1, got {max_concurrency}")
        if max_batch_size is not None and max_batch_size < 1:
            raise UserError(f"`max_batch_size` must be at least 1, got {max_batch_size}")
        super().__init__(settings=settings)
        self._model_name = model_name
        self._provider = resolve_provider(
            provider or self.default_provider, api_key=api_key, base_url=base_url, http_client=http_client
        )
        self._max_concurrency = max_concurrency
        self._max_batch_size = max_batch_size
        self._codec_kwargs = self.codec_kwargs()

    # ------------------------------------------------------------------------------ codec hooks

    def codec_kwargs(self) -> dict[str, Any]:
        """Keyword arguments this model passes to every codec function (options, `vertex=`)."""
        return {}

    def build_request(
        self, inputs: Sequence[str], input_type: EmbedInputType, settings: EmbeddingSettings
    ) -> WireRequest:
        return self.codec.build_request(
            inputs, settings, model=self._model_name, input_type=input_type, **self._codec_kwargs
        )

    def parse_response(
        self, response: WireResponse, inputs: Sequence[str], input_type: EmbedInputType
    ) -> EmbeddingResult:
        return self.codec.parse_response(
            response.content,
            model_name=self._model_name,
            inputs=inputs,
            input_type=input_type,
            provider_name=self.system,
            **self._codec_kwargs,
        )

    def concurrency(self, settings: EmbeddingSettings) -> int:
        return self._max_concurrency

    # ------------------------------------------------------------------------------ EmbeddingModel

    def request_limits(self) -> RequestLimits:
        """What one request may carry: the vendor's limits, with `max_batch_size` if given."""
        limits: RequestLimits = self.codec.request_limits(self._model_name, **self._codec_kwargs)
        if self._max_batch_size is not None:
            return RequestLimits(self._max_batch_size, limits.max_tokens)
        return limits

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        texts, merged = self.prepare_embed(inputs, settings)
        if not texts:  # vendors reject an empty input list; there is nothing to ask
            return EmbeddingResult(
                [], inputs=[], input_type=input_type, model_name=self._model_name, provider_name=self.system
            )
        chunks = plan_chunks(texts, self.request_limits())
        if len(chunks) == 1:
            return await self._embed_chunk(texts, input_type, merged)
        results = await self._embed_chunks(chunks, texts, input_type, merged)
        return merge_results(results, texts)

    def encoding_formats(self, settings: EmbeddingSettings) -> list[str]:
        formats = getattr(self.codec, "encoding_formats", None)  # only where requests name one
        return formats(settings, **self._codec_kwargs) if formats is not None else []

    async def max_input_tokens(self) -> int | None:
        return self.codec.max_input_tokens(self._model_name, **self._codec_kwargs)

    async def count_tokens(self, text: str) -> int:
        """Counted by the vendor's tokenizer endpoint, where its codec has one."""
        build = getattr(self.codec, "build_count_tokens_request", None)
        if build is None:
            return await super().count_tokens(text)
        response = await self.request(build(text, model=self._model_name, **self._codec_kwargs))
        return self.codec.parse_count_tokens(response.content, model_name=self._model_name)

    async def request(self, wire: WireRequest) -> WireResponse:
        """Send one request of this model. Every embedding and token-count request goes through here
        (the place to wrap for tracing); none is sent while `ALLOW_MODEL_REQUESTS` is False."""
        from ..models import check_allow_model_requests

        check_allow_model_requests()
        return await send_wire_request(self._provider, wire, model_name=self._model_name)

    # ------------------------------------------------------------------------------ internals

    async def _embed_chunk(
        self, texts: Sequence[str], input_type: EmbedInputType, settings: EmbeddingSettings
    ) -> EmbeddingResult:
        wire = self.build_request(texts, input_type, settings)
        response = await self.request(wire)
        return self.parse_response(response, texts, input_type)

    async def _embed_chunks(
        self, chunks: list[range], texts: list[str], input_type: EmbedInputType, settings: EmbeddingSettings
    ) -> list[EmbeddingResult]:
        """Every chunk's result in chunk order, with at most `concurrency()` requests in flight.

        Workers take the next chunk as they finish one, so a slow request holds up one slot, not a
        whole wave; the first failure cancels the rest.
        """
        results: list[Any] = [None] * len(chunks)
        pending = iter(enumerate(chunks))

        async def worker() -> None:
            for index, chunk in pending:
                try:
                    results[index] = await self._embed_chunk(
                        texts[chunk.start : chunk.stop], input_type, settings
                    )
                except AgentRunError as exc:
                    _name_chunk(exc, index, chunk, len(chunks))
                    raise

        tasks = [asyncio.ensure_future(worker()) for _ in range(min(self.concurrency(settings), len(chunks)))]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return results


def _name_chunk(exc: AgentRunError, index: int, chunk: range, count: int) -> None:
    """Make `exc` say which of the call's requests failed; its type, status, body and cause stay."""
    exc.message = (
        f"embedding chunk {index} of {count} (inputs {chunk.start}-{chunk.stop - 1}) failed: {exc.message}"
    )
    exc.args = (exc.message,)
    exc.chunk_index = index  # type: ignore[attr-defined]
