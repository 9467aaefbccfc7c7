"""Batch processing on the vendors' batch APIs: requests, and whole agent runs, at about half the price.

```python
from wireai.batch import BatchRequest, submit_batch

job = await submit_batch('anthropic:claude-sonnet-4-5', [BatchRequest('q1', messages), ...])
await job.wait(poll_interval=60, progress=True)
async for result in job.results():
    print(result.custom_id, result.response.text if result.ok else result.error)
```

A batch line is exactly the body the model's `build_request` makes, and a result goes through the
model's own `parse_response`, so every vendor wireai speaks with a batch API is covered: OpenAI
(Chat Completions and Responses), Azure OpenAI, Groq, Anthropic, Gemini and Mistral. Jobs are
recorded in a SQLite `BatchStore` before anything is sent, so they survive the process
(`BatchJob.load(job_id)`). See docs/batch.md.
"""

from ._types import BatchRequest, BatchRequestError, BatchResult, BatchStatus, RequestCounts
from .job import BatchJob, submit_batch
from .store import BatchStore, default_store_path

__all__ = [
    "BatchJob",
    "BatchRequest",
    "BatchRequestError",
    "BatchResult",
    "BatchStatus",
    "BatchStore",
    "RequestCounts",
    "default_store_path",
    "submit_batch",
]
