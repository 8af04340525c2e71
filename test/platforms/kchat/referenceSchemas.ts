/** Infomaniak's published reference (shared/specs/infomaniak, OpenAPI 3.1 = JSON Schema 2020-12) as a validator
 * of what the bot sends: each request is matched to its documented route, and its JSON body checked against
 * that route's own request schema. A route the reference documents without a body must get `{}`: the
 * getting-started rule is that every request but GET carries a JSON body. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const FILES = ['accounts-invitations.json', 'kdrive-users.json'] as const;
interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}
interface Route {
  file: string;
  template: string;
  method: string;
  pattern: RegExp;
  operation: Operation;
}

const load = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../../../shared/specs/infomaniak/${file}`, import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };

// strict off: the captured documents carry a stray `schema: []` beside some $refs, which is not JSON Schema.
const ajv = new Ajv2020({ strict: false, allErrors: true });
const routes: Route[] = [];
for (const file of FILES) {
  const doc = load(file);
  ajv.addSchema(doc, file);
  for (const [template, methods] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const [method, operation] of Object.entries(methods))
      routes.push({ file, template, method: method.toUpperCase(), pattern, operation });
  }
}
// A literal segment wins over a parameter (…/users/invitation before …/users/{user_id}).
routes.sort((a, b) => ((b.template.match(/\{/g)?.length ?? 0) < (a.template.match(/\{/g)?.length ?? 0) ? 1 : -1));

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
}

/** The route a request matches, or throws: the bot may only call routes the reference documents. */
export function routeOf(method: string, path: string): Route {
  const route = routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path.split('?')[0]!));
  if (!route) throw new Error(`${method} ${path} is not a route of the Infomaniak reference`);
  return route;
}

/** Errors of one request against the reference ([] = valid). */
export function requestErrors(req: SentRequest): string[] {
  const route = routeOf(req.method, req.path);
  const what = `${req.method} ${route.template}`;
  if (req.method.toUpperCase() === 'GET')
    return req.body === undefined || req.body === '' ? [] : [`${what}: a GET carries no body`];
  const schema = route.operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) {
    const isObject = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body);
    return isObject ? [] : [`${what}: every request but GET carries a JSON body (sent: ${JSON.stringify(req.body)})`];
  }
  const schemaPointer = pointer(
    'paths',
    route.template,
    route.method.toLowerCase(),
    'requestBody',
    'content',
    'application/json',
    'schema',
  );
  const ref = `${route.file}#/${schemaPointer}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (validate(req.body)) return [];
  return (validate.errors ?? []).map((e) => `${what}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
