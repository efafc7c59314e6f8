// Smoke scenario for the generated TypeScript client: the public spec download and an
// authenticated call (getMe) against the running local API. Business scenarios (proposals,
// quotes, themes) slot in beside it as further files in this folder.
// Env (set by scripts/clients.sh): API_URL, LOCAL_GATEWAY (binary that mints local tokens).
import { execFileSync } from 'node:child_process';
import { createClient } from '../../generated/typescript/client/index.js';
import { getMe, getOpenApiDocument } from '../../generated/typescript/index.js';

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

const baseUrl = env('API_URL');

const anonymous = createClient({ baseUrl });
const spec = await getOpenApiDocument({ client: anonymous });
check(spec.response.status === 200, `getOpenApiDocument answered ${spec.response.status}`);

const igo = createClient({ baseUrl, auth: () => token('igo', '53012345') });
const me = await getMe({ client: igo });
check(me.data !== undefined, `getMe failed: ${me.response.status} ${JSON.stringify(me.error)}`);
check(me.data.role === 'igo' && me.data.org === '53012345', `getMe returned ${JSON.stringify(me.data)}`);

const noToken = await getMe({ client: anonymous });
check(noToken.response.status === 401, `getMe without a token answered ${noToken.response.status}`);
check(noToken.error?.status === 401, `the 401 is not a problem document: ${JSON.stringify(noToken.error)}`);

console.log('typescript smoke: ok');
