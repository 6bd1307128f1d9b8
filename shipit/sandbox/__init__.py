"""The sandbox: a local AWS (moto, in-process) with the reference stack and a scheduler stand-in.

``control`` starts and stops the daemon from the CLI; ``daemon`` is the process itself, which
runs moto's ThreadedMotoServer, builds the stack (``stack``), and runs the ``scheduler`` that
moves ECS deployments by starting each revision's task as a local process (``runner``) behind
a loopback reverse proxy that plays the ALB (``proxy``).
"""
