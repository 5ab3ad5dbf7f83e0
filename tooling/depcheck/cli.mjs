#!/usr/bin/env node
// `pnpm check:deps`: fails on any import that crosses a line not in ARCHITECTURE.md's table.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWorkspace } from './check.js';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { violations, filesChecked } = checkWorkspace(root);
for (const v of violations) console.error(`${v.file}: ${v.message}`);
console.log(`dependency check: ${filesChecked} files, ${violations.length} violation(s)`);
process.exit(violations.length === 0 ? 0 : 1);
