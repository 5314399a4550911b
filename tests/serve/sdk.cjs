// tests/serve/sdk.cjs - `aslc serve` driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-sfn), run by tests/serve/sdk_js.sh:
//   node sdk.cjs NODE_MODULES_DIR ENDPOINT
// Creates machines, runs one, pages its history with the SDK's paginator,
// runs an EXPRESS machine through StartSyncExecution (disableHostPrefix,
// since sync-127.0.0.1 does not resolve), stops a running Wait, a .sync
// child, and checks that the SDK decodes the server's errors as its typed
// exceptions. Prints one line per failure and a summary; exit 1 on failure.
'use strict';
const path = require('path');
const sfnlib = require(path.join(process.argv[2], '@aws-sdk/client-sfn'));
const endpoint = process.argv[3];
const {
    SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand,
    StartSyncExecutionCommand, StopExecutionCommand, ListExecutionsCommand,
    paginateGetExecutionHistory, paginateListExecutions,
} = sfnlib;

const client = new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    disableHostPrefix: true,
    maxAttempts: 1,
});
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine';
const EX = 'arn:aws:states:us-east-1:123456789012:execution';
const role = 'arn:aws:iam::123456789012:role/r';
let passed = 0, failed = 0;
function check(ok, what, detail) {
    if (ok) passed++;
    else { failed++; console.log(`serve-sdk-js: FAIL: ${what}${detail !== undefined ? ': ' + JSON.stringify(detail) : ''}`); }
}
async function create(name, def, type) {
    return client.send(new CreateStateMachineCommand({ name, roleArn: role, type, definition: JSON.stringify(def) }));
}
async function until(arn, status) {
    for (let i = 0; i < 100; i++) {
        const d = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
        if (d.status === status) return d;
        await new Promise(r => setTimeout(r, 50));
    }
    return client.send(new DescribeExecutionCommand({ executionArn: arn }));
}

(async () => {
    const c = await create('js', {
        StartAt: 'A', States: {
            A: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, Next: 'B' },
            B: { Type: 'Pass', Result: 'done', ResultPath: '$.note', Next: 'C' },
            C: { Type: 'Succeed' },
        },
    });
    check(c.stateMachineArn === `${SM}:js`, 'create', c.stateMachineArn);
    check(c.creationDate instanceof Date, 'creationDate is a Date', typeof c.creationDate);
    await create('sleepy', { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 100000, End: true } } });
    await create('quick', { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { q: 1, 'id.$': '$$.Execution.Id' }, End: true } } }, 'EXPRESS');
    await create('kid', { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'twice.$': 'States.MathAdd($.n, $.n)' }, End: true } } });
    await create('mom', {
        StartAt: 'T', States: {
            T: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: `${SM}:kid`, Input: { 'n.$': '$.n' } }, End: true },
        },
    });

    // run, describe
    const s = await client.send(new StartExecutionCommand({ stateMachineArn: `${SM}:js`, name: 'j1', input: '{"a":2,"b":3}' }));
    check(s.executionArn === `${EX}:js:j1`, 'start', s.executionArn);
    check(s.startDate instanceof Date, 'startDate is a Date');
    const d = await until(s.executionArn, 'SUCCEEDED');
    check(d.status === 'SUCCEEDED', 'status', d.status);
    check(d.output === '{"sum":5,"note":"done"}', 'output', d.output);
    check(d.stopDate instanceof Date && d.stopDate >= d.startDate, 'stopDate');

    // history through the SDK's paginator, 2 events a page
    const events = [];
    for await (const page of paginateGetExecutionHistory({ client, pageSize: 2 }, { executionArn: s.executionArn }))
        events.push(...page.events);
    check(events.length === 8, 'history length', events.map(e => e.type));
    check(events[0].type === 'ExecutionStarted' && events[0].id === 1 && events[0].previousEventId === 0, 'first event', events[0]);
    check(events[events.length - 1].type === 'ExecutionSucceeded', 'last event', events[events.length - 1]);
    check(events.every((e, i) => e.id === i + 1 && e.timestamp instanceof Date), 'ids and timestamps');
    const rev = [];
    for await (const page of paginateGetExecutionHistory({ client, pageSize: 3 }, { executionArn: s.executionArn, reverseOrder: true }))
        rev.push(...page.events);
    check(rev.length === 8 && rev[0].type === 'ExecutionSucceeded', 'reverse history', rev.map(e => e.type));

    // StartSyncExecution (host prefix disabled)
    const sy = await client.send(new StartSyncExecutionCommand({ stateMachineArn: `${SM}:quick`, input: '{}' }));
    check(sy.status === 'SUCCEEDED' && sy.output === JSON.stringify({ q: 1, id: sy.executionArn }), 'sync execution ($$.Execution.Id is its ARN)', sy);
    check(/:express:quick:[^:]+:[0-9a-f-]{36}$/.test(sy.executionArn), 'express ARN', sy.executionArn);
    check(sy.billingDetails && sy.billingDetails.billedDurationInMilliseconds >= 100, 'billingDetails', sy.billingDetails);

    // stop a running Wait
    const w = await client.send(new StartExecutionCommand({ stateMachineArn: `${SM}:sleepy`, name: 'w1' }));
    await new Promise(r => setTimeout(r, 200));
    const st = await client.send(new StopExecutionCommand({ executionArn: w.executionArn, error: 'Halt', cause: 'js' }));
    check(st.stopDate instanceof Date, 'stopDate of StopExecution');
    const wd = await until(w.executionArn, 'ABORTED');
    check(wd.status === 'ABORTED' && wd.error === 'Halt' && wd.cause === 'js', 'stopped', wd);

    // a .sync child
    const m = await client.send(new StartExecutionCommand({ stateMachineArn: `${SM}:mom`, input: '{"n":4}' }));
    const md = await until(m.executionArn, 'SUCCEEDED');
    const mo = md.output ? JSON.parse(md.output) : {};
    check(md.status === 'SUCCEEDED' && mo.Status === 'SUCCEEDED' && mo.Output === '{"twice":8}', '.sync child', md);

    // listing with the SDK's paginator, 1 a page
    const all = [];
    for await (const page of paginateListExecutions({ client, pageSize: 1 }, { stateMachineArn: `${SM}:js` }))
        all.push(...page.executions);
    check(all.length === 1 && all[0].name === 'j1', 'list executions', all);
    const running = await client.send(new ListExecutionsCommand({ stateMachineArn: `${SM}:sleepy`, statusFilter: 'RUNNING' }));
    check(running.executions.length === 0, 'nothing running after the stop', running.executions);

    // typed errors
    const cases = [
        [new StartExecutionCommand({ stateMachineArn: `${SM}:js`, name: 'j1', input: '{"a":1}' }), 'ExecutionAlreadyExists'],
        [new StartExecutionCommand({ stateMachineArn: `${SM}:js`, input: '{nope' }), 'InvalidExecutionInput'],
        [new StartExecutionCommand({ stateMachineArn: `${SM}:js`, name: 'no spaces' }), 'InvalidName'],
        [new StartExecutionCommand({ stateMachineArn: `${SM}:none` }), 'StateMachineDoesNotExist'],
        [new DescribeExecutionCommand({ executionArn: `${EX}:js:none` }), 'ExecutionDoesNotExist'],
        [new StartSyncExecutionCommand({ stateMachineArn: `${SM}:js` }), 'StateMachineTypeNotSupported'],
    ];
    for (const [cmd, name] of cases) {
        try {
            await client.send(cmd);
            check(false, `${name}: no error`);
        } catch (e) {
            check(e.name === name && e.$metadata.httpStatusCode === 400, name, { name: e.name, status: e.$metadata.httpStatusCode });
        }
    }
})().catch(e => { failed++; console.log(`serve-sdk-js: FAIL: ${e.name}: ${e.message}`); })
    .finally(() => {
        console.log(`serve-sdk-js: ${passed} passed, ${failed} failed`);
        process.exit(failed ? 1 : 0);
    });
