/** Checks request bodies against Mattermost's OpenAPI spec, as the in-process fake serves them: required
 * fields, types and enums of each operation's JSON body (from the extract buildMattermostSchemas.ts writes). */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { EXTRACT, specHash } from './buildMattermostSchemas.js';

interface Route {
  method: string;
  pattern: RegExp;
  literals: number;
  key: string;
}

/** Where the spec contradicts the server it documents, the server wins (each checked against its Go model). */
const ERRATA: Record<string, (schema: any) => void> = {
  // model.PostPatch.Props is a StringInterface (a JSON object), as in POST /posts; the spec says string.
  'PUT /api/v4/posts/{post_id}/patch': (schema) => void (schema.properties.props = { type: 'object' }),
};

export class RequestSchemas {
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  private constructor(private readonly operations: Record<string, object>) {
    for (const [key, fix] of Object.entries(ERRATA)) fix(operations[key]);
    this.routes = Object.keys(operations).map((key) => {
      const [method, route] = key.split(' ') as [string, string];
      const segments = route.split('/');
      const pattern = new RegExp(
        `^${segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`,
      );
      return { method, pattern, literals: segments.filter((s) => !s.startsWith('{')).length, key };
    });
    // `/users/me/...` before `/users/{user_id}/...`.
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  static load(): RequestSchemas {
    const extract = JSON.parse(readFileSync(EXTRACT, 'utf8')) as {
      specSha256: string;
      operations: Record<string, object>;
    };
    if (extract.specSha256 !== specHash()) {
      throw new Error('the Mattermost spec changed: run `npx tsx test/fakes/specs/buildMattermostSchemas.ts`');
    }
    return new RequestSchemas(extract.operations);
  }

  /** What is wrong with `body` for this request, or undefined when it fits (or the spec has no schema). */
  problem(method: string, pathname: string, body: unknown): string | undefined {
    const route = this.routes.find((r) => r.method === method && r.pattern.test(pathname));
    if (!route) return undefined;
    let validate = this.compiled.get(route.key);
    if (!validate) this.compiled.set(route.key, (validate = this.ajv.compile(this.operations[route.key]!)));
    if (validate(body)) return undefined;
    return `${route.key}: ${(validate.errors ?? []).map((e) => `${e.instancePath || 'body'} ${e.message}`).join('; ')}`;
  }
}
