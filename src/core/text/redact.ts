// Secrets that must never reach a message or a log: a SAS signature (`sig=`), an account key or
// SAS in a connection string, a bearer token or any JWT, a shared-key Authorization header, secrets
// in JSON. Error texts from the Azure SDKs and CLIs quote request URLs and headers; whatever we show
// or log passes here first.

const RULES: readonly [RegExp, string][] = [
  // SAS query parameters: the signature is the secret; keep the rest readable.
  [/([?&;]|\b)(sig|signature)=[^&\s"'<>;]*/gi, '$1$2=REDACTED'],
  // Other secrets carried in a query string (a Logic App's code, OAuth parameters).
  [/([?&])(secret|code|token|access_token|client_secret)=[^&#\s"'<>]+/gi, '$1$2=REDACTED'],
  // Connection string parts.
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd|ClientSecret)\s*=\s*[^;\s"']*/gi, '$1=REDACTED'],
  // Authorization headers and bearer tokens.
  [/\b(Bearer|SharedKey|SharedKeyLite)\s+[^\s"',;]+/gi, '$1 REDACTED'],
  // A JWT anywhere (header.payload.signature, base64url).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, 'REDACTED-JWT'],
  // Secrets in JSON bodies.
  [
    /("(?:accessToken|access_token|refresh_token|id_token|client_secret|password|accountKey|sasToken)"\s*:\s*")[^"]*"/gi,
    '$1REDACTED"',
  ],
];

/** The text with every secret it may quote replaced by REDACTED. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}
