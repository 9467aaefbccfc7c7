"""What every vendor's batch API does, and which one a model uses.

Each vendor module (`openai.py`, `anthropic.py`, `gemini.py`, `mistral.py`) has its sans-I/O
request builders and parsers as plain functions, and one `BatchAPI` subclass that strings them
together with I/O: submit one vendor batch, find one after a crash, poll, cancel, read results.
Splitting, the store, polling and turning result lines into `BatchResult`s are shared (`job.py`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..codecs._base import WireRequest, obj, text
from ..exceptions import UnexpectedModelBehavior, UserError
from ..models import Model
from ..models._http import HTTPModel
from ._http import BatchHTTP
from ._jsonl import BadLine, iter_jsonl
from ._types import LineResult, VendorBatch

__all__ = ["BatchAPI", "Chunk", "batch_api", "error_messages", "unwrap_model", "vendor_tag_matches"]

BEDROCK_DOCS = "https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html"
VERTEX_DOCS = "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/batch-prediction-gemini"


@dataclass
class Chunk:
    """One vendor batch to submit: its requests' (custom_id, body) pairs, readable again on a
    retry, and the file an earlier attempt already uploaded."""

    job_id: str
    index: int
    size: int
    nbytes: int
    bodies: Callable[[], Iterator[tuple[str, bytes]]]
    headers: dict[str, str]
    file_id: str | None = None

    @property
    def tag(self) -> str:
        """How wireai marks the vendor batch (metadata, display name) so it can be found again."""
        return f"wireai-{self.job_id}-{self.index}"

    @property
    def metadata(self) -> dict[str, str]:
        return {"wireai_job": self.job_id, "wireai_part": str(self.index)}


class BatchAPI:
    """One vendor's batch API for one model. Subclasses set the limits and implement the I/O."""

    vendor: str
    max_requests: int | None = None
    max_bytes: int
    custom_id_pattern: ClassVar[re.Pattern[str] | None] = None
    custom_id_rule: ClassVar[str] = "a non-empty string"
    # Headers a request may carry besides its content type; anything else (extra_headers) cannot
    # travel per request in a batch, so it is refused rather than dropped.
    batch_headers: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, model: HTTPModel):
        self.model = model
        self.http = BatchHTTP(model)

    # ------------------------------------------------------------------------------ building

    def check_custom_id(self, custom_id: object) -> str:
        if not isinstance(custom_id, str) or not custom_id:
            raise UserError(f"Batch custom_id {custom_id!r} must be {self.custom_id_rule}")
        if self.custom_id_pattern is not None and not self.custom_id_pattern.fullmatch(custom_id):
            raise UserError(f"{self.vendor} batch custom_id {custom_id!r} must be {self.custom_id_rule}")
        return custom_id

    def body(self, wire: WireRequest) -> bytes:
        """The request body a batch line carries: the model's own bytes."""
        extra = {k.lower() for k in wire.headers} - {"content-type"} - self.batch_headers
        if extra or wire.query:
            given = sorted(extra) + [f"?{k}" for k in wire.query]
            raise UserError(
                f"{self.vendor} batches cannot send per-request headers or query parameters ({', '.join(given)}); "
                "remove them (extra_headers) from the batch's model settings"
            )
        return wire.content()

    def merge_headers(self, merged: dict[str, str], wire: WireRequest) -> None:
        """Fold one request's batch-level headers into the batch's (Anthropic's version and betas)."""

    def frame(self, custom_id: str, body: bytes) -> bytes:
        """One request as the vendor's batch input carries it (a JSONL line, an array item)."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------ I/O

    async def upload_lines(
        self, chunk: Chunk, upload: Callable[..., WireRequest], on_file: Callable[[str], None]
    ) -> str:
        """The id of the chunk's JSONL file at the vendor (`upload(lines, filename=)` makes the
        multipart request), uploaded unless an earlier attempt did; reported to `on_file` first."""
        if chunk.file_id is not None:
            return chunk.file_id
        lines = (self.frame(cid, body) for cid, body in chunk.bodies())
        answer = await self.http.json(upload(lines, filename=f"{chunk.tag}.jsonl"))
        file_id = answer.get("id")
        if not isinstance(file_id, str) or not file_id:
            raise UnexpectedModelBehavior(
                f"{self.vendor} files API: the upload answer has no file id", answer
            )
        on_file(file_id)
        return file_id

    async def submit(self, chunk: Chunk, on_file: Callable[[str], None]) -> VendorBatch:
        """Create the vendor batch (uploading its file first where the API wants one, reporting the
        file's id through `on_file` before the batch is created)."""
        raise NotImplementedError

    async def find(self, chunk: Chunk, since: float, known: set[str]) -> VendorBatch | None:
        """The vendor batch an interrupted submission of `chunk` may have created, if the vendor has it."""
        raise NotImplementedError

    async def get(self, vendor_id: str) -> VendorBatch:
        raise NotImplementedError

    async def cancel(self, vendor_id: str) -> VendorBatch:
        """Ask the vendor to cancel; the batch as it stands afterwards."""
        raise NotImplementedError

    def results(self, batch: VendorBatch, custom_ids: list[str]) -> AsyncIterator[LineResult | BadLine]:
        """The batch's result lines (`custom_ids`: its requests in order, for APIs that answer by position)."""
        raise NotImplementedError

    async def read_files(
        self,
        file_ids: Iterable[Any],
        request: Callable[[str], WireRequest],
        parse: Callable[[dict[str, Any]], LineResult | BadLine],
    ) -> AsyncIterator[LineResult | BadLine]:
        """The lines of result files (those of `file_ids` that exist), parsed as they download."""
        for file_id in file_ids:
            if file_id:
                async for line in iter_jsonl(self.http.stream(request(file_id))):
                    yield line if isinstance(line, BadLine) else parse(line)


def unwrap_model(model: Model) -> HTTPModel:
    """The vendor model under wrappers (instrumentation, concurrency limits): a batch is sent by
    the vendor's batch API, not through the wrapper's `request`."""
    from ..models.fallback import FallbackModel

    while True:
        if isinstance(model, FallbackModel):
            raise UserError("A batch goes to one vendor; give one of the FallbackModel's models")
        wrapped = getattr(model, "wrapped", None)
        if not isinstance(wrapped, Model):
            break
        model = wrapped
    if not isinstance(model, HTTPModel):
        raise UserError(
            f"{type(model).__name__} has no batch API; batches need a vendor model "
            "(OpenAI, Azure OpenAI, Groq, Anthropic, Gemini, Mistral)"
        )
    return model


def batch_api(model: Model) -> BatchAPI:
    """The batch API of a model's vendor; a `UserError` saying what to do for vendors without one."""
    vendor_model = unwrap_model(model)
    protocol = vendor_model.codec.__name__.rsplit(".", 1)[-1]
    host = vendor_model.provider.name
    if protocol in ("openai_chat", "openai_responses") and host in ("openai", "azure", "groq"):
        if host == "groq" and protocol == "openai_responses":
            raise UserError("Groq's batch API runs chat completions; use GroqModel / OpenAIChatModel")
        from .openai import OpenAIBatchAPI

        return OpenAIBatchAPI(vendor_model)
    if protocol == "anthropic":
        from .anthropic import AnthropicBatchAPI

        return AnthropicBatchAPI(vendor_model)
    if protocol == "gemini" and host == "google-gla":
        from .gemini import GeminiBatchAPI

        return GeminiBatchAPI(vendor_model)
    if protocol == "mistral":
        from .mistral import MistralBatchAPI

        return MistralBatchAPI(vendor_model)
    if protocol == "bedrock":
        raise UserError(
            "Bedrock batch inference reads its input from S3 and writes its output there, which wireai does "
            f"not do yet; see {BEDROCK_DOCS}"
        )
    if protocol == "gemini":
        raise UserError(
            "Vertex AI batch prediction reads its input from Cloud Storage or BigQuery, which wireai does not "
            f"do yet; use the Gemini API (google-gla) for batches, or see {VERTEX_DOCS}"
        )
    raise UserError(
        f"{host} ({protocol}) has no batch API wireai speaks; batches run on OpenAI, Azure OpenAI, Groq, "
        "Anthropic, Gemini (google-gla) and Mistral"
    )


def error_messages(errors: Any) -> str | None:
    """A batch's `errors` (a list of `{message, ...}`, as OpenAI and Mistral report a failed
    validation) as one line, or None when there are none."""
    messages = [text(obj(e).get("message")) for e in errors or []] if isinstance(errors, list) else []
    return "; ".join(m for m in messages if m) or None


def vendor_tag_matches(metadata: Any, chunk: Chunk) -> bool:
    return isinstance(metadata, dict) and all(metadata.get(k) == v for k, v in chunk.metadata.items())
