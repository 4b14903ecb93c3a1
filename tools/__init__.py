"""pavedroad's pinned toolchain: tools/versions.toml, its installer and the schema generator.

A package only so that tests can import the modules; each module also runs as a script
(`python3 tools/bootstrap.py`).
"""
