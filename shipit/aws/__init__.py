"""The only place that talks to AWS (besides the sandbox, which emulates it).

One style, as ecspresso's "clients built once from one config and handed around":

- One ``AwsSession`` per run (session.py) resolves region, profile and endpoint once and builds
  each boto3 client once (cached, thread-safe). ``aws.client("ecs")`` is typed by boto3-stubs
  (``ECSClient``, ``Route53Client`` ...) through one overload per service.
- Each module here is plain functions whose first argument is that session:
  ``ecs.describe_service(aws, cluster, service)``, ``route53.find_zone(aws, name)``,
  ``ecr.find_repository(aws, name)``. No classes wrapping a client, no client arguments.
- A function returns typed results (frozen dataclasses, or the raw task definition dict where
  shipit diffs it as AWS returns it) and turns every AWS error into a shipit error with a hint
  (errors.translate).
- Code outside shipit/aws imports these functions and the session, never boto3.
"""
