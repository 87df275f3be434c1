#!/usr/bin/env node
'use strict';
// The `housekeeper` command. The CLI is built to dist/ by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'main', 'cli.cjs');
if (!fs.existsSync(cli)) {
  process.stderr.write('housekeeper: not built yet. Run `npm run build` (or `npm start`) in ' + path.dirname(__dirname) + '.\n');
  process.exit(1);
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
