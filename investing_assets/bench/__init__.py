"""`make bench`: speed figures measured against a baseline in the same run, printed with their targets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str  # human-readable, e.g. "<= 2.0x baseline"
    ok: bool
    detail: str = ""
    skipped: bool = False  # not measured (e.g. its data is absent): neither within target nor a miss

    def line(self) -> str:
        if self.skipped:
            return f"[skip] {self.name}: not measured (target {self.target}) {self.detail}".rstrip()
        mark = "ok  " if self.ok else "MISS"
        return f"[{mark}] {self.name}: {self.value:,.3f} {self.unit} (target {self.target}) {self.detail}".rstrip()


def skipped(name: str, unit: str, target: str, why: str) -> Figure:
    return Figure(name, float("nan"), unit, target, False, why, skipped=True)
