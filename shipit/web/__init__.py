"""The static frontend: deploy it to S3 website hosting, and where its origin comes from."""
