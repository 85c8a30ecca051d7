// Secrets never reach a log or a message: a SAS signature, a bearer token, a JWT, an account key or
// a connection string's secret parts are replaced by a mark before text is written anywhere.

const PATTERNS: [RegExp, string][] = [
  // SAS query parameters: the signature is the secret; skoid/sktid/… name the signer (kept).
  [/([?&](?:sig|se?cret|code|token|access_token|client_secret)=)[^&#\s"'<>]+/gi, '$1[redacted]'],
  [/(\bBearer\s+)[A-Za-z0-9\-._~+/]+=*/g, '$1[redacted]'],
  // A JWT anywhere (three base64url parts, the first one a JSON header).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted token]'],
  [
    /((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret)\s*=\s*)[^;"'\s]+/gi,
    '$1[redacted]',
  ],
  [
    /("(?:accessToken|access_token|refresh_token|id_token|client_secret|password|accountKey|sasToken)"\s*:\s*")[^"]*"/gi,
    '$1[redacted]"',
  ],
];

/** The text with every secret it carries replaced by "[redacted]". */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
