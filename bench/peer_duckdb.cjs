#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Peer for the ml-gather benchmark: DuckDB (the "fastest converter we know"), run
// through its Node.js API because Debian ships no DuckDB. Converts a CSV file to JSON Lines
// on standard output with all cores, as `duckdb -c "COPY (SELECT * FROM read_csv(FILE,
// all_varchar=true)) TO '/dev/stdout' (FORMAT json)"` would.
//
// Usage: node bench/peer_duckdb.cjs FILE.csv > OUT.jsonl
//        node bench/peer_duckdb.cjs --version
// Finds @duckdb/node-api in ML_DUCKDB_MODULES (a node_modules folder; default
// bench/work/duckdb/node_modules, where `./setup.sh --with-bench` installs it).
'use strict';
const path = require('path');

const modules = process.env.ML_DUCKDB_MODULES ||
  path.join(__dirname, 'work', 'duckdb', 'node_modules');
let api;
try {
  api = require(path.join(modules, '@duckdb', 'node-api'));
} catch (e) {
  process.stderr.write(`peer_duckdb: @duckdb/node-api not found in ${modules} ` +
    '(./setup.sh --with-bench installs it)\n');
  process.exit(69);
}

function sqlString(s) { return "'" + s.replace(/'/g, "''") + "'"; }

async function main() {
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    process.stderr.write('usage: node bench/peer_duckdb.cjs FILE.csv > OUT.jsonl | --version\n');
    return 64;
  }
  const db = await api.DuckDBInstance.create(':memory:');
  const con = await db.connect();
  if (args[0] === '--version') {
    const r = await con.runAndReadAll('SELECT version()');
    process.stdout.write(`DuckDB ${r.getRows()[0][0]} (@duckdb/node-api, Node.js ${process.version})\n`);
    return 0;
  }
  await con.run(`COPY (SELECT * FROM read_csv(${sqlString(path.resolve(args[0]))}, all_varchar=true)) ` +
    "TO '/dev/stdout' (FORMAT json)");
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`peer_duckdb: ${e.message}\n`);
  process.exitCode = 1;
});
