"""Embeddings with PydanticAI's API (`pydantic_ai.embeddings`), every vendor over wireai's transport.

    from wireai import Embedder

    embedder = Embedder('openai:text-embedding-3-small')
    result = await embedder.embed_documents(['first text', 'second text'])
    result['first text']  # its vector (also `result[0]`, `result.embeddings[0]`)

Vendor modules (`wireai.embeddings.openai`, `.cohere`, `.google`, `.bedrock`, `.voyageai`,
`.mistral`) are imported only when a model name with their prefix is resolved, and
`InstrumentedEmbeddingModel` (OpenTelemetry) only when an embedder is instrumented or the name is read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType, merge_embedding_settings
from .._lazy import lazy_exports
from ..exceptions import UserError
from .base import EmbeddingModel
from .test import TestEmbeddingModel
from .wrapper import WrapperEmbeddingModel

if TYPE_CHECKING:
    from ..models.instrumented import InstrumentationSettings
    from .instrumented import InstrumentedEmbeddingModel, instrument_embedding_model

# Imported on first read: they import OpenTelemetry.
_LAZY = {"InstrumentedEmbeddingModel": ".instrumented", "instrument_embedding_model": ".instrumented"}

__all__ = [
    "EmbedInputType",
    "Embedder",
    "EmbeddingModel",
    "EmbeddingResult",
    "EmbeddingSettings",
    "InstrumentedEmbeddingModel",
    "KnownEmbeddingModelName",
    "TestEmbeddingModel",
    "WrapperEmbeddingModel",
    "infer_embedding_model",
    "instrument_embedding_model",
    "merge_embedding_settings",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

KnownEmbeddingModelName = Literal[
    "google-gla:gemini-embedding-001",
    "google-vertex:gemini-embedding-001",
    "google-vertex:text-embedding-005",
    "google-vertex:text-multilingual-embedding-002",
    "openai:text-embedding-ada-002",
    "openai:text-embedding-3-small",
    "openai:text-embedding-3-large",
    "cohere:embed-v4.0",
    "cohere:embed-english-v3.0",
    "cohere:embed-english-light-v3.0",
    "cohere:embed-multilingual-v3.0",
    "cohere:embed-multilingual-light-v3.0",
    "voyageai:voyage-4-large",
    "voyageai:voyage-4",
    "voyageai:voyage-4-lite",
    "voyageai:voyage-3-large",
    "voyageai:voyage-3.5",
    "voyageai:voyage-3.5-lite",
    "voyageai:voyage-code-3",
    "voyageai:voyage-finance-2",
    "voyageai:voyage-law-2",
    "voyageai:voyage-code-2",
    "bedrock:amazon.titan-embed-text-v1",
    "bedrock:amazon.titan-embed-text-v2:0",
    "bedrock:cohere.embed-english-v3",
    "bedrock:cohere.embed-multilingual-v3",
    "bedrock:cohere.embed-v4:0",
    "bedrock:amazon.nova-2-multimodal-embeddings-v1:0",
    "mistral:mistral-embed",
    "mistral:codestral-embed",
]
"""Model names `Embedder` knows (any `'provider:model'` with a known prefix works)."""

_OPENAI = ("wireai.embeddings.openai", "OpenAIEmbeddingModel")
_GOOGLE = ("wireai.embeddings.google", "GoogleEmbeddingModel")
# prefix -> (module, class, provider name): the vendors whose embeddings API is their own. Every
# provider that speaks OpenAI's API is a prefix too (`_route`).
_PREFIXES: dict[str, tuple[str, str, str]] = {
    "cohere": ("wireai.embeddings.cohere", "CohereEmbeddingModel", "cohere"),
    "google": (*_GOOGLE, "google-gla"),
    "google-gla": (*_GOOGLE, "google-gla"),
    "google-vertex": (*_GOOGLE, "google-vertex"),
    "google-cloud": (*_GOOGLE, "google-vertex"),
    "vertexai": (*_GOOGLE, "google-vertex"),
    "bedrock": ("wireai.embeddings.bedrock", "BedrockEmbeddingModel", "bedrock"),
    "voyageai": ("wireai.embeddings.voyageai", "VoyageAIEmbeddingModel", "voyageai"),
    "mistral": ("wireai.embeddings.mistral", "MistralEmbeddingModel", "mistral"),
}


def _route(prefix: str) -> tuple[str, str, str] | None:
    """Where a prefix's embeddings go: its own vendor's model, or `OpenAIEmbeddingModel` for every
    provider of the registry `infer_model` uses that speaks OpenAI's API (OpenAI, Azure and the
    OpenAI-compatible hosts), so that `'together:...'` works as `provider='together'` does.

    Which of those hosts actually serve `/embeddings` is not known here (as in PydanticAI, which
    makes the same assumption): one that does not answers 404, a `ModelHTTPError`. Only the named
    provider's module is imported."""
    if prefix in _PREFIXES:
        return _PREFIXES[prefix]
    from ..providers import infer_provider_class, provider_names
    from ..providers.openai import OpenAIProvider

    if prefix in provider_names() and issubclass(infer_provider_class(prefix), OpenAIProvider):
        return (*_OPENAI, prefix)
    return None


def _known_prefixes() -> str:
    """Every embedding prefix, for error messages (imports every provider module: errors only)."""
    from ..providers import provider_names

    return ", ".join(sorted({*_PREFIXES, *(name for name in provider_names() if _route(name))}))


def _default_provider_factory(name: str) -> Any:
    from ..providers import infer_provider

    return infer_provider(name)


def infer_embedding_model(
    model: EmbeddingModel | KnownEmbeddingModelName | str,
    *,
    provider_factory: Callable[[str], Any] = _default_provider_factory,
) -> EmbeddingModel:
    """An `EmbeddingModel` for a model object or a `'provider:model-name'` string (`'test'` is
    `TestEmbeddingModel`); `provider_factory` builds the provider from its name."""
    if isinstance(model, EmbeddingModel):
        return model
    if not isinstance(model, str):
        raise UserError(
            f"Expected an EmbeddingModel or a 'provider:model' string, got {type(model).__name__}"
        )
    prefix, sep, name = model.partition(":")
    if prefix == "test":
        return TestEmbeddingModel(name or "test")
    if not sep:
        raise UserError(
            f"Write the embedding model as 'provider:model-name' (e.g. 'openai:text-embedding-3-small'), "
            f"not {model!r}; providers: {_known_prefixes()}, test"
        )
    route = _route(prefix)
    if route is None:
        raise UserError(
            f"Unknown embedding provider {prefix!r} in {model!r}; known: {_known_prefixes()}, test"
        )
    module, cls, provider_name = route
    model_cls = getattr(importlib.import_module(module), cls)
    return model_cls(name, provider=provider_factory(provider_name))


class Embedder:
    """Embeds texts with one model: `await embedder.embed_query(...)` / `embed_documents(...)`.

    `model` is an `EmbeddingModel` or a `'provider:model-name'` string, resolved at the first call
    (or now, with `defer_model_check=False`). `settings` are the defaults of every call.
    `instrument` traces every call with OpenTelemetry (`InstrumentationSettings`, or True for the
    defaults; needs the `otel` extra); None follows `Embedder.instrument_all()`.
    """

    _instrument_default: ClassVar[InstrumentationSettings | bool] = False

    def __init__(
        self,
        model: EmbeddingModel | KnownEmbeddingModelName | str,
        *,
        settings: EmbeddingSettings | None = None,
        defer_model_check: bool = True,
        instrument: InstrumentationSettings | bool | None = None,
    ) -> None:
        self._model: EmbeddingModel | str = model if defer_model_check else infer_embedding_model(model)
        self._settings = settings
        self.instrument = instrument
        """OpenTelemetry for this embedder's calls: settings, True (defaults), False, or None: `instrument_all()`'s."""
        self._default_instrumentation: InstrumentationSettings | None = None
        self._last_instrumented: tuple[EmbeddingModel, InstrumentationSettings, EmbeddingModel] | None = None
        self._override_model: ContextVar[EmbeddingModel | None] = ContextVar("_override_model", default=None)

    @staticmethod
    def instrument_all(instrument: InstrumentationSettings | bool = True) -> None:
        """Trace every embedder that was not given `instrument=` itself (False turns it back off)."""
        Embedder._instrument_default = instrument

    @property
    def model(self) -> EmbeddingModel | str:
        return self._model

    @contextmanager
    def override(self, *, model: EmbeddingModel | KnownEmbeddingModelName | str) -> Iterator[None]:
        """Use `model` instead inside the block (for tests: `embedder.override(model=TestEmbeddingModel())`)."""
        token = self._override_model.set(infer_embedding_model(model))
        try:
            yield
        finally:
            self._override_model.reset(token)

    def _get_model(self) -> EmbeddingModel:
        """The model of this call (the override's, if any), instrumented if this embedder is."""
        model = self._override_model.get()
        if model is None:
            if not isinstance(self._model, EmbeddingModel):
                self._model = infer_embedding_model(self._model)
            model = self._model
        instrument = self.instrument if self.instrument is not None else Embedder._instrument_default
        if not instrument:  # the uninstrumented path imports and builds nothing
            return model
        return self._instrumented(model, instrument)

    def _instrumented(
        self, model: EmbeddingModel, instrument: InstrumentationSettings | Literal[True]
    ) -> EmbeddingModel:
        from ..models.instrumented import InstrumentationSettings
        from .instrumented import instrument_embedding_model

        if not isinstance(instrument, InstrumentationSettings):  # True: this embedder's defaults, made once
            if self._default_instrumentation is None:
                self._default_instrumentation = InstrumentationSettings()
            instrument = self._default_instrumentation
        last = self._last_instrumented  # the same model and settings as last call: the same wrapper
        if last is not None and last[0] is model and last[1] is instrument:
            return last[2]
        instrumented = instrument_embedding_model(model, instrument)
        self._last_instrumented = (model, instrument, instrumented)
        return instrumented

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        """Embed `inputs` (one string or several) as queries or documents."""
        merged = merge_embedding_settings(self._settings, settings)
        return await self._get_model().embed(inputs, input_type=input_type, settings=merged)

    async def embed_query(
        self, query: str | Sequence[str], *, settings: EmbeddingSettings | None = None
    ) -> EmbeddingResult:
        """Embed search queries (compared against documents embedded with `embed_documents`)."""
        return await self.embed(query, input_type="query", settings=settings)

    async def embed_documents(
        self, documents: str | Sequence[str], *, settings: EmbeddingSettings | None = None
    ) -> EmbeddingResult:
        """Embed the documents to be searched."""
        return await self.embed(documents, input_type="document", settings=settings)

    async def max_input_tokens(self) -> int | None:
        """The most tokens one input may have, where the vendor documents it."""
        return await self._get_model().max_input_tokens()

    async def count_tokens(self, text: str) -> int:
        """`text`'s tokens as the model's vendor counts them (`NotImplementedError` where it cannot)."""
        return await self._get_model().count_tokens(text)

    def embed_sync(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        from .._sync import run_sync

        return run_sync(self.embed(inputs, input_type=input_type, settings=settings))

    def embed_query_sync(
        self, query: str | Sequence[str], *, settings: EmbeddingSettings | None = None
    ) -> EmbeddingResult:
        return self.embed_sync(query, input_type="query", settings=settings)

    def embed_documents_sync(
        self, documents: str | Sequence[str], *, settings: EmbeddingSettings | None = None
    ) -> EmbeddingResult:
        return self.embed_sync(documents, input_type="document", settings=settings)

    def max_input_tokens_sync(self) -> int | None:
        from .._sync import run_sync

        return run_sync(self.max_input_tokens())

    def count_tokens_sync(self, text: str) -> int:
        from .._sync import run_sync

        return run_sync(self.count_tokens(text))

    def __repr__(self) -> str:
        model = self._model.model_name if isinstance(self._model, EmbeddingModel) else self._model
        return f"Embedder(model={model!r})"
