"""`agent.run_batch(inputs)`: many agent runs advanced together, one vendor batch per round.

Each run is the agent's own `Runner` (the loop `agent.run` uses): its requests are built the same
way, its responses handled by the same `handle_response` (tools, output validation, retries,
usage limits). Only where the response comes from differs: every run waiting for the model goes
into one batch job per round (`{job_id}.r{n}`), and when the round's batch has ended each run's
result is applied and its tools run locally, all runs at once. Runs that reach their output drop
out; the others go into the next round.

After every round each run's history and counters are saved in the store, in one transaction, so
`run_batch(inputs, resume=job_id)` in another process carries on from the last finished round: a
round whose batch was already submitted is waited for, not sent again. A round interrupted while
its results were being applied is applied again, so its tools may run twice (at least once, never
lost). A run that had finished gets its output validated again from its saved final response.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .._run import FinalResult, Runner
from ..exceptions import (
    AgentRunError,
    ModelAPIError,
    ModelHTTPError,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
    UserError,
)
from ..messages import ModelMessage, ModelMessagesTypeAdapter, ToolCallPart
from ..models import Model, check_allow_model_requests
from ..models._http import HTTPModel
from ..result import AgentRunResult
from ..settings import ModelSettings
from ..tools import DeferredToolRequests
from ..usage import RunUsage, UsageLimits
from ._api import batch_api
from ._progress import ProgressArg
from ._types import BatchRequest, BatchRequestError, BatchResult, RequestCounts
from .job import StoreArg, model_ref, new_job_id, open_store, start_job
from .store import BatchStore, JobRecord, RunRecord

if TYPE_CHECKING:
    from ..agent import Agent
    from ..toolsets.abstract import AbstractToolset

T = TypeVar("T")

__all__ = ["BatchInput", "run_batch"]

BatchInput = Any
"""A prompt, a `(custom_id, prompt)` pair, or a dict with `user_prompt`, `message_history`, `deps`
(and optionally `custom_id`)."""


@dataclass
class _Input:
    custom_id: str
    user_prompt: Any
    history: Sequence[ModelMessage] | None
    deps: Any


@dataclass
class _Run:
    """One run of the batch: its runner, and how it ended (`result` or `error`)."""

    input: _Input
    runner: Runner
    result: AgentRunResult[Any] | None = None
    error: BaseException | None = None
    final: FinalResult | None = None

    @property
    def waiting(self) -> bool:
        return self.result is None and self.error is None


def _fingerprint(item: _Input) -> str:
    """What a resumed run is checked against: its prompt and history as given (deps cannot be compared)."""
    from pydantic_core import to_json

    given = to_json([item.user_prompt, item.history], bytes_mode="base64", fallback=repr)
    return hashlib.sha256(given).hexdigest()[:24]


def _inputs(inputs: Sequence[BatchInput], deps: Any) -> list[_Input]:
    out = []
    for i, item in enumerate(inputs):
        if isinstance(item, Mapping):
            unknown = set(item) - {"custom_id", "user_prompt", "message_history", "deps"}
            if unknown:
                raise UserError(f"run_batch input {i} has unknown keys {sorted(unknown)}")
            out.append(
                _Input(
                    str(item.get("custom_id", f"run-{i}")),
                    item.get("user_prompt"),
                    item.get("message_history"),
                    item.get("deps", deps),
                )
            )
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(_Input(item[0], item[1], None, deps))
        else:
            out.append(_Input(f"run-{i}", item, None, deps))
    return out


async def run_batch(
    agent: Agent[Any, Any],
    inputs: Sequence[BatchInput],
    *,
    store: StoreArg = None,
    resume: str | None = None,
    output_type: Any = None,
    model: Model | str | None = None,
    deps: Any = None,
    model_settings: ModelSettings | None = None,
    usage_limits: UsageLimits | None = None,
    toolsets: Sequence[AbstractToolset[Any]] | None = None,
    poll_interval: float = 30.0,
    timeout: float | None = None,
    progress: ProgressArg = False,
) -> list[AgentRunResult[Any] | BaseException]:
    check_allow_model_requests()
    items = _inputs(inputs, deps)
    if not items:
        return []
    db = open_store(store)
    saved = _saved_runs(db, resume, items) if resume is not None else [None] * len(items)
    runs = []
    for item, state in zip(items, saved):
        history = ModelMessagesTypeAdapter.validate_json(state.history or b"[]") if state else item.history
        usage = RunUsage(**state.data["usage"]) if state else None
        runner = agent._runner(
            output_type,
            history,
            model,
            item.deps,
            model_settings,
            usage_limits,
            usage,
            item.user_prompt,
            toolsets,
        )
        runs.append(_Run(item, runner))
    api = batch_api(runs[0].runner.model)
    for item in items:
        api.check_custom_id(item.custom_id)
    if len({item.custom_id for item in items}) != len(items):
        raise UserError("run_batch inputs need distinct custom ids")
    if resume is None:
        job_id = new_job_id()
        db.create_job(
            JobRecord(job_id, "agent", model_ref(api.model), api.vendor, base_url=api.model.base_url)
        )
        await asyncio.gather(*(_local(agent, run, _start(run)) for run in runs))
        db.add_runs(_record(job_id, seq, run) for seq, run in enumerate(runs))
        db.update_job(job_id, state="ready", data={"round": 0}, counts=_counts(runs))
        finished_round = 0
    else:
        job_id = resume
        finished_round = await _restore(db, job_id, runs, saved, api.model)

    while any(run.waiting for run in runs):
        round_no = finished_round + 1
        db.update_job(job_id, status="in_progress", raw_status=f"round {round_no}")
        waiting = [run for run in runs if run.waiting]
        requests = await asyncio.gather(*(_local(agent, run, _request(run)) for run in waiting))
        sent = [run for run, request in zip(waiting, requests) if request is not None]
        if sent:
            round_requests = [request for request in requests if request is not None]
            job = await start_job(api, round_requests, db, f"{job_id}.r{round_no}", parent=job_id)
            await job.wait(poll_interval=poll_interval, timeout=timeout, progress=progress)
            results = {result.custom_id: result async for result in job.results()}
            await asyncio.gather(
                *(_local(agent, run, _apply(run, results[run.input.custom_id])) for run in sent)
            )
        records = [_record(job_id, seq, run) for seq, run in enumerate(runs)]
        db.save_round(job_id, records, {"round": round_no}, _counts(runs))
        finished_round = round_no
    db.update_job(job_id, status="completed", raw_status=f"{finished_round} rounds", counts=_counts(runs))
    return [run.result if run.result is not None else run.error for run in runs]  # type: ignore[misc]


async def _local(agent: Agent[Any, Any], run: _Run, step: Awaitable[T]) -> T | None:
    """One run's local step (its start, its next request, its tools and output), inside the agent's
    run scope as `agent.run` has it (a concurrency slot, the trace span, the toolsets entered) but
    only for the step: between rounds a batch waits for hours, holding none of them. An exception
    ends that run only."""
    try:
        async with agent._run_scope(run.runner):
            return await step
    except Exception as exc:
        run.error = exc
        return None


async def _start(run: _Run) -> None:
    final = await run.runner.start(run.input.user_prompt)
    if final is not None:  # its history's tool calls gave the output: nothing to ask the model
        run.final, run.result = final, _result(run.runner, final)


async def _request(run: _Run) -> BatchRequest:
    """The run's next request, as `runner.request()` prepares it (limits, tools, history processors)."""
    messages, params = await run.runner.prepare_request()
    return BatchRequest(run.input.custom_id, list(messages), run.runner.settings, params)


async def _apply(run: _Run, result: BatchResult) -> None:
    """One run's batch result, handled as `agent.run` handles a response (tools run here)."""
    runner = run.runner
    if result.response is not None:
        runner.add_response(result.response)
        final = await runner.handle_response(result.response)
        if final is not None:
            run.final, run.result = final, _result(runner, final)
    elif isinstance(result.error, ModelHTTPError):
        runner.retry_with_feedback(result.error)  # a generation the vendor rejected, else raised
    else:
        raise result.error or UnexpectedModelBehavior(f"no result for {run.input.custom_id!r}")


def _counts(runs: list[_Run]) -> RequestCounts:
    """An agent batch run's counts, of runs: ended with their output, ended by an error, total."""
    done = sum(run.result is not None for run in runs)
    return RequestCounts(len(runs), done, sum(run.error is not None for run in runs))


def _result(runner: Runner, final: FinalResult) -> AgentRunResult[Any]:
    return AgentRunResult(
        final.output, runner.messages, runner.new_message_index, runner.usage, final.tool_name
    )


# ------------------------------------------------------------------------------------------ saving


def _record(job_id: str, seq: int, run: _Run) -> RunRecord:
    runner = run.runner
    usage = runner.usage
    data: dict[str, Any] = {
        "usage": {
            "requests": usage.requests,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_read_tokens": usage.cache_read_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
            "details": usage.details,
        },
        "tool_retries": runner.tool_retries,
        "output_retries": runner.output_retries,
        "run_step": runner.run_step,
        "new_message_index": runner.new_message_index,
        "input": _fingerprint(run.input),
    }
    state = "waiting"
    if run.result is not None and run.final is not None:
        state = "done"
        data["final"] = {"tool_call_id": run.final.tool_call_id}
        if isinstance(run.final.output, DeferredToolRequests):
            deferred = run.final.output
            data["final"]["deferred"] = {
                "calls": [_call(c) for c in deferred.calls],
                "approvals": [_call(c) for c in deferred.approvals],
                "metadata": deferred.metadata,
            }
    elif run.error is not None:
        state = "failed"
        data["error"] = _error_data(run.error)
    history = ModelMessagesTypeAdapter.dump_json(runner.messages)
    return RunRecord(job_id, seq, run.input.custom_id, state, history, data)


def _saved_runs(db: BatchStore, job_id: str, items: list[_Input]) -> list[RunRecord | None]:
    record = db.job(job_id)
    if record is None or record.kind != "agent":
        raise UserError(f"No agent batch run {job_id!r} in {db}")
    saved = db.runs(job_id)
    given = [(item.custom_id, _fingerprint(item)) for item in items]
    if [(r.custom_id, r.data.get("input")) for r in saved] != given:
        raise UserError(f"resume={job_id!r} needs the same inputs, in the same order, as the run it resumes")
    return list(saved)


async def _restore(
    db: BatchStore, job_id: str, runs: list[_Run], saved: Sequence[RunRecord | None], model: HTTPModel
) -> int:
    """Runs as the last finished round left them (their histories and usage are already in their
    runners); the number of that round."""
    record = db.job(job_id)
    assert record is not None
    if record.model != model_ref(model):
        raise UserError(f"Agent batch run {job_id!r} runs on {record.model}, not {model_ref(model)}")
    for run, state in zip(runs, saved):
        assert state is not None
        runner = run.runner
        runner.tool_retries.clear()  # the same dict the run context holds
        runner.tool_retries.update(state.data.get("tool_retries") or {})
        runner.output_retries = int(state.data.get("output_retries") or 0)
        runner.run_step = runner.ctx.run_step = int(state.data.get("run_step") or 0)
        runner.new_message_index = int(state.data.get("new_message_index") or 0)
        if state.state == "done":
            try:
                run.final = await _final(runner, state.data["final"])
                run.result = _result(runner, run.final)
            except Exception as exc:
                run.error = exc
        elif state.state == "failed":
            run.error = _error(state.data.get("error") or {})
    return int(record.data.get("round") or 0)


def _call(call: ToolCallPart) -> dict[str, Any]:
    return {"tool_name": call.tool_name, "args": call.args, "tool_call_id": call.tool_call_id}


async def _final(runner: Runner, final: dict[str, Any]) -> FinalResult:
    """A finished run's final result, from its saved history (its deferred tool calls as saved)."""
    deferred = final.get("deferred")
    if deferred is not None:
        return FinalResult(
            DeferredToolRequests(
                calls=[ToolCallPart(**c) for c in deferred["calls"]],
                approvals=[ToolCallPart(**c) for c in deferred["approvals"]],
                metadata=deferred["metadata"],
            )
        )
    return await runner.revalidate_final(final.get("tool_call_id"))


def _error_data(error: BaseException) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": type(error).__name__,
        "message": getattr(error, "message", None) or str(error),
    }
    if isinstance(error, ModelAPIError):
        data["model_name"] = error.model_name
    if isinstance(error, ModelHTTPError):
        data.update(status_code=error.status_code, body=error.body)
    if isinstance(error, BatchRequestError):
        data.update(custom_id=error.custom_id, reason=error.reason, detail=error.detail, code=error.code)
    return data


def _error(data: dict[str, Any]) -> BaseException:
    """A saved run's error, as the same type where it is one of wireai's (else `AgentRunError`)."""
    kind, message = data.get("type"), str(data.get("message") or "")
    if kind == "ModelHTTPError":
        return ModelHTTPError(
            int(data.get("status_code") or 500), str(data.get("model_name")), data.get("body")
        )
    if kind == "ModelAPIError":
        return ModelAPIError(str(data.get("model_name")), message)
    if kind == "BatchRequestError":
        return BatchRequestError(data["custom_id"], data["reason"], data["detail"], data.get("code"))
    for cls in (UsageLimitExceeded, UnexpectedModelBehavior, UserError):
        if kind == cls.__name__:
            return cls(message)
    return AgentRunError(f"{kind}: {message}")
