"""The pure core: names, policies, validation, settings, request arguments, the model read back,
errors, waits. No AWS call."""
