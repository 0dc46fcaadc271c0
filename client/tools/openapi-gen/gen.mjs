// Generates the client's REST types, src/api/schema.gen.ts, from the server's OpenAPI
// document, ../openapi/openapi.json (relative to client/), with openapi-typescript.
//
//   node tools/openapi-gen/gen.mjs           (npm run gen:api)    writes src/api/schema.gen.ts
//   node tools/openapi-gen/gen.mjs --check   (npm run check:api)  generates into a temporary
//       file and fails if it differs from the checked-in src/api/schema.gen.ts
//
// OPENAPI_JSON=<path> reads another copy of the document (e.g. one saved from a running
// server's /openapi.json). Nothing here touches the network: the document is a local file
// and the generator comes from node_modules (`npm ci`).
//
// This is a package of its own (client/tools/openapi-gen, a `file:` devDependency of the
// client) because openapi-typescript drives the TypeScript 5 compiler API, which the
// client's TypeScript 7 does not ship; its own node_modules holds typescript 5.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const clientDir = resolve(here, '../..');
const specPath = resolve(process.env.OPENAPI_JSON ?? join(clientDir, '../openapi/openapi.json'));
const outPath = join(clientDir, 'src/api/schema.gen.ts');
const check = process.argv.includes('--check');

const generatorVersion = createRequire(import.meta.url)('openapi-typescript/package.json').version;

const HEADER = `// GENERATED FILE, do not edit: the server's REST schemas as TypeScript types, made by
// openapi-typescript ${generatorVersion} from openapi/openapi.json (the server's OpenAPI document).
// Regenerate after the document changes: \`npm run gen:api\` in client/ (\`make openapi\`
// rewrites the document from the server). \`npm run check:api\` fails when this file is not
// what the document generates. Use the schemas through src/api/types.ts.

`;

function fail(message) {
  console.error(`${check ? 'check:api' : 'gen:api'}: ${message}`);
  process.exit(1);
}

if (!existsSync(specPath)) fail(`no OpenAPI document at ${specPath}`);

let body;
try {
  const ast = await openapiTS(pathToFileURL(specPath), { silent: true, defaultNonNullable: false });
  body = astToString(ast);
} catch (e) {
  fail(`cannot generate types from ${specPath}: ${e instanceof Error ? e.message : String(e)}`);
}
const generated = HEADER + body.replace(/\r\n/g, '\n').replace(/\n*$/, '\n');
const shown = relative(process.cwd(), outPath) || outPath;

if (!check) {
  writeFileSync(outPath, generated);
  console.log(`gen:api: wrote ${shown} from ${relative(process.cwd(), specPath) || specPath}`);
  process.exit(0);
}

const tmp = mkdtempSync(join(tmpdir(), 'redis-chat-api-'));
try {
  const tmpPath = join(tmp, 'schema.gen.ts');
  writeFileSync(tmpPath, generated);
  const current = existsSync(outPath) ? readFileSync(outPath, 'utf8') : null;
  if (current === generated) {
    console.log(`check:api: ${shown} matches ${relative(process.cwd(), specPath) || specPath}`);
  } else {
    report(current, tmpPath);
    process.exitCode = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function report(current, tmpPath) {
  console.error(
    current === null
      ? `check:api: ${shown} is missing.`
      : `check:api: ${shown} is out of date: it is not what ${relative(process.cwd(), specPath) || specPath} generates.`,
  );
  console.error('Run `npm run gen:api` in client/, then check the client still type-checks (`npm run typecheck`).');
  if (current !== null) {
    // A short look at the difference, when a `diff` is at hand.
    const d = spawnSync('diff', ['-u', '--label', `${shown} (checked in)`, '--label', `${shown} (generated)`, outPath, tmpPath], {
      encoding: 'utf8',
    });
    if (typeof d.stdout === 'string' && d.stdout) {
      const lines = d.stdout.split('\n');
      console.error(lines.slice(0, 80).join('\n') + (lines.length > 80 ? `\n... (${lines.length - 80} more lines)` : ''));
    }
  }
}
