"""Business scenario with the generated Python client, unmodified: an IGO creates and submits
a proposal; the insurer lists it, reviews it and counters; the IGO revises it (PUT with
If-Match) and resubmits; the insurer reviews again and accepts. Then a dashboard reads the
themes matrix for two zorgkantoren, without a token.

Only the generated client's typed operations and models are used. Every step checks the
status code, the proposal's status and its version (one version per change).

Env (set by scripts/clients.sh): API_URL, LOCAL_GATEWAY (binary that mints local tokens).
"""

import os
import subprocess
from typing import Any, TypeVar

from zorginkoop_client import AuthenticatedClient, Client
from zorginkoop_client.api.proposals import (
    create_proposal,
    get_proposal,
    get_proposal_history,
    list_proposals,
    replace_proposal,
    transition_proposal,
)
from zorginkoop_client.api.themes import get_themes
from zorginkoop_client.models import (
    Action,
    AttentionPoints,
    ClientScope,
    DistributionKey,
    IgoInput,
    Insurer,
    LineInput,
    MemberProvider,
    NewProposal,
    Period,
    PolicyRoute,
    Prestatie,
    Proposal,
    ProposalContent,
    ProposalHistory,
    ProposalList,
    ProviderKind,
    Status,
    ThemesMatrix,
    TransitionRequest,
    ZorgkantoorId,
)
from zorginkoop_client.types import Response

# This scenario's parties; the TypeScript scenario uses another IGO, so the two never meet.
IGO = "53012345"
INSURER = "3311"

T = TypeVar("T")


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


def expect(response: Response[Any], status: int, kind: type[T], step: str) -> T:
    """The parsed body of a response with `status`, of the generated model `kind`."""
    assert response.status_code == status, f"{step}: HTTP {response.status_code}: {response.content!r}"
    parsed = response.parsed
    assert isinstance(parsed, kind), f"{step}: {parsed!r}"
    return parsed


def providers() -> DistributionKey:
    return DistributionKey(
        providers=[
            MemberProvider(
                agb="08000001",
                name="Verloskundigenpraktijk De Wieg",
                kind=ProviderKind.VERLOSKUNDIGENPRAKTIJK,
                share="40",
            ),
            MemberProvider(agb="06000002", name="Ziekenhuis Zuid", kind=ProviderKind.ZIEKENHUIS, share="35"),
            MemberProvider(agb="33000004", name="Kraamzorg Thuis", kind=ProviderKind.KRAAMZORG, share="25"),
        ]
    )


def lines(prenataal: str, kraamzorg: str) -> list[LineInput]:
    return [
        LineInput(prestatie=Prestatie.GEBOORTEZORG_PRENATAAL, volume=1200, tariff=prenataal),
        LineInput(prestatie=Prestatie.KRAAMZORG_POSTNATAAL_PER_UUR, volume=55000, tariff=kraamzorg),
    ]


def transition(
    client: AuthenticatedClient, proposal_id: str, etag: str, request: TransitionRequest, step: str
) -> tuple[Proposal, str]:
    response = transition_proposal.sync_detailed(proposal_id, client=client, body=request, if_match=etag)
    return expect(response, 200, Proposal, step), response.headers["etag"]


def current(client: AuthenticatedClient, proposal_id: str, step: str) -> tuple[Proposal, str]:
    response = get_proposal.sync_detailed(proposal_id, client=client)
    return expect(response, 200, Proposal, step), response.headers["etag"]


def negotiate(base_url: str) -> None:
    igo = AuthenticatedClient(base_url=base_url, token=token("igo", IGO), raise_on_unexpected_status=True)
    insurer = AuthenticatedClient(base_url=base_url, token=token("insurer", INSURER), raise_on_unexpected_status=True)

    # The IGO creates a draft, then submits it.
    new = NewProposal(
        igo=IgoInput(name="IGO Geboortezorg Regio Zuid"),
        insurer=Insurer(uzovi=INSURER, name="Zilveren Kruis"),
        period=Period(year=2026),
        policy_route=PolicyRoute.INTEGRALE_BEKOSTIGING,
        lines=lines("1234.50", "61.25"),
        distribution_key=providers(),
        attention_points=AttentionPoints(client_scope=ClientScope.NEW_CLIENTS_ONLY),
    )
    response = create_proposal.sync_detailed(client=igo, body=new)
    draft = expect(response, 201, Proposal, "create")
    assert draft.status == Status.DRAFT and draft.version == 1, draft
    assert draft.igo.agb == IGO and draft.insurer.uzovi == INSURER, draft
    assert draft.totals.amount == "4850150.00", draft.totals  # 1200 × 1234.50 + 55000 × 61.25
    submitted, _ = transition(
        igo, draft.id, response.headers["etag"], TransitionRequest(action=Action.SUBMIT), "submit"
    )
    assert submitted.status == Status.SUBMITTED and submitted.version == 2, submitted

    # The insurer finds it among the submitted proposals of this IGO, reviews and counters.
    page = expect(
        list_proposals.sync_detailed(client=insurer, status=Status.SUBMITTED, igo=IGO), 200, ProposalList, "list"
    )
    assert [item.id for item in page.items] == [draft.id], page
    _, etag = current(insurer, draft.id, "insurer reads")
    reviewing, etag = transition(insurer, draft.id, etag, TransitionRequest(action=Action.START_REVIEW), "review")
    assert reviewing.status == Status.UNDER_REVIEW and reviewing.version == 3, reviewing
    countered, _ = transition(
        insurer,
        draft.id,
        etag,
        TransitionRequest(
            action=Action.COUNTER, reason="Prenataal boven ons inkoopbeleid.", counter_lines=lines("1180.00", "60.00")
        ),
        "counter",
    )
    assert countered.status == Status.COUNTERED and countered.version == 4, countered
    assert countered.counter and countered.counter.totals.amount == "4716000.00", countered.counter

    # The IGO meets the counter halfway: it replaces the content (If-Match) and resubmits.
    _, etag = current(igo, draft.id, "IGO reads the counter")
    revised_content = ProposalContent(
        period=Period(year=2026),
        policy_route=PolicyRoute.INTEGRALE_BEKOSTIGING,
        lines=lines("1200.00", "60.50"),
        distribution_key=providers(),
        attention_points=AttentionPoints(client_scope=ClientScope.NEW_CLIENTS_ONLY),
    )
    response = replace_proposal.sync_detailed(draft.id, client=igo, body=revised_content, if_match=etag)
    revised = expect(response, 200, Proposal, "revise")
    assert revised.status == Status.COUNTERED and revised.version == 5, revised
    assert revised.totals.amount == "4767500.00", revised.totals
    stale = replace_proposal.sync_detailed(draft.id, client=igo, body=revised_content, if_match=etag)
    assert stale.status_code == 412, f"a stale If-Match is refused: {stale.status_code}"
    resubmitted, _ = transition(
        igo, draft.id, response.headers["etag"], TransitionRequest(action=Action.SUBMIT), "resubmit"
    )
    assert resubmitted.status == Status.SUBMITTED and resubmitted.version == 6, resubmitted

    # The insurer starts its review again and accepts.
    _, etag = current(insurer, draft.id, "insurer reads the revision")
    reviewing, etag = transition(insurer, draft.id, etag, TransitionRequest(action=Action.START_REVIEW), "review 2")
    assert reviewing.status == Status.UNDER_REVIEW and reviewing.version == 7, reviewing
    accepted, _ = transition(insurer, draft.id, etag, TransitionRequest(action=Action.ACCEPT), "accept")
    assert accepted.status == Status.ACCEPTED and accepted.version == 8, accepted
    assert accepted.totals.amount == "4767500.00", accepted.totals

    history = expect(get_proposal_history.sync_detailed(draft.id, client=igo), 200, ProposalHistory, "history")
    assert [v.version for v in history.versions] == list(range(1, 9)), history.versions
    assert len(history.entries) == 8, history.entries


def dashboard(base_url: str) -> None:
    public = Client(base_url=base_url, raise_on_unexpected_status=True)
    wanted = [ZorgkantoorId.CZ, ZorgkantoorId.ZILVEREN_KRUIS]
    matrix = expect(get_themes.sync_detailed(client=public, zorgkantoor=wanted), 200, ThemesMatrix, "themes")
    assert {z.id for z in matrix.zorgkantoren} == set(wanted), matrix.zorgkantoren
    assert matrix.cells, "the matrix has cells"
    assert {c.zorgkantoor for c in matrix.cells} == set(wanted), "cells of the two zorgkantoren, and only theirs"
    assert {c.theme for c in matrix.cells} == {t.id for t in matrix.themes}, "every theme has cells"


def main() -> None:
    base_url = env("API_URL")
    negotiate(base_url)
    dashboard(base_url)
    print("python negotiation and dashboard: ok")


if __name__ == "__main__":
    main()
