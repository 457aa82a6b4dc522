"""The `chalice` command, with Nagle's algorithm off on `chalice local`'s sockets.

chalice local's handler writes the status line, headers and body separately; with Nagle on, a
keep-alive client waits for the delayed ACK (~40 ms) on every request.
"""
from chalice import local
from chalice.cli import main

local.ChaliceRequestHandler.disable_nagle_algorithm = True

if __name__ == "__main__":
    raise SystemExit(main())
