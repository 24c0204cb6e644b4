import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  form: Record<string, string>;
}

/**
 * A MOCK of the few Stripe API endpoints Keel calls (prices, payment links).
 * Stripe has no local server one can run (stripe-mock is a Go binary, not
 * in npm or Debian), so the tests point the real stripe SDK at this small
 * HTTP fake through STRIPE_API_BASE. It records every request and, like
 * Stripe, answers a repeated Idempotency-Key with the first response; a
 * queue of planned failures lets a test make the next calls fail.
 */
export async function startStripeFake(opts: { apiKey?: string } = {}) {
  const apiKey = opts.apiKey ?? 'sk_test_keel';
  const requests: StripeRequest[] = [];
  const replays = new Map<string, { status: number; body: unknown }>();
  const failures: { status: number; type: string; message: string }[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  let seq = 0;

  const readForm = async (req: IncomingMessage) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    return Object.fromEntries(new URLSearchParams(raw));
  };

  function handle(method: string, path: string, form: Record<string, string>): { status: number; body: unknown } {
    if (method === 'POST' && path === '/v1/prices') {
      const price = {
        id: `price_${++seq}`,
        object: 'price',
        unit_amount: Number(form.unit_amount),
        currency: form.currency,
        product_data: { name: form['product_data[name]'] },
      };
      objects.set(price.id, price);
      return { status: 200, body: price };
    }
    if (method === 'POST' && path === '/v1/payment_links') {
      if (!objects.has(form['line_items[0][price]'] ?? ''))
        return { status: 400, body: { error: { type: 'invalid_request_error', message: `No such price: '${form['line_items[0][price]']}'` } } };
      const id = `plink_${++seq}`;
      const link = { id, object: 'payment_link', active: true, url: `https://buy.stripe.test/${id}`, metadata: { invoice: form['metadata[invoice]'] } };
      objects.set(id, link);
      return { status: 200, body: link };
    }
    const update = /^\/v1\/payment_links\/([\w]+)$/.exec(path);
    if (method === 'POST' && update) {
      const link = objects.get(update[1]!);
      if (!link) return { status: 404, body: { error: { type: 'invalid_request_error', message: `No such payment link: '${update[1]}'` } } };
      if (form.active !== undefined) link.active = form.active === 'true';
      return { status: 200, body: link };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` } } };
  }

  const server = createServer(async (req, res) => {
    const form = await readForm(req);
    const key = req.headers['idempotency-key'] as string | undefined;
    const path = (req.url ?? '').split('?')[0]!;
    requests.push({ method: req.method ?? '', path, idempotencyKey: key, authorization: req.headers.authorization, form });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${requests.length}` });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***' } });
    const failure = failures.shift();
    if (failure) return send(failure.status, { error: { type: failure.type, message: failure.message } });
    const replay = key ? replays.get(`${req.method} ${path} ${key}`) : undefined;
    if (replay) return send(replay.status, replay.body);
    const answer = handle(req.method ?? '', path, form);
    if (key) replays.set(`${req.method} ${path} ${key}`, answer);
    send(answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    objects,
    /** The next calls answer with these errors, in order. */
    fail: (...next: { status: number; type: string; message: string }[]) => void failures.push(...next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
