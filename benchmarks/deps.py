"""Set-up of the benchmark peers: the Debian packages they come from.

`ensure_packages()` installs the missing ones with
`apt-get install -y --no-install-recommends` (through sudo when not root),
the same way the top-level Makefile's `deps` target installs the build's
packages. Run it as `/usr/bin/python3 benchmarks/deps.py`.
"""

import os
import subprocess
import sys

#: Debian packages of the peers (docs/Performance.md, "Peers").
PACKAGES = [
    "libopenblas-dev",       # OpenBLAS 0.3.21 (pthread): cblas_sgemm
    "libdnnl-dev",           # oneDNN 2.6.3: dnnl_sgemm
    "libxsmm-dev",           # libxsmm 1.17 (static libs): batch-reduce GEMM
    "python3-torch",         # torch 1.13: topk (DropIT's path)
    "python3-matplotlib",    # plot.py
    "python3-threadpoolctl",  # BLAS kernel check
]


def installed(package):
    """Whether dpkg reports `package` as installed."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                         capture_output=True, text=True)
    return out.returncode == 0 and "install ok installed" in out.stdout


def ensure_packages(packages=PACKAGES):
    """Installs the packages of `packages` that are missing; returns them."""
    missing = [p for p in packages if not installed(p)]
    if not missing:
        return []
    print("installing missing peer packages:", " ".join(missing), flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"]
                   + missing, check=True, env=env)
    return missing


if __name__ == "__main__":
    ensure_packages()
    sys.exit(0)
