import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256, sign, uriEncode } from './sigv4.js';

describe('SigV4', () => {
  it("signs the S3 reference's GET Object example (range bytes=0-9) to its published signature", () => {
    const h = sign(
      {
        accessKey: 'AKIAIOSFODNN7EXAMPLE',
        secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        region: 'us-east-1',
      },
      {
        method: 'GET',
        path: '/test.txt',
        headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9' },
        payloadSha256: EMPTY_SHA256,
        date: new Date(Date.UTC(2013, 4, 24)),
      },
    );
    expect(h.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('encodes keys and query values the SigV4 way', () => {
    expect(uriEncode('a b/c~d*', true)).toBe('a%20b/c~d%2A');
    expect(uriEncode('a/b=', false)).toBe('a%2Fb%3D');
  });
});
