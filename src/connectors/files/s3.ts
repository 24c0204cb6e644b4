import { AwsClient } from 'aws4fetch';
import { ConnectorError } from '../../kernel/connector.js';
import { sha256Bytes, type BlobStore } from './store.js';

export interface S3Settings {
  /** Base URL of the S3 API, e.g. https://s3.eu-central-1.amazonaws.com or https://<account>.r2.cloudflarestorage.com. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The fetch to send requests with; tests wrap it to inject a failure. */
  fetch?: typeof fetch;
}

/** Statuses a later attempt may not meet: throttling and the service's own trouble. */
const transient = (status: number) => status === 408 || status === 429 || status >= 500;

/** The S3 error code and message from an XML error body, e.g. "NoSuchBucket: The specified bucket does not exist". */
async function s3Reason(response: Response): Promise<string> {
  const body = await response.text();
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1];
  return [code, message].filter(Boolean).join(': ') || `HTTP ${response.status}`;
}

/**
 * Files on S3-compatible storage (AWS S3, Cloudflare R2, MinIO, …), signed
 * with SigV4 by aws4fetch over `fetch`, so it runs on Node and on Workers
 * alike. Objects are named by their SHA-256 (`ab/abcdef…`), path-style under
 * the bucket, so writing the same bytes twice is one object.
 */
export function s3Store(settings: S3Settings): BlobStore {
  const fetcher = settings.fetch ?? fetch;
  const aws = new AwsClient({ accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, region: settings.region, service: 's3' });
  const base = `${settings.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(settings.bucket)}`;
  const where = `bucket ${settings.bucket} at ${new URL(settings.endpoint).host}`;
  const urlOf = (sha256: string) => `${base}/${sha256.slice(0, 2)}/${sha256}`;

  async function send(method: 'HEAD' | 'GET' | 'PUT' | 'DELETE', sha256: string, what: string, body?: Uint8Array): Promise<Response> {
    let response: Response;
    try {
      const request = await aws.sign(urlOf(sha256), {
        method,
        ...(body ? { body: new Uint8Array(body), headers: { 'content-type': 'application/octet-stream' } } : {}),
      });
      response = await fetcher(request);
    } catch (error) {
      throw new ConnectorError(`Could not reach the ${where} to ${what} (${error instanceof Error ? error.message : String(error)}); will try again.`, {
        retryable: true,
      });
    }
    if (response.ok || response.status === 404) return response;
    const reason = method === 'HEAD' ? `HTTP ${response.status}` : await s3Reason(response);
    if (transient(response.status)) {
      const after = Number(response.headers.get('retry-after'));
      throw new ConnectorError(`The ${where} could not ${what} for now (${reason}); will try again.`, {
        retryable: true,
        ...(after > 0 ? { retryAfterMs: after * 1000 } : {}),
      });
    }
    const fix = response.status === 403 ? '; check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_REGION' : '; check S3_ENDPOINT and S3_BUCKET';
    throw new ConnectorError(`The ${where} refused to ${what} (${reason})${fix}.`, { retryable: false });
  }

  return {
    async put(bytes) {
      const sha256 = await sha256Bytes(bytes);
      const head = await send('HEAD', sha256, 'check for a stored file');
      if (head.ok && Number(head.headers.get('content-length')) === bytes.byteLength) return { sha256, size: bytes.byteLength };
      const put = await send('PUT', sha256, 'store a file', bytes);
      if (put.status === 404) throw new ConnectorError(`The ${where} does not exist; check S3_BUCKET.`, { retryable: false });
      return { sha256, size: bytes.byteLength };
    },
    async get(sha256) {
      const response = await send('GET', sha256, `read file ${sha256}`);
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      return new Uint8Array(await response.arrayBuffer());
    },
    async remove(sha256) {
      const response = await send('DELETE', sha256, `remove file ${sha256}`);
      await response.body?.cancel();
    },
  };
}
