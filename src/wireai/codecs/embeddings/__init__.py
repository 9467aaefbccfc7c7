"""Sans-I/O embedding codecs, one module per wire shape: `openai` (also Azure, Mistral, Voyage and
every OpenAI-compatible host), `cohere`, `gemini` (Gemini API and Vertex AI), `bedrock`.

Every module has the same functions, and none of them does I/O or imports httpx/anyio:

- `request_limits(model) -> RequestLimits`: inputs (and estimated tokens) one request may carry;
- `build_request(inputs, settings=None, *, model, input_type) -> WireRequest`: one request for
  inputs within those limits (`WireRequest.content()` is the exact body; the path is relative to
  the provider's base URL);
- `parse_response(body, *, model_name=None, inputs, input_type, provider_name=None) -> EmbeddingResult`:
  the vectors in input order, checked against the inputs, or `UnexpectedModelBehavior`;
- `max_input_tokens(model) -> int | None`;
- where the request names the vectors' encoding (`openai`, `cohere`): `encoding_formats(settings)
  -> list[str]`, the formats it asks for (OpenTelemetry's `gen_ai.request.encoding_formats`).

A large call is `plan_chunks(inputs, request_limits(model))`, one request per chunk (concurrently,
in any order), then `merge_results(results, inputs)`.
"""

from ..._embedding_types import EmbeddingResult, EmbeddingSettings, EmbedInputType
from ._base import RequestLimits, estimate_tokens, merge_results, plan_chunks

__all__ = [
    "EmbedInputType",
    "EmbeddingResult",
    "EmbeddingSettings",
    "RequestLimits",
    "estimate_tokens",
    "merge_results",
    "plan_chunks",
]
