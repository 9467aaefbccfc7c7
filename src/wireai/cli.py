"""The `wireai` command: `demo`, `run`, `chat`, `batch`, `models`, `--version`. argparse only.

Exit codes: 0 success; 1 the model or vendor failed (HTTP error, unexpected output) or a demo row
failed; 2 bad usage or configuration (unknown model, missing key: the message names the env var);
130 interrupted. Errors are one line on stderr, prefixed `wireai: error:`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["PROVIDERS", "ProviderInfo", "main"]


@dataclass(frozen=True)
class ProviderInfo:
    """What `wireai models` shows for one provider: how to configure it, and its model-name prefix."""

    name: str
    env: tuple[tuple[str, ...], ...]  # groups: any one var of each group is enough (first group: the key)
    extra: str | None = None
    note: str = ""


PROVIDERS: list[ProviderInfo] = [
    ProviderInfo("openai", (("OPENAI_API_KEY",),), note="also openai-responses:<model>"),
    ProviderInfo("azure", (("AZURE_OPENAI_API_KEY",), ("AZURE_OPENAI_ENDPOINT",), ("OPENAI_API_VERSION",)),
                 note="Azure OpenAI and Azure AI Foundry; model name = your deployment name"),
    ProviderInfo("anthropic", (("ANTHROPIC_API_KEY",),)),
    ProviderInfo("anthropic-bedrock", (("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"),
                                       ("AWS_REGION", "AWS_DEFAULT_REGION")), "bedrock",
                 note="Claude over Bedrock's InvokeModel (Messages API); Bedrock model ids, e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ProviderInfo("anthropic-bedrock-mantle", (("AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_AWS_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"),
                                              ("AWS_REGION", "AWS_DEFAULT_REGION")), "bedrock",
                 note="Claude over Anthropic's Messages API on bedrock-mantle.{region}.api.aws/anthropic; e.g. anthropic.claude-sonnet-4-5"),
    ProviderInfo("anthropic-vertex", (("GOOGLE_APPLICATION_CREDENTIALS",),
                                      ("ANTHROPIC_VERTEX_PROJECT_ID", "GOOGLE_CLOUD_PROJECT"),
                                      ("CLOUD_ML_REGION", "GOOGLE_CLOUD_LOCATION")), "vertexai",
                 note="Claude on Vertex AI (rawPredict); or `gcloud auth application-default login`; region default global"),
    ProviderInfo("anthropic-foundry", (("ANTHROPIC_FOUNDRY_API_KEY",),
                                       ("ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_FOUNDRY_BASE_URL")),
                 note="Claude on Microsoft Foundry; model name = your deployment name"),
    ProviderInfo("google-gla", (("GEMINI_API_KEY", "GOOGLE_API_KEY"),)),
    ProviderInfo("google-vertex", (("GOOGLE_APPLICATION_CREDENTIALS",),), "vertexai",
                 note="or `gcloud auth application-default login`; project from credentials or project_id="),
    ProviderInfo("groq", (("GROQ_API_KEY",),)),
    ProviderInfo("mistral", (("MISTRAL_API_KEY",),)),
    ProviderInfo("cohere", (("CO_API_KEY", "COHERE_API_KEY"),)),
    ProviderInfo("bedrock", (("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"),
                             ("AWS_REGION", "AWS_DEFAULT_REGION")), "bedrock",
                 note="the extra (botocore) is needed for SigV4 keys/profiles, not for AWS_BEARER_TOKEN_BEDROCK"),
    ProviderInfo("bedrock-mantle", (("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"),
                                    ("AWS_REGION", "AWS_DEFAULT_REGION")), "bedrock",
                 note="OpenAI's Responses/Chat APIs on Bedrock (bedrock-mantle.{region}.api.aws); e.g. openai.gpt-oss-120b"),
    ProviderInfo("deepseek", (("DEEPSEEK_API_KEY",),)),
    ProviderInfo("openrouter", (("OPENROUTER_API_KEY",),), note="any OpenRouter model id, e.g. openrouter:anthropic/claude-3.5-sonnet"),
    ProviderInfo("xai", (("XAI_API_KEY",),), note="also xai-responses:<model> (web search runs there)"),
    ProviderInfo("grok", (("XAI_API_KEY", "GROK_API_KEY"),), note="the V1 name of xai"),
    ProviderInfo("perplexity", (("PERPLEXITY_API_KEY", "PPLX_API_KEY"),)),
    ProviderInfo("ollama", (("OLLAMA_BASE_URL",),), note="no key; default http://localhost:11434/v1"),
    ProviderInfo("voyageai", (("VOYAGE_API_KEY",),), note="embeddings only: Embedder('voyageai:voyage-3.5')"),
    ProviderInfo("alibaba", (("ALIBABA_API_KEY", "DASHSCOPE_API_KEY"),), note="DashScope compatible mode (intl)"),
    ProviderInfo("cerebras", (("CEREBRAS_API_KEY",),)),
    ProviderInfo("crusoe", (("CRUSOE_API_KEY",),)),
    ProviderInfo("fireworks", (("FIREWORKS_API_KEY",),)),
    ProviderInfo("github", (("GITHUB_API_KEY",),), note="GitHub Models; a GitHub token with models:read"),
    ProviderInfo("heroku", (("HEROKU_INFERENCE_KEY",),),
                 note="HEROKU_INFERENCE_URL if not https://us.inference.heroku.com"),
    ProviderInfo("huggingface", (("HF_TOKEN",),),
                 note="the router; a :provider suffix picks the partner, e.g. deepseek-ai/DeepSeek-R1:together"),
    ProviderInfo("litellm", (("LITELLM_PROXY_API_BASE",),),
                 note="your proxy's URL; LITELLM_PROXY_API_KEY if it has a key"),
    ProviderInfo("moonshotai", (("MOONSHOTAI_API_KEY",),)),
    ProviderInfo("nebius", (("NEBIUS_API_KEY",),)),
    ProviderInfo("ovhcloud", (("OVHCLOUD_API_KEY",),)),
    ProviderInfo("sambanova", (("SAMBANOVA_API_KEY",),), note="SAMBANOVA_BASE_URL if not https://api.sambanova.ai/v1"),
    ProviderInfo("snowflake", (("SNOWFLAKE_TOKEN",), ("SNOWFLAKE_ACCOUNT",)), note="Cortex REST API"),
    ProviderInfo("together", (("TOGETHER_API_KEY",),)),
    ProviderInfo("vercel", (("VERCEL_AI_GATEWAY_API_KEY", "VERCEL_OIDC_TOKEN"),), note="Vercel AI Gateway"),
    ProviderInfo("zai", (("ZAI_API_KEY",),), note="Z.AI (GLM)"),
]  # fmt: skip

# Model-name prefixes shown under each provider.
_PREFIXES = {"openai": ("openai", "openai-responses"), "xai": ("xai", "xai-responses")}


class CLIError(Exception):
    """A one-line message for stderr and an exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------------------------------------ parser


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="wireai",
        description="wireai: LLM agents over hand-written wire codecs, no vendor SDK.",
        epilog="Run `wireai demo` first: every vendor protocol end to end, offline.",
    )
    parser.add_argument("--version", action="version", version=f"wireai {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run every vendor protocol offline against loopback replays",
        description="Run a structured-output agent (one tool call) and a streamed text agent per vendor protocol "
        "through the real model classes, providers, codecs and transport, against a loopback server replaying "
        "fixtures shipped in the package. No network, no keys, no extras.",
    )
    demo.add_argument(
        "vendors", nargs="*", metavar="VENDOR", help="only these rows (e.g. openai anthropic bedrock)"
    )

    run = sub.add_parser(
        "run",
        help="send one prompt and stream the answer",
        description="Stream the model's answer to stdout as it arrives; usage goes to stderr at the end.",
    )
    _model_args(run)
    run.add_argument(
        "--output-schema",
        metavar="FILE",
        type=Path,
        help="a JSON Schema file: the answer is a JSON object matching it, printed when complete",
    )
    run.add_argument("prompt", nargs="?", default="-", help="the prompt; '-' or absent reads it from stdin")

    chat = sub.add_parser(
        "chat",
        help="interactive multi-turn chat",
        description="A multi-turn chat keeping history; /exit to quit.",
    )
    _model_args(chat)

    from ._cli_batch import add_parser as add_batch_parser

    add_batch_parser(sub)

    models = sub.add_parser(
        "models",
        help="known model names and the env vars each provider needs",
        description="List known model names per provider and the environment variables each provider reads, "
        "marking those set (values are never printed).",
    )
    models.add_argument("provider", nargs="?", help="only this provider (e.g. anthropic)")
    return parser


def _model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-m",
        "--model",
        required=True,
        help="'provider:model-name' (e.g. openai:gpt-4o, anthropic:claude-3-5-sonnet-latest) or 'test'",
    )
    parser.add_argument("--system", metavar="TEXT", help="a system prompt")  # fmt: skip


# ------------------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `wireai` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        if args.command == "demo":
            from ._demo import run_demo

            return run_demo(args.vendors or None)
        if args.command == "models":
            return _models(args.provider, sys.stdout)
        if args.command == "run":
            return _run(args)
        if args.command == "batch":
            from ._cli_batch import run as run_batch

            return run_batch(args)
        return _chat(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `wireai models | head`: stop quietly, as other CLI tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except CLIError as exc:
        print(f"wireai: error: {exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:
        print(f"wireai: error: {_describe(exc)}", file=sys.stderr)
        return _exit_code(exc)


def _describe(exc: BaseException) -> str:
    from .exceptions import ModelHTTPError

    if isinstance(exc, ModelHTTPError):
        detail = _error_message(exc.body)
        text = f"{exc.model_name}: HTTP {exc.status_code}" + (f": {detail}" if detail else "")
    else:
        text = str(exc) or type(exc).__name__
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first[:500]


def _error_message(body: Any) -> str:
    """The vendor's own message out of the usual error shapes (`{"error": {"message"}}`, `{"message"}`)."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = error.get("message") or error.get("Message")
            if isinstance(message, str):
                return message
        if isinstance(error, str):
            return error
        message = body.get("message")
        if isinstance(message, str):
            return message
    if isinstance(body, str):
        return body[:200]
    return ""


def _exit_code(exc: BaseException) -> int:
    from .exceptions import UserError

    return 2 if isinstance(exc, UserError) else 1


# ------------------------------------------------------------------------------------------------ run / chat


def _agent(args: argparse.Namespace, output_type: Any = str) -> Any:
    from .agent import Agent
    from .models import infer_model

    model = infer_model(args.model)  # UserError for unknown prefixes and missing keys, before any I/O
    return Agent(model, output_type=output_type, system_prompt=args.system or ())


def _read_prompt(prompt: str) -> str:
    if prompt == "-":
        if sys.stdin.isatty():
            print("(reading the prompt from stdin; end with Ctrl-D)", file=sys.stderr)
        prompt = sys.stdin.read()
    prompt = prompt.strip()
    if not prompt:
        raise CLIError("empty prompt: pass it as an argument or on stdin")
    return prompt


def _load_schema(path: Path) -> Any:
    from .output import StructuredDict

    try:
        schema = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise CLIError(f"cannot read --output-schema {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CLIError(f"--output-schema {path} is not JSON: {exc}") from None
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        raise CLIError(f"--output-schema {path} must be a JSON Schema of an object")
    name = schema.get("title") if isinstance(schema.get("title"), str) else None
    return StructuredDict(schema, name=name)


def _run(args: argparse.Namespace) -> int:
    output_type = _load_schema(args.output_schema) if args.output_schema else str
    prompt = _read_prompt(args.prompt)
    agent = _agent(args, output_type)
    usage = asyncio.run(_turn(agent, prompt, None, sys.stdout, structured=args.output_schema is not None))[1]
    _print_usage(usage, sys.stderr)
    return 0


async def _turn(
    agent: Any, prompt: str, history: Any, out: TextIO, *, structured: bool = False
) -> tuple[Any, Any]:
    """One streamed run: text deltas written as they arrive (a structured output printed once complete)."""
    async with agent.run_stream(prompt, message_history=history) as result:
        if structured:
            output = await result.get_output()
            out.write(json.dumps(output, indent=2, ensure_ascii=False))
        else:
            async for delta in result.stream_text(delta=True, debounce_by=None):
                out.write(delta)
                out.flush()
    out.write("\n")
    out.flush()
    return result.all_messages(), result.usage()


def _print_usage(usage: Any, err: TextIO) -> None:
    requests = getattr(usage, "requests", 0)
    print(
        f"usage: {usage.input_tokens} input + {usage.output_tokens} output tokens"
        f" in {requests} request{'s' if requests != 1 else ''}",
        file=err,
    )


def _chat(args: argparse.Namespace) -> int:
    agent = _agent(args)
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"wireai chat with {args.model}; /exit to quit", file=sys.stderr)

    async def loop() -> None:
        history: Any = None
        while True:
            if interactive:
                print("> ", end="", file=sys.stderr, flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:  # EOF
                return
            prompt = line.strip()
            if not prompt:
                continue
            if prompt in ("/exit", "/quit"):
                return
            history, usage = await _turn(agent, prompt, history, sys.stdout)
            if interactive:
                _print_usage(usage, sys.stderr)

    asyncio.run(loop())
    return 0


# ------------------------------------------------------------------------------------------------ models


def known_models() -> dict[str, list[str]]:
    """`KnownModelName` grouped by prefix, without the prefix."""
    from .models import KnownModelName

    grouped: dict[str, list[str]] = {}
    for full in typing.get_args(KnownModelName):
        prefix, sep, name = full.partition(":")
        if sep:
            grouped.setdefault(prefix, []).append(name)
    return grouped


def _models(only: str | None, out: TextIO) -> int:
    from .models import model_prefixes

    providers = PROVIDERS
    if only:
        wanted = only
        prefixes = model_prefixes()
        if wanted in prefixes and wanted not in {p.name for p in PROVIDERS}:
            wanted = prefixes[wanted][2]  # an alias such as xai, vertexai, gemini
        if wanted == "openai-responses":
            wanted = "openai"
        providers = [p for p in PROVIDERS if p.name == wanted]
        if not providers:
            raise CLIError(f"unknown provider {only!r}; known: {', '.join(p.name for p in PROVIDERS)}")
    grouped = known_models()
    for info in providers:
        extra = f"  (pip install 'wireai[{info.extra}]')" if info.extra else ""
        print(f"{info.name}{extra}", file=out)
        for group in info.env:
            marks = [f"{var} [{'set' if os.environ.get(var) else 'not set'}]" for var in group]
            print(f"  env: {' or '.join(marks)}", file=out)
        if info.note:
            print(f"  note: {info.note}", file=out)
        for prefix in _PREFIXES.get(info.name, (info.name,)):
            for name in grouped.get(prefix, []):
                print(f"    {prefix}:{name}", file=out)
    if not only:
        print("test  (offline, no key: TestModel)", file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
