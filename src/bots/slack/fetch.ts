import type { AppOptions } from '@slack/bolt';

type SlackFetch = NonNullable<NonNullable<AppOptions['clientOptions']>['fetch']>;
// TypeScript's DOM lib (without DOM.Iterable) leaves Headers.entries out; every runtime Keel runs on has it.
type SlackResponse = Awaited<ReturnType<SlackFetch>>;

/**
 * The fetch Slack's Web API client and Bolt use, written to run on Node and on
 * Workers alike. Workers refuse two things the client does with the global
 * fetch: calling it as a method of another object (`this.fetchFn(…)`, an
 * "Illegal invocation"), and `redirect: 'error'`, which this does by hand —
 * a redirect from the Web API is still an error, never followed.
 */
export const slackFetch: SlackFetch = async (url, init) => {
  if (init?.redirect !== 'error') return (await fetch(url, init)) as unknown as SlackResponse;
  const response = await fetch(url, { ...init, redirect: 'manual' });
  if (response.status >= 300 && response.status < 400)
    throw new TypeError(`Slack answered ${String(url)} with a redirect (${response.status}); the Web API client does not follow redirects.`);
  return response as unknown as SlackResponse;
};
