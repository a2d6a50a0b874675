"""The demo's cutover act: ``inventory-cdc``'s writes are frozen at 8 scenario-minutes, its CDC lag
drains, and the watch started with ``/dms ready inventory-cdc watch`` posts "ready" in its thread
once the lag has stayed under ``[cutover] max_lag`` for ``steady`` — through the real gate
(DMS and CloudWatch from the simulator), the real store, outbox and renderers."""

from __future__ import annotations

from collections.abc import Callable

from bot.app.wiring import Services
from bot.render.plain_text import blocks_to_text
from bot.render.ready import ready_message
from bot.sim import SimServer

CUTOVER_TASK = "inventory-cdc"
FREEZE_AT = 8  # scenario minutes: writes on the source are frozen
ACT_END = 16  # the gate is green by 14 or 15 (5 minutes of lag ≤ 5 s after it drains at 9)
ON_CALL = "U0ONCALL1"
CUTOVER_CHECKLIST = ("Sequences reset on the target", "Triggers and foreign keys enabled on the target")


def play_cutover(sim: SimServer, services: Services, *, channel: str, heading: Callable[[str], str]) -> None:
    print(heading(f"Cutover night: may {CUTOVER_TASK}'s target take over from its source?"))
    sim.advance(FREEZE_AT * 60 - sim.now())
    print(
        f"\n[scenario {FREEZE_AT}m] writes on the source are frozen; someone asks `/dms ready {CUTOVER_TASK}`"
    )
    readiness = services.watches.assess(CUTOVER_TASK)
    print(blocks_to_text(ready_message(readiness)))
    print(f'\n[scenario {FREEZE_AT}m] … and clicks "Tell me when ready" (`/dms ready {CUTOVER_TASK} watch`)')
    services.watches.watch(readiness, channel=channel, user=ON_CALL)
    services.deliverer.run_once()
    told = False
    for minute in range(FREEZE_AT + 1, ACT_END + 1):
        sim.advance(minute * 60 - sim.now())
        if services.watches.tick():
            print(f"\n[scenario {minute}m] the gate turned: the watch says so in its thread")
            services.deliverer.run_once()
            told = True
    if not told:
        print(f"\n(the gate did not turn green by {ACT_END}m: see the checks above)")
    print(
        "\nThe watch judged the gate once a minute (in the DMS budget, at "
        "background priority) and said it once; a restart or a new leader carries on from the store."
    )
