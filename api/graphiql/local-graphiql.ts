/**
 * GraphiQL from this machine: @graphql-yoga/render-graphiql inlines GraphiQL's code, styles and editor
 * workers into the page, where yoga's default page loads them from a public CDN (blank offline, and
 * third-party code beside a bearer token online). A Content-Security-Policy says that nothing of the
 * page comes from elsewhere: scripts and styles are the page's own (inline), workers are blobs made from
 * it, and requests go to this server only.
 */
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/** The page's policy: its own inline code and blob workers, data: images, and this origin. */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The page, rendered from the package on first use: its 9 MB of code load only into a server that is
 * asked for GraphiQL (development mode), never into a production one.
 */
export async function renderLocalGraphiQL(options?: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}

/** The policy on every HTML page the server answers with (GraphiQL is the only one). */
export function useGraphiqlPolicy(): Plugin {
  return {
    onResponse({ response }) {
      if (response.headers.get('content-type')?.startsWith('text/html')) response.headers.set('content-security-policy', GRAPHIQL_CSP);
    },
  };
}
