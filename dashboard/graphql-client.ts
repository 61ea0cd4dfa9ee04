/** POSTs a query to this server's /graphql with the session's token; errors in words for people. */
import type { Session } from './session.ts';

/** The server refused the token (HTTP 401): expired, revoked by a new secret, or from another server. */
export class SignedOut extends Error {}

/** A failure worth showing as it is: a refused query, a server not answering. */
export class QueryFailed extends Error {}

interface GraphQLAnswer<D> {
  data?: D | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function query<D>(session: Session, text: string, variables: Record<string, unknown> = {}): Promise<D> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ query: text, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new QueryFailed('The server does not answer. Is `fitlake serve` still running?');
  }
  if (response.status === 401) throw new SignedOut('The server refused this token: it may have expired or be meant for another server. Get a new one with `fitlake token` and sign in again.');
  if (response.status === 429) throw new QueryFailed('Too many requests for now: wait a few seconds and try again.');
  let answer: GraphQLAnswer<D>;
  try {
    answer = (await response.json()) as GraphQLAnswer<D>;
  } catch {
    throw new QueryFailed(`The server answered ${response.status} without a GraphQL result.`);
  }
  const error = answer.errors?.[0];
  if (error) throw new QueryFailed(error.message);
  if (!answer.data) throw new QueryFailed(`The server answered ${response.status} without data.`);
  return answer.data;
}
