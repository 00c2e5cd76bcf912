"""The ``syndidetect`` command line."""
