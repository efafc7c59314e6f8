// Business scenario with the generated TypeScript client, unmodified: an IGO creates and
// submits a proposal; the insurer lists it, reviews it and counters; the IGO revises it (PUT
// with If-Match) and resubmits; the insurer reviews again and accepts. Then a dashboard reads
// the themes matrix for two zorgkantoren, without a token.
// Only the generated SDK functions and types are used; every step checks the status code,
// the proposal's status and its version (one version per change).
// Env (set by scripts/clients.sh): API_URL, LOCAL_GATEWAY (binary that mints local tokens).
import { execFileSync } from 'node:child_process';
import { createClient } from '../../generated/typescript/client/index.js';
import {
  createProposal,
  getProposal,
  getProposalHistory,
  getThemes,
  listProposals,
  replaceProposal,
  transitionProposal,
  type DistributionKey,
  type LineInput,
  type Proposal,
  type ProposalContent,
  type TransitionRequest,
  type ZorgkantoorId,
} from '../../generated/typescript/index.js';

// This scenario's parties; the Python scenario uses another IGO, so the two never meet.
const IGO = '53023456';
const INSURER = '3311';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run scenarios through scripts/clients.sh`);
  return value;
}

function token(role: string, org: string): string {
  return execFileSync(env('LOCAL_GATEWAY'), ['token', '--role', role, '--org', org], { encoding: 'utf8' }).trim();
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The body of a response with `status`; throws with the problem document otherwise. */
function expect<T>(result: { data?: T; error?: unknown; response: Response }, status: number, step: string): T {
  check(
    result.response.status === status && result.data !== undefined,
    `${step}: HTTP ${result.response.status}: ${JSON.stringify(result.error)}`,
  );
  return result.data;
}

function etagOf(result: { response: Response }): string {
  const etag = result.response.headers.get('etag');
  check(etag !== null, 'the response carries an ETag');
  return etag;
}

const providers: DistributionKey = {
  providers: [
    { agb: '08000001', name: 'Verloskundigenpraktijk De Wieg', kind: 'verloskundigenpraktijk', share: '40' },
    { agb: '06000002', name: 'Ziekenhuis Zuid', kind: 'ziekenhuis', share: '35' },
    { agb: '33000004', name: 'Kraamzorg Thuis', kind: 'kraamzorg', share: '25' },
  ],
};

function lines(prenataal: string, kraamzorg: string): LineInput[] {
  return [
    { prestatie: 'geboortezorg_prenataal', volume: 1200, tariff: prenataal },
    { prestatie: 'kraamzorg_postnataal_per_uur', volume: 55000, tariff: kraamzorg },
  ];
}

const baseUrl = env('API_URL');
// One token per party (minting spawns the gateway binary; a token lives an hour).
const igoToken = token('igo', IGO);
const insurerToken = token('insurer', INSURER);
const igo = createClient({ baseUrl, auth: () => igoToken });
const insurer = createClient({ baseUrl, auth: () => insurerToken });

async function transition(
  client: typeof igo,
  id: string,
  etag: string,
  body: TransitionRequest,
  step: string,
): Promise<[Proposal, string]> {
  const result = await transitionProposal({ client, path: { id }, headers: { 'If-Match': etag }, body });
  return [expect(result, 200, step), etagOf(result)];
}

async function current(client: typeof igo, id: string, step: string): Promise<string> {
  const result = await getProposal({ client, path: { id } });
  expect(result, 200, step);
  return etagOf(result);
}

// The IGO creates a draft, then submits it.
const created = await createProposal({
  client: igo,
  body: {
    igo: { name: 'IGO Geboortezorg Regio Noord' },
    insurer: { uzovi: INSURER, name: 'Zilveren Kruis' },
    period: { year: 2026 },
    policy_route: 'integrale_bekostiging',
    lines: lines('1234.50', '61.25'),
    distribution_key: providers,
    attention_points: { client_scope: 'new_clients_only' },
  },
});
const draft = expect(created, 201, 'create');
check(draft.status === 'draft' && draft.version === 1, `create: ${JSON.stringify(draft)}`);
check(draft.igo.agb === IGO && draft.insurer.uzovi === INSURER, `create: parties ${JSON.stringify(draft)}`);
check(draft.totals.amount === '4850150.00', `create: totals ${JSON.stringify(draft.totals)}`);
const id = draft.id;
let [proposal, etag] = await transition(igo, id, etagOf(created), { action: 'submit' }, 'submit');
check(proposal.status === 'submitted' && proposal.version === 2, `submit: ${proposal.status} v${proposal.version}`);

// The insurer finds it among the submitted proposals of this IGO, reviews and counters.
const page = expect(await listProposals({ client: insurer, query: { status: 'submitted', igo: IGO } }), 200, 'list');
check(page.items.length === 1 && page.items[0]?.id === id, `list: ${JSON.stringify(page.items.map((p) => p.id))}`);
etag = await current(insurer, id, 'insurer reads');
[proposal, etag] = await transition(insurer, id, etag, { action: 'start_review' }, 'review');
check(proposal.status === 'under_review' && proposal.version === 3, `review: ${proposal.status} v${proposal.version}`);
[proposal] = await transition(
  insurer,
  id,
  etag,
  { action: 'counter', reason: 'Prenataal boven ons inkoopbeleid.', counter_lines: lines('1180.00', '60.00') },
  'counter',
);
check(proposal.status === 'countered' && proposal.version === 4, `counter: ${proposal.status} v${proposal.version}`);
check(proposal.counter?.totals.amount === '4716000.00', `counter: ${JSON.stringify(proposal.counter)}`);

// The IGO meets the counter halfway: it replaces the content (If-Match) and resubmits.
etag = await current(igo, id, 'IGO reads the counter');
const revisedContent: ProposalContent = {
  period: { year: 2026 },
  policy_route: 'integrale_bekostiging',
  lines: lines('1200.00', '60.50'),
  distribution_key: providers,
  attention_points: { client_scope: 'new_clients_only' },
};
const revised = await replaceProposal({ client: igo, path: { id }, headers: { 'If-Match': etag }, body: revisedContent });
proposal = expect(revised, 200, 'revise');
check(proposal.status === 'countered' && proposal.version === 5, `revise: ${proposal.status} v${proposal.version}`);
check(proposal.totals.amount === '4767500.00', `revise: totals ${JSON.stringify(proposal.totals)}`);
const stale = await replaceProposal({ client: igo, path: { id }, headers: { 'If-Match': etag }, body: revisedContent });
check(stale.response.status === 412 && stale.error?.status === 412, `a stale If-Match is refused: ${stale.response.status}`);
[proposal] = await transition(igo, id, etagOf(revised), { action: 'submit' }, 'resubmit');
check(proposal.status === 'submitted' && proposal.version === 6, `resubmit: ${proposal.status} v${proposal.version}`);

// The insurer starts its review again and accepts.
etag = await current(insurer, id, 'insurer reads the revision');
[proposal, etag] = await transition(insurer, id, etag, { action: 'start_review' }, 'review 2');
check(proposal.status === 'under_review' && proposal.version === 7, `review 2: ${proposal.status} v${proposal.version}`);
[proposal] = await transition(insurer, id, etag, { action: 'accept' }, 'accept');
check(proposal.status === 'accepted' && proposal.version === 8, `accept: ${proposal.status} v${proposal.version}`);
check(proposal.totals.amount === '4767500.00', `accept: totals ${JSON.stringify(proposal.totals)}`);

const history = expect(await getProposalHistory({ client: igo, path: { id } }), 200, 'history');
check(
  JSON.stringify(history.versions.map((v) => v.version)) === JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8]),
  `history: versions ${JSON.stringify(history.versions.map((v) => v.version))}`,
);
check(history.entries.length === 8, `history: ${history.entries.length} entries`);

// A dashboard, without a token, reads the matrix for two zorgkantoren.
const wanted: ZorgkantoorId[] = ['cz', 'zilveren-kruis'];
const publicClient = createClient({ baseUrl });
const matrix = expect(await getThemes({ client: publicClient, query: { zorgkantoor: wanted } }), 200, 'themes');
const sorted = (values: Iterable<string>) => JSON.stringify([...new Set(values)].sort());
check(sorted(matrix.zorgkantoren.map((z) => z.id)) === sorted(wanted), `themes: ${sorted(matrix.zorgkantoren.map((z) => z.id))}`);
check(matrix.cells.length > 0, 'themes: the matrix has cells');
check(sorted(matrix.cells.map((c) => c.zorgkantoor)) === sorted(wanted), 'themes: cells of the two, and only theirs');
check(sorted(matrix.cells.map((c) => c.theme)) === sorted(matrix.themes.map((t) => t.id)), 'themes: every theme has cells');

console.log('typescript negotiation and dashboard: ok');
