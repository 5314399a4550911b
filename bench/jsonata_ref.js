// jsonata_ref.js - the reference side of the JSONata benchmark
// (bench/jsonata.sh), run by node with jsonata-js 2.0.6 installed in the
// build folder. Two jobs:
//
//   node jsonata_ref.js eval MODULE DOC SECONDS EXPR
//     parses EXPR once, evaluates it on the JSON document DOC until SECONDS
//     have passed (after a warm-up, so that V8 has compiled the hot paths:
//     jsonata-js at its best), writes the last result as JSON to stdout
//     (nothing for undefined, as `aslc jsonata` does) and
//     "evals=N us_per_eval=X" to stderr. Start-up, loading and parsing the
//     document are outside the timing. An error prints its code and message
//     to stderr and exits 1.
//
//   node jsonata_ref.js compare A B
//     compares two results as JSON values (object keys in any order, numbers
//     as doubles, exactly); an empty file is undefined. Exits 0 when equal,
//     else 1 with the first place they differ on stdout.
'use strict';
const fs = require('fs');

function usage() {
    process.stderr.write('usage: jsonata_ref.js eval MODULE DOC SECONDS EXPR | compare A B\n');
    process.exit(2);
}

function readResult(file) {
    const text = fs.readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : JSON.parse(text);
}

function kind(v) {
    if (v === undefined) return 'undefined';
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    return typeof v;
}

// the first difference between a and b, or null when they are equal
function diff(a, b, where) {
    const ka = kind(a), kb = kind(b);
    if (ka !== kb) return `${where}: ${ka} against ${kb}`;
    if (ka === 'array') {
        if (a.length !== b.length) return `${where}: ${a.length} items against ${b.length}`;
        for (let i = 0; i < a.length; i++) {
            const d = diff(a[i], b[i], `${where}[${i}]`);
            if (d) return d;
        }
        return null;
    }
    if (ka === 'object') {
        const keys_a = Object.keys(a).sort(), keys_b = Object.keys(b).sort();
        const d = diff(keys_a, keys_b, `${where} (keys)`);
        if (d) return d;
        for (const k of keys_a) {
            const dk = diff(a[k], b[k], `${where}.${JSON.stringify(k)}`);
            if (dk) return dk;
        }
        return null;
    }
    return Object.is(a, b) || a === b ? null
        : `${where}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`;
}

async function evalMode(modulePath, docPath, seconds, expr) {
    const jsonata = require(modulePath);
    const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));
    let compiled, result;
    try {
        compiled = jsonata(expr);
        result = await compiled.evaluate(doc);
    } catch (e) {
        process.stderr.write(`jsonata-js: ${e.code || ''} ${e.message}\n`);
        process.exit(1);
    }
    const budget = seconds * 1e9;
    // warm-up: a tenth of the budget
    let start = process.hrtime.bigint();
    while (Number(process.hrtime.bigint() - start) < budget / 10) result = await compiled.evaluate(doc);
    let n = 0;
    start = process.hrtime.bigint();
    let elapsed = 0;
    do {
        result = await compiled.evaluate(doc);
        n++;
        elapsed = Number(process.hrtime.bigint() - start);
    } while (elapsed < budget);
    if (result !== undefined) process.stdout.write(JSON.stringify(result) + '\n');
    process.stderr.write(`evals=${n} us_per_eval=${(elapsed / n / 1000).toFixed(3)}\n`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'eval' && args.length === 4) {
    evalMode(args[0], args[1], Number(args[2]), args[3]);
} else if (mode === 'compare' && args.length === 2) {
    let a, b;
    try {
        a = readResult(args[0]);
        b = readResult(args[1]);
    } catch (e) {
        process.stdout.write(`not JSON: ${e.message}\n`);
        process.exit(1);
    }
    const d = diff(a, b, '$');
    if (d) {
        process.stdout.write(d + '\n');
        process.exit(1);
    }
} else {
    usage();
}
