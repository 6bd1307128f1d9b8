"""`shipit demo`: the README's main job, the whole week on a laptop with no AWS account.

    sandbox up -> build -> push -> deploy -> dns -> doctor -> e2e -> summary -> sandbox down

Each step calls the same library functions as its command (``steps.py``); ``run.py`` times them,
stops at the first failure and always tears down what it started; ``report.py`` holds the
results, ``render.py`` prints them; ``base_image.py`` finds a builder and a local base image.
"""

from shipit.demo.report import DemoReport, StepResult
from shipit.demo.run import DemoOptions, run_demo

__all__ = ["DemoOptions", "DemoReport", "StepResult", "run_demo"]
