"""The chat launcher every face shares (`investing chat`, the API's /chat, `investing mcp`): a request becomes a
plan (parsed by the configured model, else or on its failure by the rules; validated either way), shown and kept
in model memory under an id; confirming the id re-validates it and launches it (or reads the answer), and every
launch is recorded: ops.chat_launches (request, job, parameters, run ids) and memory `chat:launches`.

The conversation itself is model memory too (`chat:<conversation>`, one item per message), synced nightly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from investing_assets import settings
from investing_assets.launch import catalog, intents
from investing_assets.launch.graphql_launcher import GraphqlLauncher, WebserverUnavailable
from investing_assets.launch.intents import Draft, Plan, Refusal
from investing_assets.launch.launcher import DaemonBusy, Launched, Launcher
from investing_assets.lib.core import calendar
from investing_assets.lib.services.model_memory import ensure_loaded
from investing_assets.lib.services.reads import NotFound, Stores, Window
from investing_assets.lib.services.reads import market as market_reads
from investing_assets.lib.storage import names
from investing_assets.lib.storage.memory import UNAVAILABLE, MemoryStore, now_version
from investing_assets.lib.storage.queries.memory import read_launches, record_launch

log = logging.getLogger(__name__)
PLANS = "chat:plans"  # memory namespace: plan id -> the plan shown, until it is launched


@contextlib.contextmanager
def open_launcher(by: str, webserver: str | None = None) -> Iterator[Launcher | GraphqlLauncher]:
    """Through the webserver's GraphQL when one is known and answers (its daemon launches; returns at once).
    Else this process launches and waits (the home's daemon lock held meanwhile); when a daemon already runs
    (`make dev`), runs and backfills are submitted to its queue instead. `launcher.fallback` says why a known
    webserver was not used."""
    fallback = None
    if webserver:
        try:
            launcher = GraphqlLauncher.connect(webserver, by)
        except WebserverUnavailable as down:
            fallback = str(down)
            log.warning("%s; launching through the instance", down)
        else:
            yield launcher
            return
    with _instance_launcher(by) as launcher:
        launcher.fallback = fallback
        yield launcher


@contextlib.contextmanager
def _instance_launcher(by: str) -> Iterator[Launcher]:
    try:
        with Launcher.open(by) as launcher:
            yield launcher
            return
    except DaemonBusy:
        pass
    with Launcher.open_for_daemon(by) as launcher:
        yield launcher


@dataclass
class Chat:
    stores: Stores
    runs: Callable[[str | None], list[dict]]  # run status by (a prefix of) id, or the newest runs
    by: str = "investing chat"
    webserver: str | None = field(default_factory=settings.dagster_ui_url)  # launches go through its GraphQL

    def __post_init__(self) -> None:
        self._memory: MemoryStore | None = None

    @property
    def memory(self) -> MemoryStore:
        """Model memory, refilled from PostgreSQL first when Redis started empty or was flushed."""
        if self._memory is None:
            self._memory = MemoryStore(self.stores.cache.url)
            ensure_loaded(self._memory, self.stores.warehouse)
        return self._memory

    # -- plan ---------------------------------------------------------------------------------------------------
    def plan(self, text: str, conversation: str = "default", now: dt.datetime | None = None) -> Plan:
        """The validated plan for `text`, kept under `plan.id` for `confirm`; a Refusal says why not."""
        self._remember(conversation, "user", text)
        try:
            draft, parsed_by = self._draft(text, now)
            plan = intents.validate(draft, text, parsed_by=parsed_by, now=now)
        except Refusal as refusal:
            self._remember(conversation, "assistant", f"refused: {refusal}")
            raise
        return self.keep_plan(plan, conversation)

    def keep_plan(self, plan: Plan, conversation: str) -> Plan:
        """Give a validated plan its id and keep it in memory for `confirm`."""
        plan.id = uuid.uuid4().hex[:12]
        plan.conversation = conversation
        self._keep(PLANS, {plan.id: plan.to_dict()})
        self._remember(conversation, "assistant", f"plan {plan.id}: {plan.describe()}")
        return plan

    def _draft(self, text: str, now: dt.datetime | None) -> tuple[Draft, str]:
        today = calendar.in_new_york(now).date()
        config = settings.chat_llm()
        if config is not None:
            from investing_assets.launch.llm import LlmUnavailable, parse_llm

            try:
                return parse_llm(text, today, config), f"llm:{config.model}"
            except (LlmUnavailable, Refusal) as failed:
                log.warning("%s; parsing with the rules", failed)
        return intents.parse_rules(text, now), "rules"

    def stored_plan(self, plan_id: str) -> Plan:
        try:
            stored = self.memory.values(PLANS).get(plan_id)
        except UNAVAILABLE:
            stored = None
        if stored is None:
            raise Refusal(f"no plan {plan_id!r} to confirm: ask again")
        return Plan.from_dict(stored)

    # -- confirm ----------------------------------------------------------------------------------------------------
    def answer(self, plan: Plan) -> dict[str, Any]:
        """What the read services say, for an answer plan."""
        if plan.answer == "jobs":
            return {"data": [entry.to_dict() for entry in catalog.jobs().values()]}
        if plan.answer == "launches":
            return {"data": read_launches(self.stores.warehouse)}
        if plan.answer == "run_status":
            return {"data": self.runs(plan.run_id)}
        if plan.answer == "quotes":
            result = market_reads.quotes(self.stores, plan.asset_class or "index", Window(limit=50))
        elif plan.session:
            result = market_reads.discoveries(self.stores, dt.date.fromisoformat(plan.session), Window(limit=10))
        else:
            result = market_reads.latest_scan(self.stores, Window(limit=10))
        return {"data": result.data, "as_of": result.as_of, "synthetic": result.label.synthetic}

    def confirm(self, plan_id: str, launcher_factory: Callable[..., Any] = open_launcher) -> dict[str, Any]:
        """Re-validate the stored plan (the calendar may have moved, the allow-list changed) and launch it, or
        read its answer."""
        shown = self.stored_plan(plan_id)
        plan = intents.validate(_redraft(shown), shown.request, parsed_by=shown.parsed_by)
        if plan.action == "answer":
            try:
                return {"plan": shown.to_dict(), **self.answer(plan)}
            except NotFound as missing:
                raise Refusal(str(missing)) from None
        if plan.partitions != shown.partitions or plan.run_config != shown.run_config:
            raise Refusal(f"plan {plan_id} no longer holds as shown (now: {plan.describe()}): ask again")
        with launcher_factory(self.by, self.webserver) as launcher:
            launched = launch(plan, launcher)
        # path: graphql (the webserver), in-process (here, waited for) or daemon-queue (the instance's queue);
        # fallback: why a configured webserver was not used
        outcome = {"plan": shown.to_dict(), "job": plan.job, "backfill_id": launched.backfill_id,
                   "runs": {run_id: status.value for run_id, status in launched.runs.items()},
                   "submitted_to_daemon": launcher.to_daemon, "path": launcher.path, "fallback": launcher.fallback}
        record_launch(self.stores.warehouse, plan.request, plan.job, {"partitions": plan.partitions,
                      "symbols": plan.symbols, "run_config": plan.run_config, "path": launcher.path,
                      "fallback": launcher.fallback}, list(launched.runs), launched.backfill_id, self.by)
        self._keep(names.CHAT_LAUNCHES, {launched.backfill_id or next(iter(launched.runs), plan_id): {
            "request": plan.request, "job": plan.job, "partitions": plan.partitions, "symbols": plan.symbols,
            "runs": list(launched.runs), "backfill_id": launched.backfill_id, "by": self.by,
            "path": launcher.path, "fallback": launcher.fallback}})
        self._remember(shown.conversation or "default", "assistant",
                       f"launched {plan.job} ({launcher.path}): {', '.join(launched.runs) or launched.backfill_id}")
        return outcome

    # -- memory -----------------------------------------------------------------------------------------------------
    def history(self, conversation: str = "default") -> list[dict]:
        try:
            items = self.memory.items(f"chat:{conversation}")
        except UNAVAILABLE:
            return []
        return [entry.value for _, entry in sorted(items.items(), key=lambda kv: kv[1].version)]

    def _remember(self, conversation: str, role: str, text: str) -> None:
        self._keep(f"chat:{conversation}", {f"{now_version()}-{role}": {
            "role": role, "text": text, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}})

    def _keep(self, namespace: str, items: dict[str, Any]) -> None:
        try:
            self.memory.put(namespace, items)
        except UNAVAILABLE as exc:  # the chat goes on; the memory misses this item
            log.warning("Redis unavailable, model memory %s not updated: %s", namespace, exc)


def launch(plan: Plan, launcher: Launcher | GraphqlLauncher) -> Launched:
    """One partition (or none) is a run of the job; several are a backfill of the job's assets."""
    entry = catalog.jobs()[plan.job]
    tags = {"investing/chat_request": plan.request[:200]}
    # the instance launcher takes a grid key's tags from its assets; GraphQL's run_job tags every dimension
    grid_by_assets = entry.partitioning == "watchlist" and isinstance(launcher, Launcher)
    if len(plan.partitions) > 1 or grid_by_assets:
        return launcher.materialize(list(entry.assets), plan.partitions, title=f"chat: {plan.request[:80]}",
                                    tags={**tags, "investing/chat_job": plan.job}, run_config=plan.run_config)
    return launcher.run_job(plan.job, plan.partitions[0] if plan.partitions else None, tags=tags,
                            run_config=plan.run_config)


def _redraft(plan: Plan) -> Draft:
    """The draft that validates to `plan` again."""
    draft = Draft(action=plan.action, job=plan.job, answer=plan.answer, symbols=list(plan.symbols),
                  asset_class=plan.asset_class, run_id=plan.run_id, start=plan.session)
    if plan.action == "launch" and plan.partitions:
        entry = catalog.jobs().get(plan.job or "")
        days = [key.split("|")[0] for key in plan.partitions]
        if entry is not None and entry.partitioning == "month":
            draft.month = days[0][:7]
        else:
            draft.start, draft.end = days[0], days[-1]
    return draft
