"""`shipit deploy`, `rollback`: register a revision, update the service, follow the deployment.

Pure decisions live in ``taskdef`` (next revision, diff), ``classify`` (stopped reasons),
``verdict`` (what a sequence of observations means) and ``revisions`` (rollback target);
``wait`` loops with an injected clock and sleep; ``run`` and ``rollback`` read as named steps.
"""
