"""The stacks the benchmark compares: what each venv installs, and the code each one runs.

Standard library only: the harness imports this module, and so does `worker.py` inside every
stack's venv (where only that stack's packages exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A base URL that is never contacted: constructing a client must not need the mock server.
CONSTRUCT_URL = "http://127.0.0.1:9/v1"
OPENAI_MODEL = "gpt-4o"
ANTHROPIC_MODEL = "claude-sonnet-4-5"


@dataclass(frozen=True)
class Stack:
    """One side of the comparison.

    `kind` selects the client code in `worker.py`; `requirements` are pip arguments, where the
    token ``{repo}`` stands for the wireai checkout the harness lives in. `import_code` and
    `construct_code` are the cold-start snippet (the stack's equivalent of importing the agent
    API and building `Agent(OpenAIModel('gpt-4o', provider=OpenAIProvider(base_url=..., api_key='x')))`).
    """

    name: str
    kind: str
    requirements: tuple[str, ...]
    import_code: str
    construct_code: str
    dists: tuple[str, ...]
    runs_requests: bool = True
    local: bool = False  # installs the local checkout: reinstalled on every run
    venv: str | None = None  # share another stack's venv (start-up variants of the same install)
    notes: tuple[str, ...] = field(default=())


_WIREAI_IMPORT = (
    "from wireai import Agent; from wireai.models.openai import OpenAIModel; "
    "from wireai.providers.openai import OpenAIProvider"
)
_WIREAI_CONSTRUCT = (
    f"Agent(OpenAIModel({OPENAI_MODEL!r}, provider=OpenAIProvider(base_url={CONSTRUCT_URL!r}, api_key='x')))"
)

# The fair floor's venv. `sniffio` is in it because httpcore (httpx 0.28/0.29) tries `import
# sniffio` several times per request and anyio 4.x no longer installs it: without it every request
# pays failed imports that rescan sys.path (~180 µs of ~680 µs CPU per request, measured). wireai
# depends on sniffio, so a floor without it would carry a cost wireai does not and would not be a floor.
_FLOOR_REQUIREMENTS = ("httpx", "pydantic", "sniffio")

_PAI_IMPORT = (
    "from pydantic_ai import Agent; from pydantic_ai.models.openai import OpenAIChatModel; "
    "from pydantic_ai.providers.openai import OpenAIProvider"
)
_PAI_CONSTRUCT = f"Agent(OpenAIChatModel({OPENAI_MODEL!r}, provider=OpenAIProvider(base_url={CONSTRUCT_URL!r}, api_key='x')))"

STACKS: dict[str, Stack] = {
    s.name: s
    for s in (
        Stack(
            name="floor",
            kind="floor",
            requirements=_FLOOR_REQUIREMENTS,
            import_code="import httpx, pydantic",
            construct_code=f"httpx.AsyncClient(base_url={CONSTRUCT_URL!r})",
            dists=("httpx", "pydantic", "sniffio"),
            notes=("the fair floor: every ratio and overhead divides by or subtracts this stack",),
        ),
        Stack(
            name="floor-basemodel",
            kind="floor",
            requirements=_FLOOR_REQUIREMENTS,
            import_code="import httpx; from pydantic import BaseModel",
            construct_code=f"httpx.AsyncClient(base_url={CONSTRUCT_URL!r})",
            dists=("httpx", "pydantic", "sniffio"),
            runs_requests=False,
            venv="floor",
            notes=("`import pydantic` is lazy; this is the floor once BaseModel is really imported",),
        ),
        Stack(
            name="floor-httpx2",
            kind="floor-httpx2",
            requirements=("httpx2", "pydantic"),
            import_code="import httpx2, pydantic",
            construct_code=f"httpx2.AsyncClient(base_url={CONSTRUCT_URL!r})",
            dists=("httpx2", "pydantic"),
            notes=(
                "physical limit today: the same client code on httpx2, the HTTP client fork pydantic-ai "
                "and openai 3.x ride on (httpcore2 imports sniffio once, so it needs no extra install); "
                "reference only",
            ),
        ),
        Stack(
            name="wireai",
            kind="wireai",
            requirements=("{repo}",),
            import_code=_WIREAI_IMPORT,
            construct_code=_WIREAI_CONSTRUCT,
            dists=("wireai", "httpx", "pydantic"),
            local=True,
        ),
        Stack(
            name="wireai-all",
            kind="wireai",
            requirements=("{repo}[vertexai,bedrock]",),
            import_code=_WIREAI_IMPORT,
            construct_code=_WIREAI_CONSTRUCT,
            dists=("wireai", "httpx", "pydantic", "google-auth", "botocore"),
            runs_requests=False,
            local=True,
            notes=("all extras: import, RSS and footprint only (same code path as core for requests)",),
        ),
        Stack(
            name="pai-slim",
            kind="pai",
            requirements=("pydantic-ai-slim[openai,anthropic]",),
            import_code=_PAI_IMPORT,
            construct_code=_PAI_CONSTRUCT,
            dists=("pydantic-ai-slim", "pydantic", "openai", "anthropic", "httpx", "httpx2"),
        ),
    )
}

# Column order of the tables; the floor is what every ratio divides by.
DEFAULT_ORDER = ("floor", "floor-basemodel", "floor-httpx2", "wireai", "wireai-all", "pai-slim")
FLOOR = "floor"
PHYSICAL_LIMIT = "floor-httpx2"  # the "physical limit today" column: the floor's code on httpx2
WIREAI = "wireai"
PAI = "pai-slim"
