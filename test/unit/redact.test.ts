import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { redactSecrets } from '../../src/core/text/redact';

const JWT =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';

test('SAS signatures, bearer tokens, JWTs, keys and secrets in JSON are REDACTED; the rest is kept', () => {
  const cases: [string, string][] = [
    [
      'GET https://st.blob.core.windows.net/bronze/x.parquet?sv=2024-05-04&se=2026-01-01&sr=b&sp=r&sig=abc%2Bdef%3D failed',
      'GET https://st.blob.core.windows.net/bronze/x.parquet?sv=2024-05-04&se=2026-01-01&sr=b&sp=r&sig=REDACTED failed',
    ],
    ['Authorization: Bearer abc.def-ghi_jkl=', 'Authorization: Bearer REDACTED'],
    [`token ${JWT} end`, 'token REDACTED-JWT end'],
    [
      'DefaultEndpointsProtocol=https;AccountName=st;AccountKey=Zm9vYmFy+/==;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=st;AccountKey=REDACTED;EndpointSuffix=core.windows.net',
    ],
    ['{"accessToken":"secret-value","expiresOn":"soon"}', '{"accessToken":"REDACTED","expiresOn":"soon"}'],
    [
      'https://prod-01.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers&sv=1.0&sig=XYZ',
      'https://prod-01.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers&sv=1.0&sig=REDACTED',
    ],
    ['pipeline pl_ingest run 1234 Succeeded in 12 s', 'pipeline pl_ingest run 1234 Succeeded in 12 s'],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected);
  for (const [input] of cases.slice(0, 6)) {
    const out = redactSecrets(input);
    assert.ok(!/sig=(?!REDACTED)/.test(out) && !out.includes(JWT) && !out.includes('Zm9vYmFy'), out);
  }
});
