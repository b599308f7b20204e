import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ChannelBindingType } from '../../core/accounts/sasl/service.js';

/**
 * What a server-side TLS connection can offer SCRAM -PLUS (core.sasl's
 * `channelBinding`): `tls-exporter` (RFC 9266, TLS 1.3 only: 32 bytes of the
 * "EXPORTER-Channel-Binding" exporter) and `tls-server-end-point` (RFC 5929: a hash
 * of our certificate, SHA-256 unless its signature uses SHA-384 or SHA-512).
 * Empty before the handshake is done.
 */
export function channelBindings(socket: TLSSocket): Partial<Record<ChannelBindingType, Buffer>> {
  const out: Partial<Record<ChannelBindingType, Buffer>> = {};
  if (!socket.encrypted) return out;
  if (socket.getProtocol() === 'TLSv1.3')
    out['tls-exporter'] = socket.exportKeyingMaterial(
      32,
      'EXPORTER-Channel-Binding',
      Buffer.alloc(0),
    );
  const raw = (socket.getCertificate() as { raw?: Buffer } | null)?.raw;
  if (raw?.length) out['tls-server-end-point'] = createHash(endPointHash(raw)).update(raw).digest();
  return out;
}

// signatureAlgorithm OIDs (DER content bytes) whose hash is SHA-384 or SHA-512.
const SHA384 = ['2a864886f70d01010c', '2a8648ce3d040303']; // sha384WithRSA, ecdsa-with-SHA384
const SHA512 = ['2a864886f70d01010d', '2a8648ce3d040304']; // sha512WithRSA, ecdsa-with-SHA512

/** RFC 5929 section 4.1: the certificate's signature hash, with MD5 and SHA-1 raised to SHA-256. */
export function endPointHash(der: Buffer): 'sha256' | 'sha384' | 'sha512' {
  const oid = signatureOid(der);
  if (oid && SHA384.includes(oid)) return 'sha384';
  if (oid && SHA512.includes(oid)) return 'sha512';
  return 'sha256';
}

/** The Certificate's signatureAlgorithm OID as hex, or undefined if the DER is not as expected. */
function signatureOid(der: Buffer): string | undefined {
  // One DER header: [tag, length bytes...] -> where the content starts and how long it is.
  const header = (at: number): { start: number; length: number } | undefined => {
    const first = der[at + 1];
    if (first === undefined) return undefined;
    if (first < 0x80) return { start: at + 2, length: first };
    const n = first & 0x7f;
    if (n === 0 || n > 4) return undefined;
    let length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
    return { start: at + 2 + n, length };
  };
  if (der[0] !== 0x30) return undefined;
  const cert = header(0);
  if (!cert || der[cert.start] !== 0x30) return undefined;
  const tbs = header(cert.start);
  if (!tbs) return undefined;
  const algAt = tbs.start + tbs.length;
  if (der[algAt] !== 0x30) return undefined;
  const alg = header(algAt);
  if (!alg || der[alg.start] !== 0x06) return undefined;
  const oid = header(alg.start);
  if (!oid || oid.start + oid.length > der.length) return undefined;
  return der.subarray(oid.start, oid.start + oid.length).toString('hex');
}
