"""What the stacks need to know about well-known database images: the user and group the
image runs as, where it writes its data, how it takes its password and how to probe it.

Pinned to the Debian-based Docker official images (``docker-library``), whose Dockerfiles
create the database user with a fixed id (``groupadd -r -g 999 ... useradd -r -u 999``;
the Alpine variants of postgres use 70). Matched on the image's last path component, so a
registry mirror (``registry.example.com/library/postgres:16.4``) is recognised. Any other
image needs ``deploy: {run_as_user, data_path}`` in the inventory.

Standard library only: ``planner.emit`` and the policy rules (which also run inside the
CrossGuard pack, without Jinja2) both read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ImageProfile:
    """How one known database image runs."""

    engine: str
    uid: int
    data_path: str
    credential_env: str
    """Environment variable the image reads the password from."""
    env: Mapping[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    probe_command: tuple[str, ...] = ()
    """Exec probe; empty: a TCP probe on the first port."""


POSTGRES_DATA = "/var/lib/postgresql/data"
KNOWN_IMAGES: Mapping[str, ImageProfile] = {
    # PGDATA one level below the mount point: a fresh volume's lost+found makes initdb
    # refuse a non-empty directory.
    "postgres": ImageProfile(
        engine="postgres",
        uid=999,
        data_path=POSTGRES_DATA,
        credential_env="POSTGRES_PASSWORD",
        env={"PGDATA": f"{POSTGRES_DATA}/pgdata"},
        probe_command=("pg_isready", "-U", "postgres"),
    ),
    # The image reads no password variable: the server is started with --requirepass
    # (Kubernetes expands $(VAR) in args from the container's environment).
    "redis": ImageProfile(
        engine="redis",
        uid=999,
        data_path="/data",
        credential_env="REDIS_PASSWORD",
        args=("--requirepass", "$(REDIS_PASSWORD)"),
    ),
    "mysql": ImageProfile(
        engine="mysql", uid=999, data_path="/var/lib/mysql", credential_env="MYSQL_ROOT_PASSWORD"
    ),
    "mariadb": ImageProfile(
        engine="mariadb",
        uid=999,
        data_path="/var/lib/mysql",
        credential_env="MARIADB_ROOT_PASSWORD",
    ),
    "mongo": ImageProfile(
        engine="mongo",
        uid=999,
        data_path="/data/db",
        credential_env="MONGO_INITDB_ROOT_PASSWORD",
        env={"MONGO_INITDB_ROOT_USERNAME": "root"},
    ),
}
SINGLE_PRIMARY = frozenset({"postgres", "redis", "mysql", "mariadb", "mongo"})
"""Engines whose replicas, without an operator, are unrelated primaries (each initialises
its own data and replicates nothing)."""
ROOT_IMAGES = frozenset(KNOWN_IMAGES)
"""Images whose entrypoint starts as root (and steps down to the database user): under
``runAsNonRoot`` without ``runAsUser`` the kubelet refuses to start them."""
ALPINE_UIDS = {"postgres": 70}
"""User ids of the Alpine variants where they differ."""
CNPG_OPERAND = "ghcr.io/cloudnative-pg/postgresql"
"""CloudNativePG's PostgreSQL images: the operator runs its instance manager in them, so a
Cluster cannot use the Docker official image; same version tags."""
CREDENTIAL_KEY = "password"
"""The key of a database's credentials Secret the pods read."""


def repository(image: str) -> str:
    """The image without tag or digest (``registry/path/name``)."""
    name = image.split("@", 1)[0]
    head, _, tail = name.rpartition("/")
    tail = tail.split(":", 1)[0]
    return f"{head}/{tail}" if head else tail


def tag(image: str) -> str | None:
    """The image's tag, ``None`` for a digest reference or no tag."""
    if "@" in image:
        return None
    last = image.rpartition("/")[2]
    return last.split(":", 1)[1] if ":" in last else None


def base_name(image: str) -> str:
    """The last path component of the image's repository (``postgres``)."""
    return repository(image).rpartition("/")[2]


def profile(image: str) -> ImageProfile | None:
    """The known profile of ``image`` (by its last path component), else ``None``."""
    base = repository(image).rpartition("/")[2]
    known = KNOWN_IMAGES.get(base)
    if known is None:
        return None
    image_tag = tag(image) or ""
    if "alpine" in image_tag and base in ALPINE_UIDS:
        return ImageProfile(
            engine=known.engine,
            uid=ALPINE_UIDS[base],
            data_path=known.data_path,
            credential_env=known.credential_env,
            env=known.env,
            args=known.args,
            probe_command=known.probe_command,
        )
    return known


def cnpg_image(image: str) -> str:
    """The CloudNativePG operand image for a PostgreSQL ``image``: the official
    ``postgres:<tag>`` maps to ``ghcr.io/cloudnative-pg/postgresql:<tag>``; any other
    reference (a digest, an operand image already) is kept."""
    base = repository(image).rpartition("/")[2]
    image_tag = tag(image)
    if base == "postgres" and image_tag is not None:
        return f"{CNPG_OPERAND}:{image_tag}"
    return image
