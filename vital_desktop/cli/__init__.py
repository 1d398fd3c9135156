"""The ``vital-link`` command line: a thin layer over the core and the sandbox server."""
