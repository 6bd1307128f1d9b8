"""shipit e2e: the checklist's demo path, proven from outside.

    path     health -> create -> read -> search -> delete -> gone -> cors over HTTP (``run_path``)
    browser  the same through the deployed page in headless Chromium (``shipit e2e --browser``)
    render   the reports as tables for people
"""

from shipit.e2e.path import E2eReport, E2eRun, Step, run_path

__all__ = ["E2eReport", "E2eRun", "Step", "run_path"]
