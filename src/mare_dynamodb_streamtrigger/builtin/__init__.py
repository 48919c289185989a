"""Built-in Lambda functions for zero-code triggers (a trigger without `Code`).

The function's archive holds the module of its trigger type, under the name `Handler` gives, and
`stream_batch.py` beside it; all of them use the standard library and boto3 only, and nothing else
of this package.

- `pipeline`: PIPELINE, starts every CodePipeline pipeline named in the environment once per batch.
- `sns_topic`: SNS_TOPIC, publishes every record's new image, as plain JSON, to every SNS topic named
  in the environment.
- `stream_batch`: what both share: the records of a pipe's batch, one client per service and region.
"""
