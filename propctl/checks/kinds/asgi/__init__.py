"""The `asgi` kind (`kind`): requests to the target's app, run by `runner` in a process of the
target's Python, kept warm by `pool`, with the helper processes some checks need (a
throwaway redis-server, `helper_processes`)."""
