"""shipit: take a containerized backend from a laptop to AWS and prove every step works.

Every verb is a library call of one shape; the CLI (shipit/cli/) only parses, calls and renders,
and the demo (shipit/demo/) and the report call the same entries::

    result = entry(settings, aws, Options(...), *, progress=..., clock=..., sleep=...)

``settings`` is one environment of shipit.toml (``Config.settings(env)``), ``aws`` the
``AwsSession`` built from it, ``Options`` what the user asked (a frozen dataclass; ``root``, the
project folder, when the verb reads or writes files there) and the keywords are what a test
injects. The result is typed and has ``to_dict()`` for ``--json``.

    verb          entry                                   options            result
    push          shipit.push.run                         PushOptions        PushReport
    deploy        shipit.deploy.run.run                   DeployOptions      DeployReceipt
    rollback      shipit.deploy.rollback.run              RollbackOptions    DeployReceipt
    dns           shipit.dns.run (the web.name alias too) DnsOptions         DnsResult
    web deploy    shipit.web.deploy.run                   WebOptions         WebResult
    status        shipit.deploy.status.run                StatusOptions      StatusReport
    logs          shipit.deploy.logview.run / follow      LogOptions         LogsFound
    probe         shipit.deploy.probe.run                 ProbeOptions       ProbeReport
    export        shipit.export.run.run                   ExportOptions      Exported

Where the shape differs, it is because the verb needs something else, not by accident:

- no AWS session: ``build`` is local (``shipit.image.pipeline.build_image(settings.image, root,
  BuildOptions, BuildDeps)``); ``e2e`` is proven from outside (``shipit.e2e.run(settings,
  E2eOptions)``, ``run_browser(settings, BrowserOptions)``; settings None: no shipit.toml).
- the whole Config and the environment's name instead of one Settings: ``doctor``
  (``shipit.doctor.diagnose(config, env, aws, check_ids)``) compares the environment with every
  other one, and ``report`` (``shipit.report.build(config, env, aws, ReportOptions)``) holds
  doctor's findings.
- ``init --from-aws`` writes shipit.toml itself: ``shipit.adopt.discover`` reads AWS into a
  Discovery, ``shipit.adopt.flow.plan(config, env, found)`` is the diff shown before asking,
  ``flow.apply`` writes it; then doctor runs on the new environment.
"""

__version__ = "0.1.0"
