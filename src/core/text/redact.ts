// Secrets that must never reach a message or a log: a SAS signature (`sig=`), an account key or
// SAS in a connection string, a bearer token or any JWT, a shared-key Authorization header. Error
// texts from the Azure SDKs can quote request URLs and headers; whatever we show passes here first.

const RULES: readonly [RegExp, string][] = [
  // SAS query parameters: the signature is the secret; keep the rest readable.
  [/([?&;]|\b)(sig|signature)=[^&\s"'<>;]*/gi, '$1$2=REDACTED'],
  // Connection string parts.
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s"']*/gi, '$1=REDACTED'],
  // Authorization headers and bearer tokens.
  [/\b(Bearer|SharedKey|SharedKeyLite)\s+[^\s"',;]+/gi, '$1 REDACTED'],
  // A JWT anywhere (header.payload.signature, base64url).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, 'REDACTED-JWT'],
];

/** The text with every secret it may quote replaced by REDACTED. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}
