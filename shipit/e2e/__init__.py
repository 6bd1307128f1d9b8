"""shipit e2e: the checklist's demo path, proven from outside.

    entry    ``run(settings, E2eOptions)`` and ``run_browser``: the verb's entries from shipit.toml
    path     health -> create -> read -> search -> delete -> gone -> cors over HTTP (``run_path``)
    browser  the same through the deployed page in headless Chromium (``shipit e2e --browser``)
    render   the reports as tables for people
"""

from shipit.e2e.entry import BrowserOptions, E2eOptions, run, run_browser
from shipit.e2e.path import E2eReport, E2eRun, Step, run_path

__all__ = ["BrowserOptions", "E2eOptions", "E2eReport", "E2eRun", "Step", "run", "run_browser",
           "run_path"]
