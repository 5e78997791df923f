"""Local AWS emulator: moto server bound to 127.0.0.1 plus the project's own fixes for moto's gaps.

Run ``python -m emulator --help`` for the CLI; ``emulator.server`` holds the Python API used by test fixtures.
"""
