"""`wireai batch submit|status|wait|results|cancel`: batch jobs from the shell, kept in the batch store.

`submit` reads a JSONL file of `{"custom_id": ..., "prompt": ...}` or `{"custom_id": ...,
"messages": [...]}` lines (messages as wireai serializes them, or `{"role", "content"}` chat
messages) and prints the job id; the other commands take that id, in this or any later shell.
`results` writes one JSON object per request: `ok`, then `text`, `tool_calls`, `output` (with
`--output-schema`), `usage`, `finish_reason`, or `error`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from .cli import CLIError, _describe, _load_schema, _model_args

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    batch = sub.add_parser(
        "batch",
        help="send many prompts through the vendor's batch API (about half the price, within 24 h)",
        description="Batch jobs on the vendors' batch APIs (OpenAI, Azure OpenAI, Groq, Anthropic, Gemini, "
        "Mistral), recorded in the batch store ($WIREAI_BATCH_STORE, else $XDG_STATE_HOME/wireai/batches.sqlite) "
        "so every command works from any later shell.",
    )
    commands = batch.add_subparsers(dest="batch_command", metavar="COMMAND", required=True)
    submit = commands.add_parser("submit", help="submit a JSONL file of prompts; prints the job id")
    _model_args(submit)
    submit.add_argument(
        "file", type=Path, help="JSONL: {'custom_id', 'prompt'} or {'custom_id', 'messages'} per line"
    )
    submit.add_argument(
        "--output-schema", metavar="FILE", type=Path, help="a JSON Schema file: each answer is such an object"
    )
    status = commands.add_parser("status", help="a table of jobs, or one job's counts (asking the vendor)")
    status.add_argument("job", nargs="?", help="a job id; none lists every job")
    wait = commands.add_parser("wait", help="wait for a job to end, showing its progress")
    wait.add_argument("job")
    wait.add_argument("--poll-interval", type=float, default=30.0, metavar="SECONDS", help="default 30")
    wait.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="give up waiting (the job keeps running)"
    )
    results = commands.add_parser("results", help="a finished job's results as JSONL")
    results.add_argument("job")
    results.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    cancel = commands.add_parser("cancel", help="cancel a job (what already ran keeps its results)")
    cancel.add_argument("job")
    for command in (submit, status, wait, results, cancel):
        command.add_argument(
            "--store",
            metavar="PATH",
            help="the batch store file (default: $WIREAI_BATCH_STORE or the state dir)",
        )


def run(args: argparse.Namespace) -> int:
    handler = {"submit": _submit, "status": _status, "wait": _wait, "results": _results, "cancel": _cancel}
    return asyncio.run(handler[args.batch_command](args))


# ------------------------------------------------------------------------------------------ submit


def _messages(line: dict[str, Any], where: str, system: str | None) -> list[Any]:
    from .messages import (
        ModelMessagesTypeAdapter,
        ModelRequest,
        ModelRequestPart,
        ModelResponse,
        SystemPromptPart,
        TextPart,
        UserPromptPart,
    )

    system_parts: list[ModelRequestPart] = [SystemPromptPart(system)] if system else []
    if "prompt" in line:
        if not isinstance(line["prompt"], str) or not line["prompt"]:
            raise CLIError(f"{where}: 'prompt' must be a non-empty string")
        return [ModelRequest([*system_parts, UserPromptPart(line["prompt"])])]
    messages = line.get("messages")
    if not isinstance(messages, list) or not messages:
        raise CLIError(f"{where}: give 'prompt' or a non-empty 'messages' list")
    if all(isinstance(m, dict) and "kind" in m for m in messages):
        history = list(ModelMessagesTypeAdapter.validate_python(messages))
        if system_parts:
            history.insert(0, ModelRequest(system_parts))
        return history
    out: list[Any] = [ModelRequest(system_parts)] if system_parts else []
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if role not in ("system", "user", "assistant") or not isinstance(content, str):
            raise CLIError(f"{where}: a message is {{'role': 'system'|'user'|'assistant', 'content': '...'}}")
        if role == "assistant":
            out.append(ModelResponse([TextPart(content)]))
        else:
            out.append(
                ModelRequest([SystemPromptPart(content) if role == "system" else UserPromptPart(content)])
            )
    return out


def _read_requests(path: Path, system: str | None, params: Any) -> list[Any]:
    from .batch import BatchRequest

    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    requests = []
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                line = json.loads(raw)
            except ValueError as exc:
                raise CLIError(f"{where}: not JSON ({exc})") from None
            if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
                raise CLIError(f"{where}: each line is an object with a string 'custom_id'")
            requests.append(BatchRequest(line["custom_id"], _messages(line, where, system), None, params))
    if not requests:
        raise CLIError(f"{path} has no requests")
    return requests


async def _submit(args: argparse.Namespace) -> int:
    from ._output import build_output_schema
    from .batch import submit_batch
    from .batch.job import open_store
    from .models import infer_model

    model = infer_model(args.model)
    params = None
    output: dict[str, Any] = {}
    if args.output_schema:
        schema = build_output_schema(
            _load_schema(args.output_schema), default_mode=model.profile.default_structured_output_mode
        )
        params = schema.request_parameters([])
        output = {"tool": params.output_tools[0].name if params.output_tools else None}
    requests = _read_requests(args.file, args.system, params)
    store = open_store(args.store)
    job = await submit_batch(model, requests, store=store)
    if output:
        record = store.job(job.id)
        assert record is not None
        store.update_job(job.id, data={**record.data, "cli_output": output})
    print(job.id)
    print(
        f"{len(requests)} requests, {job.status} at {job.vendor}: {', '.join(job.vendor_ids)}",
        file=sys.stderr,
    )
    return 0


# ------------------------------------------------------------------------------------------ status / wait / cancel


async def _load(args: argparse.Namespace) -> Any:
    from .batch import BatchJob

    return await BatchJob.load(args.job, store=args.store)


def _counts(job: Any) -> str:
    c = job.request_counts
    return f"{c.succeeded} succeeded, {c.errored} errored, {c.cancelled} cancelled, {c.expired} expired, {c.processing} processing, of {c.total}"


async def _status(args: argparse.Namespace) -> int:
    if args.job:
        job = await (await _load(args)).refresh()
        print(
            f"job      {job.id}\nmodel    {job.model.system}:{job.model.model_name}\nstatus   {job.status} ({job.raw_status})"
        )
        print(
            f"vendor   {job.vendor} {', '.join(job.vendor_ids) or '(not submitted)'}\nrequests {_counts(job)}"
        )
        return 0
    from .batch.job import open_store

    _table(open_store(args.store).jobs(), sys.stdout)
    return 0


def _table(jobs: list[Any], out: TextIO) -> None:
    import datetime

    rows = [("JOB", "KIND", "MODEL", "STATUS", "SUCCEEDED", "ERRORED", "TOTAL", "CREATED")]
    for job in jobs:
        created = datetime.datetime.fromtimestamp(job.created_at).strftime("%Y-%m-%d %H:%M")
        total = job.counts.total or int(job.data.get("total") or 0)
        rows.append(
            (
                job.id,
                job.kind,
                job.model,
                job.status,
                str(job.counts.succeeded),
                str(job.counts.errored),
                str(total),
                created,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")
    if len(rows) == 1:
        out.write("(no batch jobs in the store)\n")


async def _wait(args: argparse.Namespace) -> int:
    job = await _load(args)
    try:
        await job.wait(poll_interval=args.poll_interval, timeout=args.timeout, progress=True)
    except TimeoutError as exc:
        raise CLIError(str(exc), 1) from None
    return 0 if job.status == "completed" else 1


async def _cancel(args: argparse.Namespace) -> int:
    job = await (await _load(args)).cancel()
    print(f"{job.id}: {job.status} ({_counts(job)})")
    return 0


# ------------------------------------------------------------------------------------------ results


def result_line(result: Any, output_tool: str | None, structured: bool) -> dict[str, Any]:
    """One result as the JSON `wireai batch results` writes."""
    from .exceptions import ModelHTTPError

    line: dict[str, Any] = {"custom_id": result.custom_id, "ok": result.ok}
    if not result.ok:
        error = result.error
        line["error"] = {"type": type(error).__name__, "message": _describe(error)}
        if isinstance(error, ModelHTTPError):
            line["error"].update(status_code=error.status_code, body=error.body)
        return line
    response = result.response
    calls = response.tool_calls
    line["text"] = response.text
    line["tool_calls"] = [
        {"name": c.tool_name, "args": c.args_as_dict(), "id": c.tool_call_id} for c in calls
    ]
    if structured:
        tool = next((c for c in calls if c.tool_name == output_tool), None)
        try:
            line["output"] = tool.args_as_dict() if tool else json.loads(response.text or "null")
        except ValueError:
            line["output"] = None
    usage = response.usage
    line["usage"] = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}
    line["finish_reason"] = response.finish_reason
    return line


async def _results(args: argparse.Namespace) -> int:
    job = await _load(args)
    record = job.store.job(job.id)
    output = record.data.get("cli_output") if record else None
    structured = output is not None
    tool = output.get("tool") if output else None
    out: TextIO = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    counts = {True: 0, False: 0}
    try:
        async for result in job.results():
            out.write(json.dumps(result_line(result, tool, structured), ensure_ascii=False) + "\n")
            counts[result.ok] += 1
    finally:
        if args.output:
            out.close()
    print(f"{counts[True]} succeeded, {counts[False]} not", file=sys.stderr)
    return 0
