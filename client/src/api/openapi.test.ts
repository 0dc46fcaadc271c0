// Checks src/api/types.ts against the server's openapi/openapi.json (skipped until it
// exists; OPENAPI_JSON=<path> checks another copy, e.g. one saved from a running server's
// /openapi.json). Every interface tagged `@schema Name` must have exactly the fields of that
// schema; a field the server may leave out must be optional here (responses), a field the
// server needs must be required here (`@request` bodies); `@enum Name` unions must list the
// schema's values.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const specPath = process.env.OPENAPI_JSON ?? fileURLToPath(new URL('../../../openapi/openapi.json', import.meta.url));
const typesPath = fileURLToPath(new URL('./types.ts', import.meta.url));

interface TsField {
  name: string;
  optional: boolean;
}

interface TsInterface {
  name: string;
  schema: string;
  request: boolean;
  fields: TsField[];
}

/** Reads the `@schema`-tagged interfaces of types.ts (one field per line, by convention). */
function readInterfaces(source: string): TsInterface[] {
  const out: TsInterface[] = [];
  const re = /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*export interface (\w+) \{([^}]*)\}/g;
  for (const m of source.matchAll(re)) {
    const [, doc, name, body] = m;
    const schema = /@schema\s+(\w+)/.exec(doc ?? '')?.[1];
    if (!schema || !name || body === undefined) continue;
    const fields = [...body.matchAll(/^\s*(\w+)(\??):/gm)].map((f) => ({ name: f[1] ?? '', optional: f[2] === '?' }));
    out.push({ name, schema, request: /@request\b/.test(doc ?? ''), fields });
  }
  return out;
}

/** Reads the `@enum`-tagged string unions of types.ts. */
function readEnums(source: string): { name: string; schema: string; values: string[] }[] {
  const re = /\/\*\*\s*@enum\s+(\w+)\s*\*\/\s*export type (\w+) =([^;]*);/g;
  return [...source.matchAll(re)].map((m) => ({
    schema: m[1] ?? '',
    name: m[2] ?? '',
    values: [...(m[3] ?? '').matchAll(/'([^']*)'/g)].map((v) => v[1] ?? ''),
  }));
}

interface Schema {
  properties?: Record<string, unknown>;
  required?: string[];
  enum?: string[];
}

describe.skipIf(!existsSync(specPath))('types.ts matches openapi/openapi.json', () => {
  const spec = existsSync(specPath) ? (JSON.parse(readFileSync(specPath, 'utf8')) as { components?: { schemas?: Record<string, Schema> } }) : {};
  const schemas = spec.components?.schemas ?? {};
  const source = readFileSync(typesPath, 'utf8');
  const interfaces = readInterfaces(source);
  const missing = (name: string) => `no schema "${name}" in openapi.json; it has: ${Object.keys(schemas).join(', ')}`;

  it('reads the tagged interfaces', () => {
    expect(interfaces.length).toBeGreaterThan(5);
  });

  for (const iface of interfaces) {
    it(`${iface.name} has the fields of schema ${iface.schema}`, () => {
      const schema = schemas[iface.schema];
      expect(schema, missing(iface.schema)).toBeDefined();
      const props = Object.keys(schema?.properties ?? {}).sort();
      expect(iface.fields.map((f) => f.name).sort()).toEqual(props);
      const required = new Set(schema?.required ?? []);
      for (const f of iface.fields) {
        const where = `${iface.name}.${f.name}`;
        if (iface.request && required.has(f.name)) expect(f.optional, `${where}: the server requires it`).toBe(false);
        if (!iface.request && !required.has(f.name)) expect(f.optional, `${where}: the server may leave it out`).toBe(true);
      }
    });
  }

  for (const e of readEnums(source)) {
    it(`${e.name} has the values of schema ${e.schema}`, () => {
      expect(schemas[e.schema], missing(e.schema)).toBeDefined();
      expect([...e.values].sort()).toEqual([...(schemas[e.schema]?.enum ?? [])].sort());
    });
  }

  it('covers every object schema of the spec', () => {
    const mirrored = new Set([...interfaces.map((i) => i.schema), ...readEnums(source).map((e) => e.schema)]);
    expect(Object.keys(schemas).filter((k) => !mirrored.has(k))).toEqual([]);
  });
});

describe('the types.ts reader', () => {
  it('finds fields and optional markers', () => {
    const room = readInterfaces(readFileSync(typesPath, 'utf8')).find((i) => i.name === 'RoomSummary');
    expect(room?.schema).toBe('RoomSummary');
    expect(room?.fields).toEqual([
      { name: 'id', optional: false },
      { name: 'name', optional: false },
      { name: 'kind', optional: false },
      { name: 'peer', optional: true },
      { name: 'lastMessage', optional: true },
      { name: 'unread', optional: false },
    ]);
  });
});
