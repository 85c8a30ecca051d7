#!/usr/bin/env node
'use strict';
const path = require('path');
const fs = require('fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(
    'lakehouse: the CLI is not built yet. Run `npm run build` in ' + path.join(__dirname, '..') + '\n',
  );
  process.exit(2);
}
require(cli);
