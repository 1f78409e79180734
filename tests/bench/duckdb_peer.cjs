// duckdb_peer.cjs: DuckDB doing the jobs of tests/bench/speed.sh, as a peer.
//
//	node tests/bench/duckdb_peer.cjs MODULEDIR THREADS start
//	node tests/bench/duckdb_peer.cjs MODULEDIR THREADS copy FILE DELIM
//	node tests/bench/duckdb_peer.cjs MODULEDIR THREADS group FILE DELIM QIS
//
// MODULEDIR is the node_modules directory that holds @duckdb/node-api
// (speed.sh installs it with npm under build/). Every mode loads the
// module, opens an in-memory database with THREADS threads, connects and
// runs SELECT 1: that is all "start" does, the start-up that speed.sh
// times apart. Then:
//   copy   COPY (SELECT * FROM read_csv(FILE, ...)) TO '/dev/null' as CSV
//          with the same delimiter and a header: the pass-through;
//          prints "SECONDS ROWS"
//   group  the number of classes and the smallest class of the columns
//          QIS (comma-separated): SELECT count(*), min(n) FROM (SELECT
//          count(*) AS n FROM read_csv(...) GROUP BY QIS): kcheck's core;
//          prints "SECONDS CLASSES MIN"
// SECONDS is the query's wall-clock time alone, from the query's start to
// its result (process.hrtime), without the start-up. Every column is read
// as text (all_varchar), as prep reads it, so that no time goes to type
// detection; quotes are RFC 4180's (quote and escape '"').
// Exit 0, or 2 with DuckDB's message.
"use strict";

const path = require("path");

function usage() {
	process.stderr.write(
		"usage: duckdb_peer.cjs MODULEDIR THREADS " +
			"start | copy FILE DELIM | group FILE DELIM QIS\n",
	);
	process.exit(2);
}

const sqlString = (s) => "'" + s.replace(/'/g, "''") + "'";
const sqlName = (s) => '"' + s.replace(/"/g, '""') + '"';

function readCsv(file, delim) {
	return (
		"read_csv(" +
		sqlString(file) +
		", delim = " +
		sqlString(delim) +
		", quote = '\"', escape = '\"', header = true, all_varchar = true)"
	);
}

async function main() {
	const [moduleDir, threads, mode, file, delim, qis] = process.argv.slice(2);
	if (moduleDir === undefined || !/^[1-9][0-9]*$/.test(threads || ""))
		usage();
	if (mode === "start") {
		if (file !== undefined) usage();
	} else if (mode === "copy") {
		if (delim === undefined || qis !== undefined) usage();
	} else if (mode === "group") {
		if (qis === undefined) usage();
	} else {
		usage();
	}

	const { DuckDBInstance } = require(
		path.join(path.resolve(moduleDir), "@duckdb", "node-api"),
	);
	const instance = await DuckDBInstance.create(":memory:", { threads });
	const conn = await instance.connect();
	await conn.runAndReadAll("SELECT 1");
	if (mode === "start") return;

	let sql;
	if (mode === "copy") {
		sql =
			"COPY (SELECT * FROM " +
			readCsv(file, delim) +
			") TO '/dev/null' (FORMAT csv, HEADER, DELIMITER " +
			sqlString(delim) +
			")";
	} else {
		const cols = qis.split(",").map(sqlName).join(", ");
		sql =
			"SELECT count(*), min(n) FROM (SELECT count(*) AS n FROM " +
			readCsv(file, delim) +
			" GROUP BY " +
			cols +
			")";
	}
	const t0 = process.hrtime.bigint();
	const reader = await conn.runAndReadAll(sql);
	const rows = reader.getRows();
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	const figures = rows[0].map((v) => String(v));
	process.stdout.write(s.toFixed(4) + " " + figures.join(" ") + "\n");
}

main().catch((e) => {
	process.stderr.write("duckdb_peer.cjs: " + e.message + "\n");
	process.exit(2);
});
