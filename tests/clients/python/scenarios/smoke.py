"""Smoke scenario for the generated Python client: the public spec download and an
authenticated call (getMe) against the running local API. Business scenarios (proposals,
quotes, themes) slot in beside it as further files in this folder.

Env (set by scripts/clients.sh): API_URL, LOCAL_GATEWAY (binary that mints local tokens).
"""

import os
import subprocess

from zorginkoop_client import AuthenticatedClient, Client
from zorginkoop_client.api.meta import get_me, get_open_api_document
from zorginkoop_client.models import Me, Problem, Role


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set; run scenarios through scripts/clients.sh")
    return value


def token(role: str, org: str) -> str:
    out = subprocess.run(
        [env("LOCAL_GATEWAY"), "token", "--role", role, "--org", org], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def main() -> None:
    base_url = env("API_URL")
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    spec = get_open_api_document.sync_detailed(client=anonymous)
    assert spec.status_code == 200, spec

    igo = AuthenticatedClient(base_url=base_url, token=token("igo", "53012345"), raise_on_unexpected_status=True)
    me = get_me.sync(client=igo)
    assert isinstance(me, Me), me
    assert me.role == Role.IGO and me.org == "53012345", me

    # A token that does not verify is denied by the authorizer: 403, as API Gateway answers.
    forged = AuthenticatedClient(base_url=base_url, token="not-a-jwt", raise_on_unexpected_status=True)
    rejected = get_me.sync(client=forged)
    assert isinstance(rejected, Problem) and rejected.status == 403, rejected

    print("python smoke: ok")


if __name__ == "__main__":
    main()
