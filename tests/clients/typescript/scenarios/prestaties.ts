// The NZa prestatie catalogue per contract year with the generated TypeScript client: public,
// 8 prestaties from 2023 (begeleiding_eindigend_voor_16_weken removed), 9 under the 2022
// experiment, and a year without a catalogue refused.
// Env (set by scripts/clients.sh): API_URL.
import { createClient } from '../../generated/typescript/client/index.js';
import { getPrestatieCatalogue } from '../../generated/typescript/index.js';

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const baseUrl = process.env.API_URL;
if (!baseUrl) throw new Error('API_URL is not set; run scenarios through scripts/clients.sh');
const anonymous = createClient({ baseUrl });
const REMOVED = 'begeleiding_eindigend_voor_16_weken';

const current = await getPrestatieCatalogue({ client: anonymous, query: { year: 2026 } });
check(current.data !== undefined, `2026: ${current.response.status} ${JSON.stringify(current.error)}`);
check(current.data.year === 2026 && current.data.valid_from === 2023, `2026: ${JSON.stringify(current.data)}`);
const codes = current.data.prestaties.map((entry) => entry.prestatie);
check(codes.length === 8 && !codes.includes(REMOVED), `2026 prestaties: ${JSON.stringify(codes)}`);
check(current.data.removed.map((r) => r.prestatie).join() === REMOVED, `2026 removed: ${JSON.stringify(current.data.removed)}`);
check(current.response.headers.get('etag') !== null, '2026: an ETag');

const experiment = await getPrestatieCatalogue({ client: anonymous, query: { year: 2022 } });
check(experiment.data !== undefined, `2022: ${experiment.response.status}`);
check(experiment.data.regulation === 'BR/REG-22100', `2022: ${experiment.data.regulation}`);
check(experiment.data.prestaties.length === 9, `2022: ${experiment.data.prestaties.length} prestaties`);

const before = await getPrestatieCatalogue({ client: anonymous, query: { year: 2016 } });
check(before.response.status === 422 && before.error?.status === 422, `2016: ${before.response.status}`);

console.log('typescript prestaties: ok');
