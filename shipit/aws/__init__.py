"""The only place that talks to AWS. Clients are built once from one session and handed around."""
