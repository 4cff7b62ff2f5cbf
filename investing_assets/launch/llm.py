"""Parsing a request with an OpenAI-compatible chat-completions endpoint (`INVESTING_CHAT_LLM_URL`).

The model only fills in the same `Draft` the deterministic parser does (a JSON object); `intents.validate` then
checks it exactly as it checks the rules' draft, so a model can never launch a job off the allow-list, a date
that is not a session or a malformed symbol. Anything the endpoint answers that is not such an object is refused
in one line (and the chat falls back to the rules).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import requests

from investing_assets import settings
from investing_assets.launch import catalog
from investing_assets.launch.intents import ANSWERS, QUOTE_CLASSES, Draft, Refusal

SYSTEM = """You turn an analyst's request into one JSON object and nothing else. Today is {today} (New York).
Fields: "action": "launch" or "answer"; for a launch "job": one of the jobs below, "start"/"end": ISO dates of the
first and last session (omit both for the last closed session), "month": "YYYY-MM" for monthly jobs, "symbols": a
list of tickers (only for daily_market_scan or watchlist_reports); for an answer "answer": one of {answers},
"start": the session asked about (ISO), "asset_class": one of {classes} for quotes, "run_id" for a run's status.
Jobs (name: partitioning: what it does):
{jobs}"""


class LlmUnavailable(RuntimeError):
    """The endpoint did not answer with a usable draft."""


def parse_llm(text: str, today: dt.date, config: settings.ChatLlm | None = None) -> Draft:
    config = config or settings.chat_llm()
    if config is None:
        raise LlmUnavailable("no chat model configured (INVESTING_CHAT_LLM_URL)")
    jobs = "\n".join(f"- {j.name}: {j.partitioning}: {j.description}" for j in catalog.jobs().values() if j.launchable)
    body = {"model": config.model, "temperature": 0, "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": SYSTEM.format(today=today.isoformat(), jobs=jobs,
                                                                     answers=", ".join(ANSWERS),
                                                                     classes=", ".join(QUOTE_CLASSES))},
                         {"role": "user", "content": text}]}
    key = settings.chat_llm_key()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = requests.post(f"{config.url}/chat/completions", json=body, headers=headers,
                                 timeout=config.timeout_seconds)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (requests.RequestException, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmUnavailable(f"chat model at {config.url} gave no answer ({type(exc).__name__})") from None
    return draft_of(content)


def draft_of(content: str) -> Draft:
    """The model's message as a Draft: a JSON object, possibly fenced as ```json ...```."""
    fenced = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", content or "", flags=re.S)
    try:
        data = json.loads(fenced.group(1) if fenced else content)
    except (TypeError, ValueError):
        raise Refusal(f"the chat model answered something that is not JSON: {str(content)[:80]!r}") from None
    if not isinstance(data, dict):
        raise Refusal(f"the chat model answered {type(data).__name__}, not an object")
    return Draft.from_dict(data)
