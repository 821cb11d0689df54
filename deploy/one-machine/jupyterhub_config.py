"""JupyterHub for a class on one machine: the students' own Unix accounts, one JupyterLab each.

Step by step in deploy/README.md. In short: the hub, the course and every student's JupyterLab
share one Python environment (``/opt/neuron-to-mnist/.venv``, with ``pip install -e ".[hub]"``);
students log in with their Unix user name and password (PAM) if they are in the ``students``
group; each gets a JupyterLab running as themselves in their own home, which persists like any
home folder; systemd holds each one to the memory and CPU below; an idle server is stopped after
an hour. The course reaches the homes by the nbgitpuller link that ``nnlib hub-link`` prints.

Run it as root from the folder that keeps the hub's state (its database and cookie secret):
``cd /srv/jupyterhub && /opt/neuron-to-mnist/.venv/bin/jupyterhub -f <this file>``.
The test suite (tests/hub) starts this very file, with its own users, spawner and ports on top.
"""

import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub defines get_config when it loads this file)

ENV_BIN = Path(sys.executable).parent  # the course's environment, which runs this hub

# Where students reach the hub. Put HTTPS in front of it (e.g. Caddy or nginx on port 443), or
# give JupyterHub a certificate with c.JupyterHub.ssl_cert and c.JupyterHub.ssl_key.
c.JupyterHub.bind_url = "http://:8000"

# Who may log in: the Unix accounts of the group "students" (their usual password, through PAM),
# and the instructor, who is an admin (can see and stop every student's server).
c.LocalAuthenticator.allowed_groups = {"students"}
c.Authenticator.admin_users = {"instructor"}

# Each student's JupyterLab: started by systemd as that student, in their home, from the
# course's environment, and held by systemd to the limits below (a runaway kernel is stopped
# there, not the machine). Sizes from deploy/README.md ("What a student needs").
c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = "2G"
c.Spawner.cpu_limit = 2.0
c.Spawner.environment = {
    # numpy's BLAS would start a thread per core of the machine, and 40 students' kernels
    # would fight over them: as many threads as the student's CPU limit.
    "OPENBLAS_NUM_THREADS": "2",
    "OMP_NUM_THREADS": "2",
    "MKL_NUM_THREADS": "2",
}
c.SystemdSpawner.isolate_tmp = True  # a private /tmp: no student sees another's files there
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.disable_user_sudo = True
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60

# Stop a server no one has used for an hour (its open notebooks are saved; the kernels' memory
# goes back to the machine); the student's files stay, and their next visit starts it again.
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            "--timeout=3600",
            "--cull-every=300",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
