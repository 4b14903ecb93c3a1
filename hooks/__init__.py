"""Template hooks and helpers shared by copier and cookiecutter.

`template/hooks` is a symlink to this package so that cookiecutter finds its hook scripts
here and can import these modules (cookiecutter puts the template directory on sys.path).
"""
