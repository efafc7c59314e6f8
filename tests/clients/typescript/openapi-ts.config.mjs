// @hey-api/openapi-ts settings for the generated TypeScript client (scripts/clients.sh).
export default {
  input: '../../../openapi/openapi.json',
  output: { path: '../generated/typescript', module: { extension: '.js' } },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
};
