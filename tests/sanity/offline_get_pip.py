"""Stand-in for ansible-test's pip bootstrap script (get-pip.py) on machines that reach PyPI but
not ci-files.testing.ansible.com. ansible-test runs it inside each fresh sanity virtualenv with
pip-install arguments; it seeds pip from the standard library's ensurepip, then lets that pip
install what was asked for (pip itself at ansible-test's pinned version) from the package index.
scripts/sanity.sh copies it to the cache path ansible-test documents for a manual download."""

import subprocess
import sys

IGNORED = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in IGNORED]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
