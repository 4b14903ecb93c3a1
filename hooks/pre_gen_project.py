"""Cookiecutter pre-generation hook: apply copier.yml's validators to cookiecutter's answers.

Cookiecutter renders this file with Jinja before running it, which injects the answers below.
On any invalid answer it prints every problem and exits 1; cookiecutter then removes the
partly created project directory, so no half-rendered project is left behind.
"""

import json
import sys

ANSWERS = json.loads(r"""<{ cookiecutter | tojson }>""")
sys.path.insert(0, ANSWERS["_repo_dir"])

from hooks.answers import validate  # noqa: E402

errors = validate(ANSWERS)
if errors:
    print("pavedroad: the answers are invalid; nothing was generated.", file=sys.stderr)
    for error in errors:
        print(f"  - {error}", file=sys.stderr)
    sys.exit(1)
