"""setup.py -- `pip install --no-build-isolation .` (Debian's python3-setuptools; no PyPI needed):
builds build/libdlvta.so with make and installs the dlvta module (python/dlvta) with the library
beside it. Debian's pip installs into a virtual environment (PEP 668), e.g.

    /usr/bin/python3 -m venv --system-site-packages ~/dlvta-env    # numpy from Debian
    ~/dlvta-env/bin/pip install --no-build-isolation .
"""
import os
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

ROOT = os.path.dirname(os.path.abspath(__file__))


class BuildPyWithLib(build_py):
    """build_py that also builds libdlvta.so (make) and copies it into the package."""

    def run(self):
        super().run()
        # a make of its own, not a child of a make that may be running this (make test)
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        subprocess.check_call(["make", "-C", ROOT, "-j%d" % (os.cpu_count() or 1), "build/libdlvta.so"], env=env)
        self.copy_file(os.path.join(ROOT, "build", "libdlvta.so"), os.path.join(self.build_lib, "dlvta", "libdlvta.so"))


class BinaryDistribution(Distribution):
    """The package carries a native library: a platform wheel, not a pure-Python one."""

    def has_ext_modules(self):
        return True


setup(
    name="dlvta",
    version=open(os.path.join(ROOT, "VERSION")).read().strip(),
    description="dlvta FPGA deep-learning accelerator: compile ONNX models and run them (ctypes over libdlvta.so)",
    packages=["dlvta"],
    package_dir={"": "python"},
    python_requires=">=3.9",
    install_requires=["numpy"],
    cmdclass={"build_py": BuildPyWithLib},
    distclass=BinaryDistribution,
    # setuptools' scratch space inside the project's build/ (never beside the sources)
    options={"build": {"build_base": "build/pip"}, "egg_info": {"egg_base": "build/pip"}},
)
