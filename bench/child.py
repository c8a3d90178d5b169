"""Run one measured task in a process of its own: `python -m bench.child TASK ARGUMENTS_JSON`.

Each benchmark runs mailbot, and each limit it is compared with, in a child
process, so that none of them shares an interpreter or its memory with the
benchmark's own bookkeeping. The task's result is printed as one JSON line,
the last line of stdout.
"""

from __future__ import annotations

import importlib
import json
import sys

# Task name: (module, function). Each function takes the decoded arguments and returns a JSON-able dict.
TASKS = {
    "fetch_parse": ("bench.backlog", "fetch_and_parse"),
    "drain": ("bench.backlog", "drain_with_run_once"),
    "send_ready": ("bench.backlog", "send_ready_made"),
    "sweep": ("bench.reminders", "time_sweeps"),
    "memory": ("bench.memory", "measure_one_pass"),
    "memory_floor": ("bench.memory", "measure_fetch_and_parse"),
    "idle_floor": ("bench.latency", "measure_idle_floor"),
}


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python -m bench.child TASK ARGUMENTS_JSON, with TASK one of {', '.join(TASKS)}")
    module_name, function_name = TASKS[sys.argv[1]]
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(json.loads(sys.argv[2]))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
