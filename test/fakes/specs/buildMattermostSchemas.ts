/** Extracts the JSON request-body schema of every operation in Mattermost's OpenAPI spec
 * (../shared/specs/mattermost/mattermost-openapi-v4.yaml) into mattermostRequestSchemas.json, with $refs inlined
 * and only what validation needs (types, required, enums, items, properties). Parsing the whole YAML takes
 * seconds; the fake loads this extract instead and checks the spec's hash, so a changed spec is noticed.
 * Run: npx tsx test/fakes/specs/buildMattermostSchemas.ts */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const SPEC = path.resolve(import.meta.dirname, '../../../../shared/specs/mattermost/mattermost-openapi-v4.yaml');
export const EXTRACT = path.resolve(import.meta.dirname, 'mattermostRequestSchemas.json');
const KEEP = new Set([
  'type',
  'required',
  'properties',
  'items',
  'enum',
  'oneOf',
  'anyOf',
  'allOf',
  'nullable',
  'minItems',
  'maxItems',
]);

type Schema = Record<string, unknown>;

export function specHash(text = readFileSync(SPEC, 'utf8')): string {
  return createHash('sha256').update(text).digest('hex');
}

function extract(): { specSha256: string; operations: Record<string, Schema> } {
  const text = readFileSync(SPEC, 'utf8');
  const doc = YAML.parse(text) as {
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, Schema> };
  };
  const inline = (schema: Schema, seen: string[]): Schema => {
    const ref = schema.$ref as string | undefined;
    if (ref) {
      const name = ref.replace('#/components/schemas/', '');
      // A recursive type: accept anything below the second visit rather than loop.
      return seen.includes(name) ? {} : inline(doc.components.schemas[name] ?? {}, [...seen, name]);
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (!KEEP.has(key)) continue;
      if (key === 'properties')
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, inline(v, seen)]),
        );
      else if (key === 'items') out.items = inline(value as Schema, seen);
      else if (['oneOf', 'anyOf', 'allOf'].includes(key)) out[key] = (value as Schema[]).map((s) => inline(s, seen));
      else out[key] = value;
    }
    return out;
  };
  const operations: Record<string, Schema> = {};
  for (const [route, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const schema = op?.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      if (schema) operations[`${method.toUpperCase()} ${route}`] = inline(schema, []);
    }
  }
  return { specSha256: specHash(text), operations };
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const result = extract();
  writeFileSync(EXTRACT, `${JSON.stringify(result)}\n`);
  console.log(`${Object.keys(result.operations).length} request schemas written to ${EXTRACT}`);
}
