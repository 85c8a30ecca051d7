// The emulator's TLS certificate: self-signed for 127.0.0.1 and localhost, made at start (the
// Azure SDK sends bearer tokens over HTTPS only). Clients trust it by its PEM (tlsOptions: { ca }).
import { generate } from 'selfsigned';

export interface Certificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate: what clients pass as ca. */
  cert: string;
}

export async function makeCertificate(days = 30): Promise<Certificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'Lakehouse Workbench local emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + days * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
