"""What the entrypoint checks before and while the library handles a request: its shape, the
callback context's claims, and the secrets no log may carry."""
